"""The five vendor query APIs (six routes: VAS has a single-task and a list route).

Handlers only parse and validate parameters (raising ``ParamError``) and
shape the body; authentication, project checks, throttling and faults happen
in the gateway middleware before they run.
"""

import datetime
import re

from . import validation as v
from .data.batch import TASK_STATES
from .compat import UTC
from .data.octopus import JOB_TYPES, SORT_FIELDS, STATUSES
from .data.tasks import VAS_LIST_STATES, VAS_ORDERS
from .errors import json_response, service_error
from .state import STATE

#: The vendor's pattern, kept verbatim: ``,-_`` inside the class is a *range*
#: (0x2C-0x5F), so it also admits digits, upper case and ``-./:;<=>?@[\\]^``.
GROUP_PATTERN = re.compile("[a-zA-Z0-9\u4e00-\u9fa5,-_]{1,1000}")
NAME_PATTERN = re.compile("[a-zA-Z0-9\u4e00-\u9fa5,-_]{2,64}")
MAX_ARRAY_ENTRIES = 20


def _store(request):
    return request.app[STATE].store


async def hilens_tasks(request):
    hilens = _store(request).hilens
    deployment_id = request.match_info["deployment_id"]
    offset = v.integer(request.query, "offset", 0, minimum=0)
    limit = v.integer(request.query, "limit", 100, minimum=1, maximum=100)
    if deployment_id not in hilens.deployments:
        return service_error("hilens", 404, f"Deployment {deployment_id} does not exist.")
    count, tasks = hilens.page(deployment_id, offset, limit)
    return json_response({"count": count, "tasks": tasks})


async def vias_task(request):
    vias = _store(request).vias
    record = vias.by_id.get(request.match_info["task_id"])
    if record is None:
        return service_error("vias", 404, "The task does not exist.", request.match_info["task_id"])
    return json_response(vias.render(record))


async def vas_task(request):
    vas = _store(request).vas
    service = request.match_info["service_name"]
    if service not in vas.services:
        return service_error("vas", 404, f"Service {service} does not exist.")
    record = vas.by_id.get(request.match_info["task_id"])
    if record is None or record.get("service") != service:
        return service_error("vas", 404, "The task does not exist.")
    task = vas.render(record)
    return json_response({"task": task} if vas.is_wrapped(record) else task)


def _vas_order(query):
    raw = query.get("order", "created_at:DESC")
    field, _sep, direction = raw.partition(":")
    if field not in VAS_ORDERS or direction not in ("ASC", "DESC"):
        raise v.ParamError("order", "must be one of " + ", ".join(
            f"{name}:{way}" for name in VAS_ORDERS for way in ("ASC", "DESC")))
    return VAS_ORDERS[field], direction == "DESC"


async def vas_tasks(request):
    """ListTasksDetails: the tasks of one service, filtered, sorted and paged by offset/limit."""
    q = request.query
    filters = {
        "version": v.pattern(q, "service_version", None, 1, 64),
        "state": v.choice(q, "state", set(VAS_LIST_STATES)),
        "name_like": v.pattern(q, "name_like", None, 0, 255),
        "id_like": v.pattern(q, "id_like", None, 0, 64),
        "since": v.integer(q, "created_since", minimum=0),
        "until": v.integer(q, "created_until", minimum=0),
        "order": _vas_order(q),
        "offset": v.integer(q, "offset", 0, minimum=0),
        "limit": v.integer(q, "limit", 10, minimum=1, maximum=100),
    }
    vas = _store(request).vas
    service = request.match_info["service_name"]
    if service not in vas.services:
        return service_error("vas", 404, f"Service {service} does not exist.")
    count, tasks = vas.query(service, **filters)
    return json_response({"count": count, "tasks": tasks})


def _octopus_sort(query):
    raw = query.get("sort")
    if raw is None:
        return "create_at", True
    field, _sep, direction = raw.partition(",")
    if field.strip() not in SORT_FIELDS or direction.strip().lower() not in ("", "asc", "desc"):
        raise v.ParamError("sort", "use field[,asc|desc] with field one of " + ", ".join(SORT_FIELDS))
    return SORT_FIELDS[field.strip()], direction.strip().lower() != "asc"


async def octopus_jobs(request):
    q = request.query
    offset = v.integer(q, "offset", 0, minimum=0)
    limit = v.integer(q, "limit", 10, minimum=1, maximum=100)
    total, jobs = _store(request).octopus.query(
        workspace_id=q.get("workspace_id"), data_id=q.get("data_id"),
        job_id=v.integer(q, "id"),
        job_types=v.string_list(q, "job_types", JOB_TYPES, MAX_ARRAY_ENTRIES),
        statuses=v.string_list(q, "statuses", STATUSES, MAX_ARRAY_ENTRIES),
        start_time=v.integer(q, "start_time", minimum=0), end_time=v.integer(q, "end_time", minimum=0),
        sort=_octopus_sort(q), offset=offset, limit=limit)
    now = datetime.datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return json_response({"meta_info": {"current_time": now},
                          "payload": {"list": jobs, "page_info": {"offset": offset, "limit": limit,
                                                                  "total": total}}})


async def vias_batch_tasks(request):
    q = request.query
    is_paged = v.boolean(q, "is_paged", True)
    page_size = v.integer(q, "page_size", 10, minimum=5, maximum=200)
    page_num = v.integer(q, "page_num", 1, minimum=1, maximum=10000)
    order_by = v.choice(q, "order_by", {"asc", "desc"}, "desc")
    sort_name = v.choice(q, "sort_name", {"task_count", "created_at"}, "created_at")
    group = v.pattern(q, "video_group", GROUP_PATTERN, 1, 1000)
    type_like = v.choice(q, "type_like", {"batch_task_name", "publish_service_name"})
    name_like = v.pattern(q, "name_like", None, 0, 100)
    if name_like and not type_like:
        raise v.ParamError("name_like", "requires type_like")
    batch = _store(request).batch
    rows = batch.query(
        groups=[g for g in (group or "").split(",") if g],
        task_state=v.choice(q, "task_state", set(TASK_STATES)),
        type_like=type_like, name_like=name_like,
        manufacturer=v.pattern(q, "manufacturer", NAME_PATTERN, 2, 64),
        title=v.pattern(q, "title", NAME_PATTERN, 2, 64),
        sort_name=sort_name, descending=order_by == "desc")
    page = rows[(page_num - 1) * page_size: page_num * page_size] if is_paged else rows
    return json_response({"count": len(rows), "batch_task_list": [batch.render(*row) for row in page]})


#: (route name, service, path, handler); paths exactly as the vendor pages.
API_ROUTES = [
    ("hilens_tasks", "hilens", "/v3/{project_id}/ai-mgr/deployments/{deployment_id}/tasks", hilens_tasks),
    ("vias_task", "vias", "/v2/{project_id}/tasks/{task_id}", vias_task),
    ("vas_task", "vas", "/v2/{project_id}/services/{service_name}/tasks/{task_id}", vas_task),
    ("vas_tasks", "vas", "/v2/{project_id}/services/{service_name}/tasks", vas_tasks),
    ("octopus_jobs", "octopus", "/v1.0/{project_id}/data/system-jobs", octopus_jobs),
    ("vias_batch_tasks", "vias_batch", "/v2/{project_id}/batch-tasks", vias_batch_tasks),
]
