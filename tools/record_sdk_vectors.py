# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Record SDK-HMAC-SHA256 signature vectors from Huawei's official Python SDK.

The collection signs requests with its own signer (plugins/module_utils/signer.py)
and does not depend on the SDK. This tool records, once and by hand, what the
official SDK (huaweicloudsdkcore 3.1.219) signs and puts on the wire for a set
of GET requests, so that tests/unit/plugins/module_utils/test_sdk_signature_vectors.py
can compare the collection's client against it without the SDK installed.

Run it only in a throwaway virtualenv that has the SDK, never in the project's
.venv (the SDK is not, and must not become, a dependency of the collection)::

    python3 -m venv /tmp/sdk-vectors-venv
    /tmp/sdk-vectors-venv/bin/pip install huaweicloudsdkcore==3.1.219
    /tmp/sdk-vectors-venv/bin/python tools/record_sdk_vectors.py

It needs ``openssl`` on PATH (a self-signed certificate for the https capture
server) and the loopback port 18080 free (``--loopback-port`` to change it, which
changes the recorded vector). It writes
tests/unit/plugins/module_utils/data/sdk_signature_vectors.json (``--output`` to
write elsewhere); the output is deterministic, so a re-run shows no diff unless
the SDK behaves differently.

How each vector is recorded, with the SDK's own code at every step:

* the path is built by the SDK client's ``_parse_path_params`` (each path
  parameter ``quote(value, safe='')``), the query by its ``_parse_query_params``
  from the (key, value) tuples a caller gives, in the caller's order, as the
  generated service clients pass them;
* an ``SdkRequest`` carrying only the header ``X-Sdk-Date`` (fixed date) is
  signed by ``BasicCredentials(ak, sk, project_id).process_auth_request`` (the
  SDK adds ``X-Project-Id`` and ``Host``, signs, and rewrites the request URI);
  the canonical request and string to sign are read from the SDK's ``Signer``
  as it computes them;
* the signed request is sent by the SDK's own ``HttpClient.do_request_sync`` to
  a capture server on 127.0.0.1 that records the raw request line and headers.
  The https vectors (host ``vias.cn-north-4.myhuaweicloud.com``) go to a TLS
  capture server: the TCP connection for that host and port 443 is redirected to
  127.0.0.1 (only the socket's destination changes: TLS, SNI, Host header and
  request line are what the SDK sends to the real host; certificate
  verification is off for the self-signed certificate). The loopback vector is
  sent to its real address, ``http://127.0.0.1:<port>``.

A service client built by the SDK (``VasClient`` and friends) also adds and
signs ``User-Agent`` and, unless ``ignore_content_type_for_get_request``,
``Content-Type: application/json``. The collection signs neither on a GET
without a body, so the vectors sign exactly the headers the collection signs:
``Host``, ``X-Project-Id`` and ``X-Sdk-Date``. The algorithm is the same for any
set of headers (tests/unit/plugins/module_utils/test_signer.py has vectors
with more).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import platform
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import warnings
from pathlib import Path

try:
    import urllib3
    import urllib3.util.connection
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.client import Client
    from huaweicloudsdkcore.exceptions.exception_handler import DefaultExceptionHandler
    from huaweicloudsdkcore.http.http_client import HttpClient as SdkHttpClient
    from huaweicloudsdkcore.http.http_config import HttpConfig
    from huaweicloudsdkcore.sdk_request import SdkRequest
    from huaweicloudsdkcore.signer.signer import Signer
except ImportError as exc:  # pragma: no cover - a hand-run tool
    sys.exit("record_sdk_vectors.py runs in a throwaway venv with huaweicloudsdkcore==3.1.219 installed (%s); see its docstring" % exc)

SDK_VERSION = "3.1.219"
ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "tests" / "unit" / "plugins" / "module_utils" / "data" / "sdk_signature_vectors.json"

ACCESS_KEY = "HPUAVECTORSAK0000001"
SECRET_KEY = "SKvectorsExampleSecretKey0123456789abcdef"
PROJECT_ID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
SDK_DATE = "20240501T080000Z"

VIAS_HOST = "vias.cn-north-4.myhuaweicloud.com"
DEFAULT_LOOPBACK_PORT = 18080

BATCH_TASKS = "/v2/{project_id}/batch-tasks"
VIAS_TASK = "/v2/{project_id}/tasks/{task_id}"
VAS_TASKS = "/v2/{project_id}/services/{service_name}/tasks"

