"""Fault injection: rules that make API and IAM requests misbehave.

A rule matches on the request path (substring, or a regex when it starts with
``^``), optionally the method and query values.  It ignores its first
``after`` matching requests, then affects the next ``times`` ones (``None``:
all).  Rules are evaluated in order: every firing ``latency`` rule adds its
delay, and the first firing rule of any other kind decides the response
(later rules do not see that request).  Kinds that only make sense on some
routes (list lies on list routes, ``foreign_id`` on single-task routes,
bombs on API routes) do not match, and so do not count, elsewhere.

The classic kinds live here; the hostile-server kinds in ``hostile`` and
the lying-body kinds in ``lies``.
"""

import asyncio
import copy
import json
import re
from dataclasses import dataclass, field, fields
from collections.abc import Callable
from typing import Any

from aiohttp import web

from . import checks, hostile, lies
from .checks import SpecError
from .errors import JSON_CONTENT_TYPE, json_response, status_error_body
from .shapes import API_ROUTE_NAMES, LIST_ROUTES, OBJECT_ROUTES
from .wire import drop_connection

STATUSES = {401, 403, 404, 429, 500, 502, 503, 504}
SHAPES = {"list", "string_count", "deep"}
GIB = 1 << 30
UNSET = lies.UNSET


def _non_negative(value, path):
    return checks.number(value, path, minimum=0)


def _count(value, path):
    return checks.number(value, path, minimum=0, integer=True)


def _size(maximum):
    return lambda value, path: checks.number(value, path, minimum=1, maximum=maximum, integer=True)


def _one_of(choices):
    return lambda value, path: checks.choice(value, path, sorted(choices))


def _retry_after(value, path):
    return checks.scalar(value, path, nullable=True)


def _not_object(value, path):
    value = checks.json_value(value, path)
    if isinstance(value, dict):
        raise SpecError(path, "must not be an object (the fault replaces items by non-objects)")
    return value


#: kind -> {option: (default, check(value, path) -> value)}
OPTIONS = {
    "latency": {"ms": (0, _non_negative)},
    "status": {"status": (500, _one_of(STATUSES)), "retry_after": (None, _retry_after),
               "body": (None, checks.json_value), "echo_token": (False, checks.boolean)},
    "reset": {},
    "hang": {"seconds": (30.0, _non_negative)},
    "truncated": {"abort": (False, checks.boolean)},
    "html": {"status": (200, lambda v, p: checks.number(v, p, minimum=100, maximum=599, integer=True))},
    "empty": {},
    "content_type": {},
    "mutate_list": {"n": (1, _count)},
    "wrong_shape": {"shape": ("list", _one_of(SHAPES)), "bytes": (10_000_000, _size(GIB))},
    "redirect": {"status": (302, _one_of(hostile.REDIRECT_STATUSES)),
                 "location": (None, lambda v, p: checks.string(v, p, nullable=True, pattern=r"\S+"))},
    "drip": {"bytes": (1, _size(GIB)), "interval_ms": (500, _non_negative),
             "max_seconds": (60, lambda v, p: checks.number(v, p, above=0)), "headers": (False, checks.boolean)},
    "gzip_bomb": {"encoding": ("gzip", _one_of(("gzip", "deflate"))), "expanded_bytes": (GIB, _size(16 * GIB))},
    "oversize": {"bytes": (200_000_000, _size(64 * GIB))},
    "short_page": {"keep": (None, lambda v, p: checks.number(v, p, minimum=0, integer=True, nullable=True))},
    "lying_total": {"delta": (200, lambda v, p: checks.number(v, p, integer=True)), "value": (UNSET, checks.json_value)},
    "foreign_page": {},
    "foreign_id": {},
    "not_objects": {"value": (UNSET, _not_object)},
}
#: kind -> {option: default} (the shape older code and the README use)
KINDS = {kind: {name: default for name, (default, _check) in options.items()} for kind, options in OPTIONS.items()}
#: Kinds that only apply to some routes; elsewhere they neither match nor count.
ROUTE_LIMITS = {"short_page": frozenset(LIST_ROUTES), "lying_total": frozenset(LIST_ROUTES),
                "foreign_page": frozenset(LIST_ROUTES), "not_objects": frozenset(LIST_ROUTES),
                "foreign_id": OBJECT_ROUTES, "gzip_bomb": API_ROUTE_NAMES, "oversize": API_ROUTE_NAMES}
