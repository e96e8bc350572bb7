"""Fault injection: rules that make API and IAM requests misbehave.

A rule matches on the request path (substring, or a regex when it starts with
``^``), optionally the method and query values.  It ignores its first
``after`` matching requests, then affects the next ``times`` ones (``None``:
all).  Rules are evaluated in order: every firing ``latency`` rule adds its
delay, and the first firing rule of any other kind decides the response
(later rules do not see that request).
"""

import asyncio
import copy
import json
import re
import socket
import struct
from dataclasses import asdict, dataclass, field

from aiohttp import web

from .errors import JSON_CONTENT_TYPE, json_response, status_error_body

STATUSES = {401, 403, 404, 429, 500, 502, 503, 504}
SHAPES = {"list", "string_count", "deep"}
#: kind -> {option: default}
KINDS = {
    "latency": {"ms": 0},
    "status": {"status": 500, "retry_after": None, "body": None, "echo_token": False},
    "reset": {},
    "hang": {"seconds": 30.0},
    "truncated": {"abort": False},
    "html": {"status": 200},
    "empty": {},
    "content_type": {},
    "mutate_list": {"n": 1},
    "wrong_shape": {"shape": "list", "bytes": 10_000_000},
}
SECRET_HEADERS = ("X-Auth-Token", "Authorization", "X-Security-Token")
HTML_PAGE = ("<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>"
             "<h1>502 Bad Gateway</h1><p>The upstream server returned an invalid response.</p>"
             "<hr><center>emulated-gateway</center></body></html>")


class FaultError(ValueError):
    """A rule posted to the admin API is invalid."""


@dataclass
class FaultRule:
    kind: str
    match: str = ""
    method: str = None
    query: dict = field(default_factory=dict)
    after: int = 0
    times: int = 1
    options: dict = field(default_factory=dict)
    seen: int = 0
    applied: int = 0

    @classmethod
    def from_json(cls, spec):
        if not isinstance(spec, dict) or spec.get("kind") not in KINDS:
            raise FaultError(f"unknown fault kind in {spec!r}; known: {', '.join(KINDS)}")
        kind = spec["kind"]
        general = {"kind", "match", "method", "query", "after", "times"}
        unknown = set(spec) - general - set(KINDS[kind])
        if unknown:
            raise FaultError(f"unknown option(s) for {kind}: {', '.join(sorted(unknown))}")
        rule = cls(kind=kind, match=spec.get("match") or "", method=spec.get("method"),
                   query={k: str(v) for k, v in (spec.get("query") or {}).items()},
                   after=int(spec.get("after", 0)), times=spec.get("times", 1),
                   options={k: spec.get(k, default) for k, default in KINDS[kind].items()})
        if rule.match.startswith("^"):
            try:
                re.compile(rule.match)
            except re.error as exc:
                raise FaultError(f"bad regex {rule.match!r}: {exc}") from None
        if rule.times is not None and (not isinstance(rule.times, int) or rule.times < 0):
            raise FaultError("times must be a non-negative integer or null")
        if kind == "status" and rule.options["status"] not in STATUSES:
            raise FaultError(f"status must be one of {sorted(STATUSES)}")
        if kind == "wrong_shape" and rule.options["shape"] not in SHAPES:
            raise FaultError(f"shape must be one of {sorted(SHAPES)}")
        return rule

    def matches(self, request):
        if self.match.startswith("^"):
            if not re.search(self.match, request.path):
                return False
        elif self.match not in request.path:
            return False
        if self.method and self.method.upper() != request.method:
            return False
        return all(value in request.query.getall(key, []) for key, value in self.query.items())

    def take(self):
        """Count a matching request; True if the rule affects it."""
        self.seen += 1
        if self.seen <= self.after or (self.times is not None and self.applied >= self.times):
            return False
        self.applied += 1
        return True

    def describe(self):
        data = asdict(self)
        options = data.pop("options")
        data.update(options)
        data["remaining"] = None if self.times is None else max(self.times - self.applied, 0)
        return data