# (name, description, scheme, host or None for the loopback one, path template, path params, query pairs)
CASES = [
    ("no-query", "no query string at all", "https", VIAS_HOST, BATCH_TASKS, {}, []),
    ("paging", "plain paging parameters, given out of order", "https", VIAS_HOST, BATCH_TASKS, {},
     [("page_size", "200"), ("page_num", "1"), ("is_paged", "true")]),
    ("space-and-non-ascii", "values with spaces and non-ASCII text", "https", VIAS_HOST, BATCH_TASKS, {},
     [("name_like", "安全帽 检测"), ("service_version", "é 2.0"), ("id_like", " lead and trail ")]),
    ("reserved-characters", "values with + / = ~ * & % and an already-escaped-looking value", "https", VIAS_HOST, BATCH_TASKS, {},
     [("plus", "a+b"), ("slash", "a/b"), ("equals", "a=b"), ("tilde", "a~b"), ("star", "a*b"),
      ("amp", "a&b"), ("percent", "100%"), ("escaped", "%20"), ("mix", "x+y z/%2B")]),
    ("repeated-key", "one key with two values (given in reverse order) among others", "https", VIAS_HOST, BATCH_TASKS, {},
     [("state", "STOPPED"), ("limit", "10"), ("state", "RUNNING")]),
    ("empty-value", "empty values", "https", VIAS_HOST, BATCH_TASKS, {},
     [("marker", ""), ("limit", "5"), ("name_like", "")]),
    ("keys-needing-encoding", "keys with a space, + = & ~ and non-ASCII; 'z' sorts before 'é' (sorting is on decoded text)",
     "https", VIAS_HOST, BATCH_TASKS, {},
     [("z", "1"), ("é", "2"), ("a b", "3"), ("x+y", "4"), ("k=v&w", "5"), ("~t", "6"), ("任务", "7")]),
    ("path-segment-encoding", "a path parameter with a space, non-ASCII text and ( ) ~", "https", VIAS_HOST, VIAS_TASK,
     {"task_id": "任务 1~(a)"}, []),
    ("path-segment-slash", "a path parameter with a slash (sent as %2F, signed as a separator) and a query", "https", VIAS_HOST,
     VIAS_TASK, {"task_id": "a/b"}, [("detail", "yes")]),
    ("loopback-http-port", "plain http to a loopback host with a port: Host carries the port", "http", None, VAS_TASKS,
     {"service_name": "c-vas helmet"},
     [("name_like", "安全帽 检测"), ("state", "RUNNING"), ("state", "STOPPED"), ("offset", "0"), ("limit", "10"),
      ("order", "created_at:DESC")]),
]


class CaptureServer:
    """A one-connection-at-a-time HTTP server on 127.0.0.1 that records the raw request head and answers 200 {}."""

    def __init__(self, port=0, ssl_context=None):
        self.ssl_context = ssl_context
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.captured = []
        self.errors = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            try:
                if self.ssl_context is not None:
                    conn = self.ssl_context.wrap_socket(conn, server_side=True)
                self._handle(conn)
            except (OSError, ssl.SSLError) as exc:
                self.errors.append(repr(exc))
            finally:
                conn.close()

    def _handle(self, conn):
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = conn.recv(65536)
            if not chunk:
                return
            head += chunk
        lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        headers = [line.split(":", 1) for line in lines[1:]]
        self.captured.append({"request_line": lines[0], "headers": [[name, value.strip()] for name, value in headers]})
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")

    def close(self):
        self.sock.close()


