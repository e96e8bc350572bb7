# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One declarative description per query API: the single place for each fact about it.

The modules, the emulator's tests and the docs read these; nothing else spells
out a path, a paging style, an item key or a total key; an API's response schema is the one of its
name in schemas.py.
"""

from __future__ import annotations

from collections import namedtuple
from urllib.parse import quote
import re

from ansible_collections.hwcloud.tasks.plugins.module_utils.errors import HwcloudTasksError

OFFSET = "offset"  # offset/limit
PAGE_NUMBER = "page_number"  # page_num/page_size

# min_size: the smallest page the API serves (the reader picks page sizes of its own to make pages overlap).
Paging = namedtuple("Paging", "style start_param size_param first default_size max_size min_size", defaults=(1,))
ApiSpec = namedtuple(
    "ApiSpec",
    "name host path items_path total_path id_field paging object_key",
    defaults=(None,),
)

HILENS_PAGING = Paging(OFFSET, "offset", "limit", 0, 100, 100)
# The Octopus page documents no limit range; 100 is what the service accepts.
OCTOPUS_PAGING = Paging(OFFSET, "offset", "limit", 0, 10, 100)

HILENS_TASKS = ApiSpec(
    name="hilens_task_list",
    host="hilens",
    path="/v3/{project_id}/ai-mgr/deployments/{deployment_id}/tasks",
    items_path=("tasks",),
    total_path=("count",),
    id_field="task_id",
    paging=HILENS_PAGING,
)

VIAS_TASK = ApiSpec(
    name="vias_task",
    host="vias",
    path="/v2/{project_id}/tasks/{task_id}",
    items_path=None,
    total_path=None,
    id_field="id",
    paging=None,
)

VAS_TASK = ApiSpec(
    name="vas_task",
    host="iva",  # VAS answers on iva.<region>, not vas.<region>
    path="/v2/{project_id}/services/{service_name}/tasks/{task_id}",
    items_path=None,
    total_path=None,
    id_field="id",
    paging=None,
    object_key="task",  # the vendor's table wraps the task in "task"; its example does not
)

VAS_TASKS = ApiSpec(
    name="vas_task_list",
    host="iva",  # VAS answers on iva.<region>, not vas.<region>
    path="/v2/{project_id}/services/{service_name}/tasks",
    items_path=("tasks",),
    total_path=("count",),
    id_field="id",
    # The SDK states no range for limit; 100 is the largest page the sibling list APIs serve.
    paging=Paging(OFFSET, "offset", "limit", 0, 10, 100),
)

OCTOPUS_SYSTEM_JOBS = ApiSpec(
    name="octopus_system_job_list",
    host="octopus",
    path="/v1.0/{project_id}/data/system-jobs",
    items_path=("payload", "list"),
    total_path=("payload", "page_info", "total"),
    id_field="id",
    paging=OCTOPUS_PAGING,
)

VIAS_BATCH_TASKS = ApiSpec(
    name="vias_batch_task_list",
    host="vias",  # the VIAS host; the items are batch tasks (kinds.py)
    path="/v2/{project_id}/batch-tasks",
    items_path=("batch_task_list",),
    total_path=("count",),
    id_field="id",
    paging=Paging(PAGE_NUMBER, "page_num", "page_size", 1, 10, 200, 5),
)

# Ids, project ids and service names are path segments: letters, digits and a
# few separators only, so that no value can reach another route.
PATH_PARAM_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}\Z")


class PathParameterError(HwcloudTasksError, ValueError):
    """A value that cannot be a path segment of these APIs."""


def check_path_param(name, value):
    """Return ``value`` if it is a safe path segment, else raise with what is allowed."""
    if not isinstance(value, str) or not PATH_PARAM_PATTERN.match(value) or ".." in value:
        raise PathParameterError(
            "%s must be 1-128 letters, digits, '-', '_', '.' or ':' starting with a letter or digit, "
            "and without '..' (got %r)" % (name, value if not isinstance(value, str) or len(value) < 80 else value[:80] + "...")
        )
    return value


def build_path(spec, **params):
    """The request path of ``spec`` with each parameter validated and percent-encoded."""
    return spec.path.format(**dict((name, quote(check_path_param(name, value), safe="")) for name, value in params.items()))


class ResponseShapeError(HwcloudTasksError, ValueError):
    """A response that is JSON but not of the shape the API documents (reachable with schema_validation warn or off)."""


def unwrap_object(spec, document):
    """The object of a single-object response, whether or not the API wrapped it in ``spec.object_key``.

    ResponseShapeError when there is no object to return.
    """
    if spec.object_key and isinstance(document, dict) and isinstance(document.get(spec.object_key), dict):
        return document[spec.object_key]
    if not isinstance(document, dict):
        raise ResponseShapeError(
            "The %s response is not an object (got %s); the endpoint may not be the service's"
            % (spec.name, type(document).__name__)
        )
    return document


def dig(document, path):
    """``document[path[0]][path[1]]...``, or None where a step is missing or not an object."""
    for key in path:
        if not isinstance(document, dict):
            return None
        document = document.get(key)
    return document
