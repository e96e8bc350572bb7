"""Where each API route keeps its items and its total, and its emptiest valid body.

Faults that lie about a list (short pages, wrong totals, foreign pages) or
pad a body (bombs, oversize answers) need to know the route's JSON shape;
this is the one place that knows it.
"""

import datetime
import json
from dataclasses import dataclass

from .compat import UTC


@dataclass(frozen=True)
class ListShape:
    items: tuple  # JSON path of the item list
    total: tuple  # JSON path of the total over all pages
    paging: str  # "offset" (offset/limit) or "page" (page_num/page_size)
    default_limit: int

    def get(self, body, path):
        for key in path[:-1]:
            body = body[key]
        return body[path[-1]]

    def put(self, body, path, value):
        for key in path[:-1]:
            body = body[key]
        body[path[-1]] = value

    def next_page_query(self, query):
        """Query values asking for the page after this one."""
        if self.paging == "page":
            return {"page_num": str(int(query.get("page_num", 1)) + 1)}
        offset = int(query.get("offset", 0))
        limit = int(query.get("limit", self.default_limit))
        return {"offset": str(offset + limit)}


LIST_ROUTES = {
    "hilens_tasks": ListShape(("tasks",), ("count",), "offset", 100),
    "vas_tasks": ListShape(("tasks",), ("count",), "offset", 10),
    "octopus_jobs": ListShape(("payload", "list"), ("payload", "page_info", "total"), "offset", 10),
    "vias_batch_tasks": ListShape(("batch_task_list",), ("count",), "page", 10),
}
OBJECT_ROUTES = frozenset({"vias_task", "vas_task"})
API_ROUTE_NAMES = frozenset(LIST_ROUTES) | OBJECT_ROUTES


def empty_document(route, request):
    """(prefix, suffix) of the smallest valid body of ``route``; padding goes between them.

    Lists are empty pages with a total of 0; single objects carry only the
    requested id.
    """
    if route == "octopus_jobs":
        now = datetime.datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        head = {"meta_info": {"current_time": now},
                "payload": {"list": [], "page_info": {"offset": 0, "limit": 10, "total": 0}}}
    elif route == "vias_batch_tasks":
        head = {"count": 0, "batch_task_list": []}
    elif route in LIST_ROUTES:
        head = {"count": 0, "tasks": []}
    else:
        head = {"id": request.match_info.get("task_id", "")}
    text = json.dumps(head, ensure_ascii=False)
    return text[:-1].encode("utf-8"), b"}"
