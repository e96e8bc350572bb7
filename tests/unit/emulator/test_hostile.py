"""The hostile-server faults over real HTTP: redirect, drip, gzip_bomb, oversize."""

import json
import socket
import struct
import threading
import time
import urllib.parse
import zlib

import pytest
import requests
from hwcloud_emulator import bombs

HILENS = "/v3/{project}/ai-mgr/deployments/dep-small/tasks"
BATCH = "/v2/{project}/batch-tasks"
OCTOPUS = "/v1.0/{project}/data/system-jobs"
MIB = 1 << 20


def add(emulator, **rule):
    return emulator.admin("POST", "faults", {"faults": [rule]})["added"][0]


def url_of(emulator, path):
    return emulator.url + path.format(project=emulator.credentials["project_id"])


def raw_request(emulator, path):
    """A connected socket that has sent a GET for ``path`` with the static token."""
    parsed = urllib.parse.urlsplit(emulator.url)
    sock = socket.create_connection((parsed.hostname, parsed.port), timeout=10)
    target = path.format(project=emulator.credentials["project_id"])
    sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {parsed.netloc}\r\n"
                 f"X-Auth-Token: {emulator.credentials['static_token']}\r\n\r\n".encode())
    return sock


def read_all(sock):
    chunks = []
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


# redirect

def test_redirect_defaults_to_the_same_target_on_another_loopback_host(emulator, api):
    add(emulator, kind="redirect", match="batch")
    response = api(BATCH, {"page_size": 5, "name_like": "a b"}, allow_redirects=False)
    port = urllib.parse.urlsplit(emulator.url).port
    assert response.status_code == 302
    assert response.headers["Location"] == (f"http://127.0.0.2:{port}/v2/{emulator.credentials['project_id']}"
                                            "/batch-tasks?page_size=5&name_like=a+b")


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirect_statuses_and_a_location_with_userinfo(emulator, api, status):
    location = "http://user:pa55@127.0.0.1:9/elsewhere?x=1"
    add(emulator, kind="redirect", match="dep-small", status=status, location=location)
    response = api(HILENS, allow_redirects=False)
    assert response.status_code == status and response.headers["Location"] == location


def test_a_followed_redirect_reaches_the_alias_host(emulator, api):
    if emulator.alias_url is None:
        pytest.skip("127.0.0.2 could not be bound here")
    add(emulator, kind="redirect", match="batch", status=307)
    response = api(BATCH)
    assert response.status_code == 200 and response.history[0].status_code == 307
    assert urllib.parse.urlsplit(response.url).hostname == "127.0.0.2"
    hosts = emulator.admin("GET", "stats")["by_host"]
    assert hosts[urllib.parse.urlsplit(emulator.url).netloc] == hosts[urllib.parse.urlsplit(emulator.alias_url).netloc] == 1


# drip

def test_drip_sends_the_genuine_body_slowly_with_its_length(emulator, api):
    genuine = api(HILENS).content
    step = len(genuine) // 4 + 1  # four chunks, three pauses
    add(emulator, kind="drip", match="dep-small", bytes=step, interval_ms=150)
    start = time.monotonic()
    response = api(HILENS)
    assert time.monotonic() - start >= 0.45
    assert response.status_code == 200 and response.content == genuine
    assert response.headers["Content-Length"] == str(len(genuine))
    assert emulator.admin("GET", "stats")["by_status"] == {"200": 2}


def test_drip_does_not_block_other_requests_and_stops_when_the_client_leaves(emulator, api):
    add(emulator, kind="drip", match="dep-small", bytes=1, interval_ms=50, max_seconds=30)
    sock = raw_request(emulator, HILENS)
    try:
        head = sock.recv(4096)
        assert head.startswith(b"HTTP/1.1 200")
        start = time.monotonic()
        assert api(BATCH).status_code == 200 and api(OCTOPUS).status_code == 200
        assert time.monotonic() - start < 1.0
    finally:
        sock.close()
    # The dripping handler notices the closed connection and finishes (counted as a reset).
    assert wait_for(lambda: emulator.admin("GET", "stats")["by_status"].get("reset") == 1)


def test_drip_closes_after_max_seconds(emulator, api):
    add(emulator, kind="drip", match="dep-small", bytes=5, interval_ms=100, max_seconds=0.5)
    start = time.monotonic()
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        api(HILENS)
    assert 0.4 <= time.monotonic() - start < 3


def test_drip_with_headers_drips_the_status_line_too(emulator, api):
    path = "/v2/{project}/tasks/" + emulator.data["vias_task_ids"][0]
    genuine = api(path).content
    add(emulator, kind="drip", match="/tasks/", bytes=32, interval_ms=20, headers=True)
    sock = raw_request(emulator, path)
    try:
        first = sock.recv(4096)
        assert first and b"HTTP/1.1 200 OK\r\n".startswith(first[:17])
        assert len(first) <= 32 and b"\r\n\r\n" not in first  # headers still to come
        message = first + read_all(sock)
    finally:
        sock.close()
    head, _sep, body = message.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    assert lines[0] == "HTTP/1.1 200 OK" and headers["Connection"] == "close"
    assert int(headers["Content-Length"]) == len(body) and body == genuine
    assert headers["Content-Type"].startswith("application/json") and headers["X-Request-Id"]
    assert emulator.admin("GET", "stats")["by_status"] == {"200": 2}


