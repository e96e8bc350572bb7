"""The aiohttp application: the gateway middleware and routing.

The gateway middleware plays the part of Huawei's API gateway in front of
the five services: fixed latency, fault rules, throttling, project checks and
authentication, in that order, before a route handler runs.
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
    response = await _through_gateway(request, handler, state, service)
    transport = request.transport
    state.stats.record(route, "reset" if transport is None or transport.is_closing() else response.status)
    return response


async def _through_gateway(request, handler, state, service):
    if service != "iam" and state.config.latency_ms:
        await asyncio.sleep(state.config.latency_ms / 1000)
    delay, rule = state.faults.plan(request)
    if delay:
        await asyncio.sleep(delay)
    genuine = functools.partial(_genuine, request, handler, state, service)
    if rule is None:
        return await genuine()
    mutate = functools.partial(_insert_at_head, state.store, service, request.match_info)
    return await faults.apply(rule, request, service, genuine, mutate)


async def _genuine(request, handler, state, service):
    """What the real platform would answer, faults aside."""
    if service == "iam":
        return await handler(request)
    if not state.limiter.allow():
        return gateway_error(429)
    project_id = request.match_info["project_id"]
    if not PROJECT_ID_FORMAT.fullmatch(project_id):
        return json_response(NOT_FOUND, 404)
    try:
        await authenticate(request, state, project_id)
    except AuthError as exc:
        return gateway_error(exc.status, str(exc))
    try:
        return await handler(request)
    except ParamError as exc:
        return service_error(service, 400, str(exc), exc.name)


def _insert_at_head(store, service, match_info, count):
    """The ``mutate_list`` fault: the list grows at its head between two pages."""
    if service == "hilens" and match_info.get("deployment_id") in store.hilens.deployments:
        store.hilens.insert_head(match_info["deployment_id"], count)
    elif service == "octopus":
        store.octopus.insert_head(count)
    elif service == "vias_batch":
        store.batch.insert_head(count)


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
