"""The test-control API under ``/_emulator/`` (no authentication, never faulted)."""

import json
import time

from aiohttp import web

from .data import SIZE_KEYS
from .errors import json_response
from .faults import FaultError
from .state import STATE

PREFIX = "/_emulator"


def _bad(message):
    return json_response({"error": message}, 400)


async def _body(request):
    """The JSON object posted, or {} when there is none."""
    raw = await request.read()
    if not raw.strip():
        return {}
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise TypeError("the body must be a JSON object")
    return data


def _state(request):
    return request.app[STATE]


async def health(request):
    return json_response({"ok": True})


async def data(request):
    state = _state(request)
    creds = state.credentials
    return json_response({"project_id": creds.project_id, "foreign_project_id": creds.foreign_project_id,
                          "credentials": creds.as_dict(), **state.store.summary()})


async def reset(request):
    state = _state(request)
    try:
        body = await _body(request)
        sizes = body.get("sizes") or {}
        if set(sizes) - set(SIZE_KEYS) or not all(isinstance(n, int) and n >= 0 for n in sizes.values()):
            raise ValueError(f"sizes takes non-negative integers for {', '.join(SIZE_KEYS)}")
    except (ValueError, TypeError) as exc:
        return _bad(str(exc))
    state.reset(body.get("seed"), sizes)
    return json_response({"ok": True, "seed": state.store.seed, "sizes": state.store.sizes})


async def list_faults(request):
    return json_response({"faults": [rule.describe() for rule in _state(request).faults.rules]})


async def add_faults(request):
    try:
        body = await _body(request)
        rules = _state(request).faults.add(body.get("faults") or [])
    except (ValueError, FaultError, TypeError) as exc:
        return _bad(str(exc))
    return json_response({"added": [rule.describe() for rule in rules]})


async def clear_faults(request):
    _state(request).faults.clear()
    return json_response({"ok": True})


def _schedule_targets(store, service, body):
    """Resolve ``ids`` / ``count`` (/ ``deployment_id`` for HiLens) to record ids."""
    dataset = store.services[service]
    if "ids" in body:
        ids = [int(i) for i in body["ids"]] if service == "octopus" else list(body["ids"])
        unknown = [i for i in ids if i not in dataset.by_id]
        if unknown:
            raise ValueError(f"unknown {service} id(s): {unknown[:5]}")
        return ids
    if service == "hilens":
        deployment = body.get("deployment_id", "dep-large")
        if deployment not in store.hilens.deployments:
            raise ValueError(f"unknown deployment {deployment}")
        ids = [r["id"] for r in store.hilens.deployments[deployment]]
        return ids[: int(body["count"])] if "count" in body else ids
    if "count" in body:
        return [r["id"] for r in dataset.records[: int(body["count"])]]
    raise ValueError("give ids or count (or deployment_id for hilens)")


async def schedule(request):
    state = _state(request)
    try:
        body = await _body(request)
        service = body.get("service")
        if service not in state.store.services:
            raise ValueError(f"service must be one of {', '.join(state.store.services)}")
        dataset = state.store.services[service]
        steps = [(float(step["after"]), dataset.normalize_state(str(step["state"])))
                 for step in body.get("steps") or []]
        if not steps:
            raise ValueError("steps must list {after, state} objects")
        ids = _schedule_targets(state.store, service, body)
        stagger = float(body.get("stagger") or 0)
    except (ValueError, KeyError, TypeError) as exc:
        return _bad(str(exc))
    spread = stagger / (len(ids) - 1) if len(ids) > 1 else 0.0
    scheduled = []
    for position, record_id in enumerate(ids):
        flips = state.store.schedules.set(service, record_id, steps, offset=position * spread)
        scheduled.append({"id": record_id, "flips": [{"at": at, "state": s} for at, s in flips]})
    return json_response({"service": service, "ids": ids, "scheduled": scheduled, "now": time.time()})


async def expire_tokens(request):
    try:
        body = await _body(request)
    except (ValueError, TypeError) as exc:
        return _bad(str(exc))
    return json_response({"expired": _state(request).tokens.expire_all(bool(body.get("static")))})


async def stats(request):
    return json_response(_state(request).stats.as_dict())


async def reset_stats(request):
    _state(request).stats.reset()
    return json_response({"ok": True})


async def clock(request):
    state = _state(request)
    try:
        state.clock_skew = float((await _body(request)).get("skew_seconds", 0))
    except (ValueError, TypeError) as exc:
        return _bad(str(exc))
    return json_response({"skew_seconds": state.clock_skew, "server_time": time.time() + state.clock_skew})


def add_routes(app):
    app.router.add_routes([
        web.get(f"{PREFIX}/health", health),
        web.get(f"{PREFIX}/data", data),
        web.post(f"{PREFIX}/reset", reset),
        web.get(f"{PREFIX}/faults", list_faults),
        web.post(f"{PREFIX}/faults", add_faults),
        web.delete(f"{PREFIX}/faults", clear_faults),
        web.post(f"{PREFIX}/schedule", schedule),
        web.post(f"{PREFIX}/tokens/expire", expire_tokens),
        web.get(f"{PREFIX}/stats", stats),
        web.post(f"{PREFIX}/stats/reset", reset_stats),
        web.post(f"{PREFIX}/clock", clock),
    ])