def test_drip_passes_errors_through_slowly_too(emulator):
    add(emulator, kind="drip", match="batch", bytes=64, interval_ms=10)
    response = requests.get(url_of(emulator, BATCH), timeout=10)  # no credentials: the genuine 401
    assert response.status_code == 401 and response.json()["error_code"] == "APIG.0301"


# gzip_bomb

@pytest.mark.parametrize("encoding, wbits", [("gzip", 31), ("deflate", 15)])
def test_gzip_bomb_expands_to_the_asked_size_of_valid_json(emulator, encoding, wbits):
    size = 3 * MIB + 777
    add(emulator, kind="gzip_bomb", match="dep-small", encoding=encoding, expanded_bytes=size)
    response = requests.get(url_of(emulator, HILENS), stream=True, timeout=10)  # no credentials needed
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Content-Encoding"] == encoding
    compressed = response.raw.read(decode_content=False)
    assert len(compressed) < 10_000
    expanded = zlib.decompress(compressed, wbits)
    assert len(expanded) == size and json.loads(expanded) == {"count": 0, "tasks": []}
    assert expanded.startswith(b'{"count": 0, "tasks": []   ')


def test_gzip_bomb_default_is_a_gibibyte_in_about_a_megabyte(emulator):
    before = bombs.padding.cache_info()
    add(emulator, kind="gzip_bomb", match="system-jobs", times=2)
    compressed = [requests.get(url_of(emulator, OCTOPUS), stream=True, timeout=30).raw.read(decode_content=False)
                  for _attempt in range(2)]
    assert compressed[0][:2] == b"\x1f\x8b" and 0.5 * MIB < len(compressed[0]) < 2 * MIB
    assert struct.unpack("<I", compressed[0][-4:])[0] == (1 << 30) % (1 << 32)  # ISIZE: 1 GiB
    head = zlib.decompressobj(31).decompress(compressed[0], 4096)
    assert head.startswith(b'{"meta_info": {"current_time": ') and b'"list": [], "page_info"' in head
    assert head.endswith(b" " * 64)
    assert bombs.padding.cache_info().hits > before.hits  # the padding was built once


def test_gzip_bomb_on_a_task_route_keeps_the_id(emulator):
    task_id = emulator.data["vias_task_ids"][0]
    add(emulator, kind="gzip_bomb", match="/tasks/", expanded_bytes=100_000)
    body = requests.get(url_of(emulator, "/v2/{project}/tasks/" + task_id), timeout=10).content
    assert len(body) == 100_000 and json.loads(body) == {"id": task_id}


def test_bomb_checksums_match_zlib():
    for first, second in ((b"", b"abc"), (b"x" * 1000, b""), (bytes(range(256)) * 5, b"json" * 777)):
        assert bombs.crc32_combine(zlib.crc32(first), zlib.crc32(second), len(second)) == zlib.crc32(first + second)
        assert bombs.adler32_combine(zlib.adler32(first), zlib.adler32(second),
                                     len(second)) == zlib.adler32(first + second)
    body = bombs.bomb(b'{"a": [', 5 * MIB + 3, b"]}", "gzip")
    expanded = zlib.decompress(body, 31)  # verifies the CRC-32 and the length in the trailer
    assert len(expanded) == 5 * MIB + 3 and json.loads(expanded) == {"a": []}


# oversize

def test_oversize_is_honest_valid_and_exact(emulator, api):
    add(emulator, kind="oversize", match="batch", bytes=2_500_000)
    response = api(BATCH)
    assert response.status_code == 200 and response.headers["Content-Length"] == "2500000"
    assert len(response.content) == 2_500_000 and response.json() == {"count": 0, "batch_task_list": []}


def test_oversize_default_streams_two_hundred_megabytes_and_stops_when_the_client_leaves(emulator, api):
    add(emulator, kind="oversize", match="system-jobs")
    response = api(OCTOPUS, stream=True)
    assert response.headers["Content-Length"] == "200000000"
    first = next(response.iter_content(MIB))
    assert first.startswith(b'{"meta_info"')
    start = time.monotonic()
    results = []
    other = threading.Thread(target=lambda: results.append(api(BATCH).status_code))
    other.start()
    other.join(5)
    assert results == [200] and time.monotonic() - start < 2  # served meanwhile
    response.close()
    assert wait_for(lambda: emulator.admin("GET", "stats")["by_status"].get("reset") == 1)


def test_oversize_never_below_the_smallest_valid_body(emulator, api):
    add(emulator, kind="oversize", match="dep-small", bytes=3)
    response = api(HILENS)
    assert response.json() == {"count": 0, "tasks": []}
    assert int(response.headers["Content-Length"]) == len(response.content) == len('{"count": 0, "tasks": []}')


def test_bombs_and_oversize_only_match_api_routes(emulator):
    add(emulator, kind="oversize", times=None)
    response = requests.post(emulator.url + "/v3/auth/tokens", json={}, timeout=10)
    assert response.status_code == 400 and "error" in response.json()  # IAM answered genuinely
    assert emulator.admin("GET", "faults")["faults"][0]["seen"] == 0
