"""Faults that answer 200 with a well-formed body that lies about the list or the object.

A client that pages through a list must cope with pages shorter than the
limit, totals that change or are absurd, pages that repeat the next one
and items that are not objects; a client that reads one task must notice
when the body is about another task.  Each fault starts from the genuine
answer (authentication, quota and parameter checks included) and passes
any non-200 answer through untouched.  Every item a lie serves is a real
record with its real current state: only the framing lies.
"""

import copy
import json

from .errors import json_response
from .shapes import LIST_ROUTES

UNSET = object()  # an option that was not given (``value`` may legitimately be null)


async def _genuine_json(exchange):
    response = await exchange.genuine()
    if response.status != 200 or not getattr(response, "body", None):
        return response, None
    return response, json.loads(response.body)


def _like(response, body):
    """``body`` with the genuine response's status and extra headers."""
    headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-type", "content-length")}
    return json_response(body, response.status, headers)


async def short_page(opts, exchange):
    response, body = await _genuine_json(exchange)
    if body is None:
        return response
    shape = LIST_ROUTES[exchange.route]
    items = shape.get(body, shape.items)
    keep = len(items) // 2 if opts["keep"] is None else opts["keep"]
    shape.put(body, shape.items, items[:keep])
    return _like(response, body)


async def lying_total(opts, exchange):
    response, body = await _genuine_json(exchange)
    if body is None:
        return response
    shape = LIST_ROUTES[exchange.route]
    value = opts["value"]
    shape.put(body, shape.total, shape.get(body, shape.total) + opts["delta"] if value is UNSET else value)
    return _like(response, body)


async def foreign_page(opts, exchange):
    """The next page's items under this page's genuine total."""
    response, body = await _genuine_json(exchange)
    if body is None:
        return response
    shape = LIST_ROUTES[exchange.route]
    items = []
    if exchange.request.query.get("is_paged", "true").lower() != "false":
        other = await exchange.fetch(shape.next_page_query(exchange.request.query))
        if other is not None and other.status == 200:
            items = shape.get(json.loads(other.body), shape.items)
    shape.put(body, shape.items, items)
    return _like(response, body)


async def not_objects(opts, exchange):
    response, body = await _genuine_json(exchange)
    if body is None:
        return response
    shape = LIST_ROUTES[exchange.route]
    value = opts["value"]
    items = [str(item.get("id", item.get("task_id", index))) if value is UNSET else copy.deepcopy(value)
             for index, item in enumerate(shape.get(body, shape.items))]
    shape.put(body, shape.items, items)
    return _like(response, body)


async def foreign_id(opts, exchange):
    """Another real task (its own id and current state) in the requested task's wrapping."""
    response, body = await _genuine_json(exchange)
    if body is None:
        return response
    store = exchange.store
    dataset = store.vias if exchange.route == "vias_task" else store.vas
    other = dataset.neighbour(exchange.request.match_info["task_id"])
    if other is None:
        return response
    task = dataset.render(other)
    if exchange.route == "vas_task" and isinstance(body, dict) and "task" in body:
        task = {"task": task}
    return _like(response, task)