class FaultStore:
    def __init__(self):
        self.rules = []

    def add(self, specs):
        rules = [FaultRule.from_json(spec) for spec in specs]
        self.rules.extend(rules)
        return rules

    def clear(self):
        self.rules.clear()

    def plan(self, request):
        """(extra delay in seconds, the rule that decides the response or None)."""
        delay = 0.0
        for rule in self.rules:
            if rule.matches(request) and rule.take():
                if rule.kind != "latency":
                    return delay, rule
                delay += rule.options["ms"] / 1000
        return delay, None


#: Status of the placeholder response returned after dropping a connection (nginx's
#: "client closed request"); it is never delivered, aiohttp ignores the failed write.
DROPPED = 499


def drop_connection(request, response=None):
    """Abort the TCP connection with an RST (SO_LINGER 0), so the client sees a reset."""
    sock = request.transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    request.transport.abort()
    return response or web.Response(status=DROPPED)


async def apply(rule, request, service, real, mutate):
    """Answer ``request`` as ``rule`` says.

    ``real`` is a coroutine function producing the genuine response;
    ``mutate(n)`` inserts n records at the head of the requested list.
    """
    opts = rule.options
    kind = rule.kind
    if kind == "status":
        return _status_response(request, service, opts)
    if kind == "reset":
        return drop_connection(request)
    if kind == "html":
        return web.Response(text=HTML_PAGE, status=opts["status"], content_type="text/html")
    if kind == "empty":
        return web.Response(body=b"", headers={"Content-Type": JSON_CONTENT_TYPE})
    if kind == "wrong_shape" and opts["shape"] == "deep":
        depth = max((opts["bytes"] - 1) // 6, 1)  # each level is {"a": ... } = 6 bytes
        body = ('{"a":' * depth + "1" + "}" * depth).encode()
        return web.Response(body=body, headers={"Content-Type": JSON_CONTENT_TYPE})
    if kind == "hang":
        await asyncio.sleep(opts["seconds"])
    response = await real()
    if kind == "mutate_list":
        mutate(int(opts["n"]))
    elif kind == "content_type":
        response = web.Response(body=response.body, status=response.status,
                                headers={"Content-Type": "text/plain"})
    elif kind == "truncated":
        response = await _truncated(request, response, opts["abort"])
    elif kind == "wrong_shape":
        response = _reshaped(response, opts["shape"])
    return response


def _status_response(request, service, opts):
    status = opts["status"]
    body = copy.deepcopy(opts["body"]) if opts["body"] is not None else status_error_body(service, status)
    if opts["echo_token"] and isinstance(body, dict):
        echo = "; ".join(f"{h}: {request.headers[h]}" for h in SECRET_HEADERS if h in request.headers)
        if isinstance(body.get("error"), dict):
            body["error"]["message"] = f"{body['error'].get('message', '')} [{echo}]"
        else:
            body["error_msg"] = f"{body.get('error_msg', '')} [{echo}]"
    headers = {"Retry-After": str(opts["retry_after"])} if opts["retry_after"] is not None else None
    return json_response(body, status, headers)


async def _truncated(request, response, abort):
    """Half the real body: either a complete HTTP message holding broken JSON,
    or (``abort``) the full Content-Length promised and the connection dropped."""
    body = response.body
    half = body[: len(body) // 2]
    if not abort:
        return web.Response(body=half, status=response.status, headers={"Content-Type": JSON_CONTENT_TYPE})
    stream = web.StreamResponse(status=response.status, headers={"Content-Type": JSON_CONTENT_TYPE})
    stream.content_length = len(body)
    await stream.prepare(request)
    await stream.write(half)
    return drop_connection(request, stream)


def _reshaped(response, shape):
    """``list``: the object wrapped in a list; ``string_count``: totals as strings."""
    data = json.loads(response.body)
    if shape == "list" or not isinstance(data, dict):
        return json_response([data], response.status)
    if "count" in data:
        data["count"] = str(data["count"])
    page_info = (data.get("payload") or {}).get("page_info")
    if isinstance(page_info, dict) and "total" in page_info:
        page_info["total"] = str(page_info["total"])
    return json_response(data, response.status)