def self_signed_context(directory):
    cert, key = Path(directory, "cert.pem"), Path(directory, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=" + VIAS_HOST],
        check=True, capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    return context


class SignerTrace:
    """Wraps the SDK signer's own methods to keep the canonical request and string to sign it computes."""

    def __init__(self):
        self.last = {}
        original_creq = Signer._process_canonical_request
        original_sts = Signer._process_string_to_sign
        trace = self

        def canonical_request(self, request, signed_headers):
            value = original_creq(self, request, signed_headers)
            trace.last["canonical_request"] = value
            return value

        def string_to_sign(self, canonical, time):
            value = original_sts(self, canonical, time)
            trace.last["string_to_sign"] = value
            return value

        Signer._process_canonical_request = canonical_request
        Signer._process_string_to_sign = string_to_sign


def redirect_connections(targets):
    """Send the TCP connection for each (host, port) in ``targets`` to its 127.0.0.1 port instead (DNS-like)."""
    original = urllib3.util.connection.create_connection

    def create_connection(address, *args, **kwargs):
        return original(targets.get(tuple(address), address), *args, **kwargs)

    urllib3.util.connection.create_connection = create_connection


def header(headers, name):
    values = [value for key, value in headers if key.lower() == name.lower()]
    if len(values) != 1:
        raise AssertionError("expected one %s header, got %r" % (name, values))
    return values[0]


def record_case(case, loopback_host, sdk_client, sdk_http, capture, trace):
    name, description, scheme, host, template, path_params, query = case
    host = host or loopback_host
    # The SDK's own path and query handling (generated clients fill project_id from the credentials).
    resource_path = sdk_client._parse_path_params({}, dict(path_params, project_id=PROJECT_ID), template, None)
    query_params = sdk_client._parse_query_params({}, [tuple(pair) for pair in query])
    request = SdkRequest(method="GET", schema=scheme, host=host, resource_path=resource_path,
                         query_params=query_params, header_params={"X-Sdk-Date": SDK_DATE}, body=None)
    credentials = BasicCredentials(ACCESS_KEY, SECRET_KEY, PROJECT_ID)
    trace.last.clear()
    signed = credentials.process_auth_request(request, sdk_http).result()
    before = len(capture.captured)
    response = sdk_http.do_request_sync(signed)
    if response.status_code != 200 or len(capture.captured) != before + 1:
        raise AssertionError("%s: the capture server did not get the request (%s, %r)" % (name, response.status_code, capture.errors))
    wire = capture.captured[-1]
    method, target, _version = wire["request_line"].split(" ")
    authorization = header(wire["headers"], "Authorization")
    # The SDK sent what it signed.
    assert method == "GET", wire
    assert target == signed.uri, (target, signed.uri)
    assert authorization == signed.header_params["Authorization"], (authorization, signed.header_params)
    assert header(wire["headers"], "Host") == host, wire
    assert header(wire["headers"], "X-Sdk-Date") == SDK_DATE, wire
    assert header(wire["headers"], "X-Project-Id") == PROJECT_ID, wire
    canonical = trace.last["canonical_request"]
    path, _sep, wire_query = target.partition("?")
    canonical_query = canonical.split("\n")[2]
    signed_headers = canonical.split("\n")[-2]
    return {
        "name": name,
        "description": description,
        "method": "GET",
        "scheme": scheme,
        "host": host,
        "path_template": template,
        "path_params": path_params,
        "path": resource_path,
        "query": [list(pair) for pair in query],
        "headers": {"X-Project-Id": PROJECT_ID},
        "body": "",
        "sdk": {
            "query_params": [list(pair) for pair in query_params],
            "canonical_request": canonical,
            "canonical_query": canonical_query,
            "signed_headers": signed_headers,
            "string_to_sign": trace.last["string_to_sign"],
            "signature": authorization.rsplit("Signature=", 1)[1],
            "authorization": authorization,
            "request_target": target,
            "wire_path": path,
            "wire_query": wire_query,
            "wire_request_line": wire["request_line"],
            "wire_headers": wire["headers"],
        },
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--loopback-port", type=int, default=DEFAULT_LOOPBACK_PORT)
    args = parser.parse_args()

    installed = importlib.metadata.version("huaweicloudsdkcore")
    if installed != SDK_VERSION:
        sys.exit("huaweicloudsdkcore %s is installed; the vectors are recorded with %s" % (installed, SDK_VERSION))

    warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
    with tempfile.TemporaryDirectory() as directory:
        tls_capture = CaptureServer(ssl_context=self_signed_context(directory))
    plain_capture = CaptureServer(port=args.loopback_port)
    loopback_host = "127.0.0.1:%d" % args.loopback_port
    redirect_connections({(VIAS_HOST, 443): ("127.0.0.1", tls_capture.port)})

    config = HttpConfig.get_default_config()
    config.ignore_ssl_verification = True  # the TLS capture server's certificate is self-signed
    config.timeout = 10
    sdk_http = SdkHttpClient(config, None, DefaultExceptionHandler(), Client._init_logger())
    sdk_client = Client()
    trace = SignerTrace()

    vectors = []
    for case in CASES:
        capture = tls_capture if case[2] == "https" else plain_capture
        vectors.append(record_case(case, loopback_host, sdk_client, sdk_http, capture, trace))
    tls_capture.close()
    plain_capture.close()

    document = {
        "header": {
            "sdk": "huaweicloudsdkcore %s" % SDK_VERSION,
            "recorded_with": "tools/record_sdk_vectors.py (see its docstring), in a throwaway venv",
            "environment": "Python %s, requests %s, urllib3 %s" % (
                platform.python_version(), importlib.metadata.version("requests"), urllib3.__version__),
            "how": (
                "Path and query built by the SDK client's _parse_path_params/_parse_query_params from the inputs; "
                "an SdkRequest with only X-Sdk-Date preset signed by BasicCredentials(access_key, secret_key, project_id)"
                ".process_auth_request (adds X-Project-Id and Host); canonical_request and string_to_sign read from "
                "the SDK Signer as it computed them; the signed request sent by the SDK's HttpClient.do_request_sync to "
                "a capture server on 127.0.0.1 (https vectors: TLS, the connection for host:443 redirected to it), "
                "wire_request_line and wire_headers are what that server received. Signed headers: host, "
                "x-project-id, x-sdk-date (a service client would also sign User-Agent and Content-Type)."
            ),
            "query": "inputs: ordered [key, value] pairs as a caller gives them; the SDK sends and signs them sorted",
        },
        "access_key": ACCESS_KEY,
        "secret_key": SECRET_KEY,
        "project_id": PROJECT_ID,
        "sdk_date": SDK_DATE,
        "vectors": vectors,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print("wrote %d vectors to %s" % (len(vectors), args.output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
