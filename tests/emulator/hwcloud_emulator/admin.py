"""The test-control API under ``/_emulator/`` (no authentication, never faulted)."""

import json
import time

from aiohttp import web

from . import chaos as chaos_mode
from . import churn as churn_mode
from . import checks
from . import quota as account_quota
from .data import SIZE_KEYS
from .errors import json_response
from .faults import FaultError
from .scenario import Scenario
from .state import STATE

PREFIX = "/_emulator"
#: What to send, quoted in every refusal of an unreadable body.
FAULTS_USAGE = 'send {"faults": [{"kind": "status", "status": 503, "match": "/batch-tasks", "times": 2}, ...]}'
CHAOS_USAGE = 'send {"seed": 7, "share": 0.3, "kinds": ["status_503", "short_page"], "drip_ms": 200}'
QUOTA_USAGE = 'send {"rate": 25, "burst": 25, "retry_after": 1} (rate 0 or null: no quota)'
CHURN_USAGE = ('send {"churn": [{"route": "hilens_tasks", "deployment_id": "dep-large", "trigger": "first_page", '
               '"delete": 1, "insert": 1, "where": "end"}, ...]}')
SCENARIO_USAGE = "send a scenario document as JSON (the format is in the emulator's README)"


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


async def _document(request):
    """The posted JSON document; SpecError saying why it cannot be read."""
    raw = await request.read()
    if not raw.strip():
        raise checks.SpecError("", "the body is empty")
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise checks.SpecError("", f"the body is not JSON ({exc})") from None


def _refused(exc, usage):
    """400: why, and what to send instead."""
    return _bad(f"{exc}; {usage}")


async def add_faults(request):
    try:
        body = await _document(request)
        if not isinstance(body, dict):
            raise FaultError("", f"the body must be an object, not {checks.kind_of(body)}")
        if set(body) != {"faults"}:
            unknown = sorted(set(body) - {"faults"})
            problem = f"unknown key(s) {', '.join(unknown)}" if unknown else "the faults key is missing"
            raise FaultError("", problem + (" (a bare rule must be wrapped)" if "kind" in body else ""))
        if not isinstance(body["faults"], list):
            raise FaultError("faults", f"must be a list of rules, not {checks.kind_of(body['faults'])}")
        rules = _state(request).faults.add(body["faults"])
    except checks.SpecError as exc:
        return _refused(exc, FAULTS_USAGE)
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


async def get_chaos(request):
    return json_response(_state(request).chaos.as_dict())


async def start_chaos(request):
    try:
        settings = chaos_mode.parse(await _document(request), "")
    except checks.SpecError as exc:
        return _refused(exc, CHAOS_USAGE)
    chaos = _state(request).chaos
    chaos.start(**settings)
    return json_response(chaos.as_dict())


async def stop_chaos(request):
    chaos = _state(request).chaos
    report = chaos.as_dict()
    chaos.stop()
    return json_response({**report, "enabled": False})


async def get_churn(request):
    return json_response(_state(request).churn.as_dict())


async def start_churn(request):
    """Replace the churn rules: each list named starts moving from now (what may never be deleted is noted now)."""
    state = _state(request)
    try:
        body = await _document(request)
        checks.mapping(body, "", ("churn",), required=("churn",))
        rules = churn_mode.parse(body["churn"], "churn")
    except checks.SpecError as exc:
        return _refused(exc, CHURN_USAGE)
    state.churn.start(rules, state.store)
    return json_response(state.churn.as_dict())


async def stop_churn(request):
    churn = _state(request).churn
    report = churn.as_dict()
    churn.stop()
    return json_response({**report, "enabled": False})


async def get_quota(request):
    return json_response(_state(request).quota.as_dict())


async def set_quota(request):
    try:
        settings = account_quota.parse(await _document(request), "")
    except checks.SpecError as exc:
        return _refused(exc, QUOTA_USAGE)
    quota = _state(request).quota
    quota.configure(**settings)
    return json_response(quota.as_dict())


async def get_scenario(request):
    scenario = _state(request).scenario
    return json_response({"loaded": scenario is not None, **(scenario.as_dict() if scenario else {}),
                          "ids": _state(request).store.scenario_ids})


async def load_scenario(request):
    """Validate the document, then reset to it (records, transitions from now, faults, quota, chaos)."""
    state = _state(request)
    try:
        document = await _document(request)
        state.reset(scenario=Scenario(document))
    except checks.SpecError as exc:
        return _refused(exc, SCENARIO_USAGE)
    return await get_scenario(request)


async def unload_scenario(request):
    _state(request).reset(scenario=None)
    return json_response({"loaded": False})


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
        web.get(f"{PREFIX}/chaos", get_chaos),
        web.post(f"{PREFIX}/chaos", start_chaos),
        web.delete(f"{PREFIX}/chaos", stop_chaos),
        web.get(f"{PREFIX}/churn", get_churn),
        web.post(f"{PREFIX}/churn", start_churn),
        web.delete(f"{PREFIX}/churn", stop_churn),
        web.get(f"{PREFIX}/quota", get_quota),
        web.post(f"{PREFIX}/quota", set_quota),
        web.get(f"{PREFIX}/scenario", get_scenario),
        web.post(f"{PREFIX}/scenario", load_scenario),
        web.delete(f"{PREFIX}/scenario", unload_scenario),
    ])
