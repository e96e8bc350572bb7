"""The aiohttp application: the gateway middleware and routing.

The gateway middleware plays the part of Huawei's API gateway in front of
the five services: fixed latency, fault rules (then chaos), the account
quota, project checks and authentication, in that order, before a route
handler runs.
"""

import asyncio
import functools
import uuid

from aiohttp import web

from . import admin, faults
from .auth import PROJECT_ID_FORMAT, authenticate, issue_token
from .errors import gateway_error, json_response, service_error
from .routes import API_ROUTES
from .state import STATE, EmulatorState
from .tokens import AuthError
from .validation import ParamError
from .wire import SENT_STATUS, client_gone

ROUTE_SERVICES = {name: service for name, service, _path, _handler in API_ROUTES}
ROUTE_SERVICES["iam_tokens"] = "iam"
NOT_FOUND = {"error_code": "APIG.0101",
             "error_msg": "The API does not exist or has not been published in the environment."}


@web.middleware
async def unknown_routes_as_json(request, handler):
    """Unrouted paths answer like the gateway does, not with aiohttp's text page."""
    try:
        return await handler(request)
    except (web.HTTPNotFound, web.HTTPMethodNotAllowed):
        return json_response(NOT_FOUND, 404)


@web.middleware
async def gateway(request, handler):
    """Count, delay, fault, throttle and authenticate API/IAM requests; pass admin ones through."""
    route = request.match_info.route.name
    service = ROUTE_SERVICES.get(route)
    if service is None:
        return await handler(request)
    state = request.app[STATE]
    response = await _through_gateway(request, handler, state, route, service)
    status = request.get(SENT_STATUS) or ("reset" if client_gone(request) else response.status)
    state.stats.record(route, status, request.host)
    return response


async def _through_gateway(request, handler, state, route, service):
    if service != "iam" and state.config.latency_ms:
        await asyncio.sleep(state.config.latency_ms / 1000)
    delay, rule = state.faults.plan(request)
    if delay:
        await asyncio.sleep(delay)
    if rule is None and service != "iam":
        rule = state.chaos.pick(route)
    genuine = functools.partial(_genuine, request, handler, state, service)
    if rule is None:
        return await genuine()
    exchange = faults.Exchange(
        request=request, route=route, service=service, store=state.store, genuine=genuine,
        fetch=functools.partial(_fetch, request, handler),
        mutate=functools.partial(_insert_at_head, state.store, route, request.match_info))
    return await faults.apply(rule, exchange)


async def _genuine(request, handler, state, service):
    """What the real platform would answer, faults aside."""
    if service == "iam":
        return await handler(request)
    if not state.quota.allow():
        return gateway_error(429, headers=state.quota.headers())
    project_id = request.match_info["project_id"]
    if not PROJECT_ID_FORMAT.fullmatch(project_id):
        return json_response(NOT_FOUND, 404)
    try:
        await authenticate(request, state, project_id)
    except AuthError as exc:
        return gateway_error(exc.status, str(exc))
    # A rollout in progress (churn): a page may be held back, and the list may move once it is produced.
    await state.churn.before(request)
    try:
        response = await handler(request)
    except ParamError as exc:
        return service_error(service, 400, str(exc), exc.name)
    state.churn.after(request, response)
    return response


async def _fetch(request, handler, query):
    """The handler's answer to the same route with ``query`` updated (no gateway: the
    request already passed it), or None if those parameters are invalid."""
    other = request.clone(rel_url=request.rel_url.update_query(query))
    try:
        return await handler(other)
    except ParamError:
        return None


def _insert_at_head(store, route, match_info, count):
    """The ``mutate_list`` fault: the list grows at its head between two pages."""
    if route == "hilens_tasks" and match_info.get("deployment_id") in store.hilens.deployments:
        store.hilens.insert_head(match_info["deployment_id"], count)
    elif route == "octopus_jobs":
        store.octopus.insert_head(count)
    elif route == "vias_batch_tasks":
        store.batch.insert_head(count)
    elif route == "vas_tasks" and match_info.get("service_name") in store.vas.services:
        store.vas.insert_head(match_info["service_name"], count)


async def _add_request_id(request, response):
    response.headers.setdefault("X-Request-Id", uuid.uuid4().hex)


def build_app(config):
    app = web.Application(middlewares=[unknown_routes_as_json, gateway])
    app[STATE] = EmulatorState(config)
    app.router.add_post("/v3/auth/tokens", issue_token, name="iam_tokens")
    for name, _service, path, handler in API_ROUTES:
        app.router.add_get(path, handler, name=name)
    admin.add_routes(app)
    app.on_response_prepare.append(_add_request_id)
    return app
