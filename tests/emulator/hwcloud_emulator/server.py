"""Running the emulator: on the current event loop (command line) or in a
background thread with its own loop (``start_emulator``, the pytest plugin)."""

import asyncio
import contextlib
import json
import logging
import os
import socket
import ssl
import tempfile
import threading
import urllib.request

from aiohttp import web

from .app import build_app
from .config import EmulatorConfig
from .hostile import ALIAS_HOST
from .state import STATE

ACCESS_LOG_FORMAT = '%a "%r" %s %b %Tf'  # no headers: never logs tokens or signatures


def _tls_context(config):
    """A throw-away CA and a server certificate for the loopback names; ca.pem goes to cert_dir."""
    import trustme  # only needed with --https

    cert_dir = config.cert_dir or tempfile.mkdtemp(prefix="hwcloud-emulator-")
    os.makedirs(cert_dir, exist_ok=True)
    ca = trustme.CA()
    names = sorted({"127.0.0.1", ALIAS_HOST, "localhost", "::1", config.host} - {"0.0.0.0", ""})
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(context)
    ca_file = os.path.join(cert_dir, "ca.pem")
    ca.cert_pem.write_to_path(ca_file)
    return context, ca_file


def _access_logger(log_file):
    logger = logging.getLogger(f"hwcloud_emulator.access.{log_file}")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    if not logger.handlers:
        logger.addHandler(logging.FileHandler(log_file))
    return logger


class Server:
    """One listening emulator: ``url``, ``ca_file`` (HTTPS only) and the app state.

    Bound to 127.0.0.1, it also listens on 127.0.0.2 (same port, when free):
    the ``redirect`` fault sends clients there, to "another host" that
    answers, so a test can see what a client carries across a redirect
    (``by_host`` in the stats).  ``alias_url`` is None when that failed.
    """

    def __init__(self, config):
        self.config = config
        self.url = self.alias_url = self.ca_file = self._runner = None
        self.app = build_app(config)

    @property
    def state(self):
        return self.app[STATE]

    async def start(self):
        context = None
        if self.config.https:
            context, self.ca_file = _tls_context(self.config)
        logger = _access_logger(self.config.log_file) if self.config.log_file else None
        self._runner = web.AppRunner(self.app, access_log=logger, access_log_format=ACCESS_LOG_FORMAT,
                                     shutdown_timeout=0.5)
        await self._runner.setup()
        family = socket.AF_INET6 if ":" in self.config.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.config.host, self.config.port))
        await web.SockSite(self._runner, sock, ssl_context=context).start()
        host = f"[{self.config.host}]" if family == socket.AF_INET6 else self.config.host
        port = sock.getsockname()[1]
        scheme = "https" if context else "http"
        self.url = f"{scheme}://{host}:{port}"
        if self.config.host == "127.0.0.1" and await self._listen_alias(port, context):
            self.alias_url = f"{scheme}://{ALIAS_HOST}:{port}"
        return self.url

    async def _listen_alias(self, port, context):
        alias = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            alias.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            alias.bind((ALIAS_HOST, port))
        except OSError:  # another process holds it, or no such loopback address here
            alias.close()
            return False
        await web.SockSite(self._runner, alias, ssl_context=context).start()
        return True

    async def stop(self):
        await self._runner.cleanup()


class EmulatorHandle:
    """What tests get: the base URL, credentials, well-known data and admin calls."""

    def __init__(self, server):
        self._server = server
        self.url = server.url
        self.alias_url = server.alias_url
        self.ca_file = server.ca_file
        self._ssl = ssl.create_default_context(cafile=self.ca_file) if self.ca_file else None

    @property
    def credentials(self):
        """The account's credentials as a dict (a scenario may change them)."""
        return self._server.state.credentials.as_dict()

    @property
    def state(self):
        """The live server state (same process), for assertions the admin API does not expose."""
        return self._server.state

    def admin(self, method, path, json=None):
        """Call ``/_emulator/<path>`` over HTTP and return the decoded JSON body."""
        path = path if path.startswith("/_emulator") else "/_emulator/" + path.lstrip("/")
        body = None if json is None else _json_bytes(json)
        request = urllib.request.Request(self.url + path, data=body, method=method.upper(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, context=self._ssl, timeout=30) as response:
            return _json_loads(response.read())

    @property
    def data(self):
        return self.admin("GET", "data")

    def reset(self, **body):
        return self.admin("POST", "reset", body)


def _json_bytes(value):
    return json.dumps(value).encode()


def _json_loads(raw):
    return json.loads(raw) if raw else None


@contextlib.contextmanager
def start_emulator(**options):
    """Run an emulator in a background thread; yields an ``EmulatorHandle``.

    ``options`` are ``EmulatorConfig`` fields (host, port, seed, tasks, sizes,
    latency_ms, rate_limit, rate_limit_retry_after, rate_limit_burst, token_ttl,
    https, cert_dir, log_file, credentials, scenario).
    """
    server = Server(EmulatorConfig(**options))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="hwcloud-emulator", daemon=True)
    thread.start()
    try:
        asyncio.run_coroutine_threadsafe(server.start(), loop).result(timeout=60)
        yield EmulatorHandle(server)
    finally:
        if server.url:
            asyncio.run_coroutine_threadsafe(server.stop(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
