# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bounded transport: one attempt of one request can neither outlast its time nor outgrow its size.

* time: ``timeout`` covers one attempt from connecting to the last byte of the body; a
  watchdog cuts the connection at that moment, so a server that drips a byte every half
  second cannot hold a request open (a per-read socket timeout alone never fires while
  bytes keep coming);
* size: the body is counted as it is decoded; gzip and deflate are inflated here, a
  bounded amount at a time, so a small compressed body that expands to gigabytes stops
  at the size cap instead of filling the memory.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import zlib

try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3 import exceptions as urllib3_exceptions
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    TRANSPORT_ERRORS = (requests.exceptions.RequestException, urllib3_exceptions.HTTPError, OSError, zlib.error)
    TIMEOUT_ERRORS = (requests.exceptions.Timeout, urllib3_exceptions.TimeoutError, socket.timeout)
except ImportError:  # pragma: no cover - reported by the front-end as a missing library
    requests = None
    HTTPAdapter = object
    HTTPConnection = HTTPSConnection = HTTPConnectionPool = HTTPSConnectionPool = None
    TRANSPORT_ERRORS = TIMEOUT_ERRORS = ()

DEFAULT_MAX_RESPONSE_SIZE = 64 * 1024 * 1024
DECODE_STEP = 1024 * 1024
READ_CHUNK = 64 * 1024
# What the client can decode itself (and so what it asks for).
ACCEPTED_ENCODINGS = "gzip, deflate"


_ATTEMPT = threading.local()


class AttemptWatch:
    """The connection one attempt uses, and a timer that cuts it at the attempt's deadline."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.connection = None
        self.response = None
        self.fired = False
        self._done = False
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0.0), self._cut)
        self._timer.daemon = True

    def __enter__(self):
        _ATTEMPT.watch = self
        self._timer.start()
        return self

    def __exit__(self, *exc_info):
        with self._lock:
            self._done = True
        self._timer.cancel()
        _ATTEMPT.watch = None

    def _cut(self):
        with self._lock:
            if self._done:
                return
            self.fired = True
            sock = getattr(self.connection, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)


def _watched(connection_class):
    """A urllib3 connection class that tells the current attempt's watch which connection it uses."""

    class WatchedConnection(connection_class):
        def _tell_watch(self):
            watch = getattr(_ATTEMPT, "watch", None)
            if watch is not None:
                watch.connection = self

        def connect(self):
            self._tell_watch()
            return super().connect()

        def request(self, *args, **kwargs):
            self._tell_watch()
            return super().request(*args, **kwargs)

    WatchedConnection.__name__ = "Watched" + connection_class.__name__
    return WatchedConnection


if requests is not None:

    class _WatchedHTTPConnectionPool(HTTPConnectionPool):
        ConnectionCls = _watched(HTTPConnection)

    class _WatchedHTTPSConnectionPool(HTTPSConnectionPool):
        ConnectionCls = _watched(HTTPSConnection)

    WATCHED_POOLS = {"http": _WatchedHTTPConnectionPool, "https": _WatchedHTTPSConnectionPool}
else:  # pragma: no cover
    WATCHED_POOLS = {}


class WatchedAdapter(HTTPAdapter):
    """requests' adapter whose connections (direct or through an HTTP proxy) report to the attempt's watch."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(WATCHED_POOLS)

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):  # SOCKS pools connect their own way
            manager.pool_classes_by_scheme = dict(WATCHED_POOLS)
        return manager


class ResponseTooLarge(Exception):
    """Internal: the decoded body passed the size cap."""


class UnsupportedEncoding(Exception):
    """Internal: the body is encoded in a way the client did not ask for and cannot decode."""


class BodyReader:
    """Reads a streamed body, inflating gzip/deflate here in bounded steps, and stops at ``limit`` bytes."""

    def __init__(self, response, limit):
        self.response = response
        self.limit = limit
        encoding = (response.headers.get("Content-Encoding") or "identity").strip().lower()
        if encoding in ("", "identity"):
            self.decoder = None
        elif encoding in ("gzip", "x-gzip"):
            self.decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self.decoder = zlib.decompressobj()
        else:
            raise UnsupportedEncoding(
                "the server sent a body encoded as %r, which was not asked for (Accept-Encoding: %s)" % (encoding, ACCEPTED_ENCODINGS))
        self.encoding = encoding

    def read(self):
        declared = self.response.headers.get("Content-Length")
        if self.decoder is None and declared and declared.isdigit() and int(declared) > self.limit:
            raise ResponseTooLarge(int(declared))
        parts = []
        size = 0
        raw = self.response.raw
        while True:
            data = raw.read(READ_CHUNK, decode_content=False)
            if not data:
                break
            for piece in self._decode(data, self.limit - size + 1):
                size += len(piece)
                if size > self.limit:
                    raise ResponseTooLarge(size)
                parts.append(piece)
        for piece in self._flush():
            size += len(piece)
            if size > self.limit:
                raise ResponseTooLarge(size)
            parts.append(piece)
        return b"".join(parts)

    def _decode(self, data, room):
        if self.decoder is None:
            yield data
            return
        try:
            # Inflated in steps of at most DECODE_STEP bytes: no single allocation grows with the bomb.
            out = self.decoder.decompress(data, max(1, min(room, DECODE_STEP)))
            yield out
            while self.decoder.unconsumed_tail:
                room -= len(out)
                if room <= 0:
                    raise ResponseTooLarge(self.limit + 1)
                out = self.decoder.decompress(self.decoder.unconsumed_tail, min(room, DECODE_STEP))
                yield out
        except zlib.error:
            if self.encoding == "deflate" and not isinstance(self.decoder, _RawDeflate):
                # Some servers send raw deflate without the zlib header: start again that way.
                self.decoder = _RawDeflate()
                yield from self._decode(data, room)
                return
            raise

    def _flush(self):
        if self.decoder is None:
            return []
        return [self.decoder.flush()]


class _RawDeflate:
    """A decompressobj for deflate streams sent without the zlib header (a marker class for the retry)."""

    def __init__(self):
        self._inner = zlib.decompressobj(-zlib.MAX_WBITS)

    def decompress(self, data, max_length=0):
        return self._inner.decompress(data, max_length)

    @property
    def unconsumed_tail(self):
        return self._inner.unconsumed_tail

    def flush(self):
        return self._inner.flush()


def send_bounded(session, prepared, watch, max_size, settings):
    """One attempt under ``watch`` (an AttemptWatch): (response, decoded body), cut off when the watch fires and at
    ``max_size`` decoded bytes. Raises ResponseTooLarge, UnsupportedEncoding, or what the transport raised; the
    watch keeps the response (``watch.response``) and whether it cut the connection (``watch.fired``)."""
    with watch:
        response = watch.response = session.send(prepared, timeout=watch.seconds, allow_redirects=False, stream=True, **settings)
        try:
            return response, BodyReader(response, max_size).read()
        finally:
            response.close()