GENERAL = ("kind", "match", "method", "query", "after", "times")
SECRET_HEADERS = ("X-Auth-Token", "Authorization", "X-Security-Token")
HTML_PAGE = ("<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>"
             "<h1>502 Bad Gateway</h1><p>The upstream server returned an invalid response.</p>"
             "<hr><center>emulated-gateway</center></body></html>")


class FaultError(SpecError):
    """A rule posted to the admin API (or written in a scenario) is invalid."""


@dataclass
class Exchange:
    """One request on its way through the gateway, as a fault sees it."""

    request: web.Request
    route: str
    service: str
    store: Any
    genuine: Callable  # coroutine: the real answer (quota, auth, handler)
    fetch: Callable  # coroutine(query updates): the handler's answer to another query, or None
    mutate: Callable  # mutate(n): n new records at the head of the requested list


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
    def from_json(cls, spec, path="fault"):
        if not isinstance(spec, dict) or not isinstance(spec.get("kind"), str) or spec["kind"] not in KINDS:
            raise FaultError(path, f"unknown fault kind in {spec!r}; known: {', '.join(KINDS)}")
        kind = spec["kind"]
        unknown = set(spec) - set(GENERAL) - set(KINDS[kind])
        if unknown:
            raise FaultError(path, f"unknown option(s) for {kind}: {', '.join(sorted(unknown))}; "
                                   f"allowed: {', '.join(GENERAL[1:] + tuple(KINDS[kind]))}")
        try:
            rule = cls(kind=kind, match=checks.string(spec.get("match") or "", checks.join(path, "match")),
                       method=checks.string(spec.get("method"), checks.join(path, "method"), nullable=True),
                       query=_query(spec.get("query"), checks.join(path, "query")),
                       after=_count(spec.get("after", 0), checks.join(path, "after")),
                       times=checks.number(spec.get("times", 1), checks.join(path, "times"), minimum=0,
                                           integer=True, nullable=True),
                       options={name: spec[name] if name in spec else default
                                for name, (default, _check) in OPTIONS[kind].items()})
            for name, (default, check) in OPTIONS[kind].items():
                if name in spec and not (spec[name] is None and default is None):
                    rule.options[name] = check(spec[name], checks.join(path, name))
        except SpecError as exc:
            raise FaultError(exc.path, exc.reason) from None
        if rule.match.startswith("^"):
            try:
                re.compile(rule.match)
            except re.error as exc:
                raise FaultError(checks.join(path, "match"), f"bad regex {rule.match!r}: {exc}") from None
        return rule

    def matches(self, request):
        limit = ROUTE_LIMITS.get(self.kind)
        if limit is not None and request.match_info.route.name not in limit:
            return False
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
        data = {f.name: copy.deepcopy(getattr(self, f.name)) for f in fields(self) if f.name != "options"}
        data.update((k, copy.deepcopy(v)) for k, v in self.options.items() if v is not UNSET and k in KINDS[self.kind])
        data["remaining"] = None if self.times is None else max(self.times - self.applied, 0)
        return data


def _query(value, path):
    if value is None:
        return {}
    checks.mapping(value, path, list(value))
    return {k: str(checks.scalar(v, checks.join(path, k))) for k, v in value.items()}


class FaultStore:
    def __init__(self):
        self.rules = []

    def add(self, specs, path="faults"):
        """Validate every rule first: a bad one adds none."""
        specs = checks.sequence(specs, path)
        rules = [FaultRule.from_json(spec, checks.join(path, i)) for i, spec in enumerate(specs)]
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


async def apply(rule, exchange):
    """Answer the exchange's request as ``rule`` says."""
    opts = rule.options
    kind = rule.kind
    request = exchange.request
    if kind in BEHAVIOURS:
        return await BEHAVIOURS[kind](opts, exchange)
    if kind == "status":
        return _status_response(request, exchange.service, opts)
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
    response = await exchange.genuine()
    if kind == "mutate_list":
        exchange.mutate(int(opts["n"]))
    elif kind == "content_type":
        response = web.Response(body=response.body, status=response.status,
                                headers={"Content-Type": "text/plain"})
    elif kind == "truncated":
        response = await _truncated(request, response, opts["abort"])
    elif kind == "wrong_shape":
        response = _reshaped(response, opts["shape"])
    return response


BEHAVIOURS = {
    "redirect": hostile.redirect, "drip": hostile.drip, "gzip_bomb": hostile.gzip_bomb,
    "oversize": hostile.oversize, "short_page": lies.short_page, "lying_total": lies.lying_total,
    "foreign_page": lies.foreign_page, "foreign_id": lies.foreign_id, "not_objects": lies.not_objects,
}


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
