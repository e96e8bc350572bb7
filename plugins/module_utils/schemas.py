# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""JSON Schemas (draft 2020-12) of the query responses the collection reads.

Written from the vendor's API reference tables and cross-checked against the
response models of Huawei's Python SDK (``huaweicloudsdkhilens`` v3 and
``huaweicloudsdkvas`` v2), which list a few fields the pages omit. The VAS
task list has no vendor page: its schema is written from the SDK models
alone (``ListTasksDetailsResponse``, ``TaskDetails``, huaweicloudsdkvas 3.1.219).

Rules applied to every schema:

* Types are enforced (integer vs string vs object vs array), because a type
  change is what breaks the summaries and the phase model downstream.
* ``required`` lists only what a response cannot be meaningful without: the
  list and total of list responses, and the id and state/status of an item.
* Undocumented fields are accepted everywhere: ``additionalProperties`` is
  left open (not even spelled out, since evaluating ``true`` still costs a
  pass over every key of every object).
* Every optional field also accepts ``null``: the real API returns ``null``
  for documented strings (HiLens ``description``, VAS ``description``).
* Length and range limits of the pages (``description`` <= 500 chars, weekday
  1-7, ...) are not enforced: they are rules for requests, and a reader of old
  tasks must not fail on data written before a limit existed.

The fragments below are shared Python objects, so the schemas stay free of
``$ref`` (resolving references costs time on every item of a long list).
"""

from __future__ import annotations

DIALECT = "https://json-schema.org/draft/2020-12/schema"

_STRING = {"type": ["string", "null"]}
_INTEGER = {"type": ["integer", "null"]}
_NUMBER = {"type": ["number", "null"]}
_BOOLEAN = {"type": ["boolean", "null"]}
# Free-form objects whose content the service publisher defines.
_OBJECT = {"type": ["object", "null"]}
_STRINGS = {"type": ["array", "null"], "items": {"type": "string"}}
_INTEGERS = {"type": ["array", "null"], "items": {"type": "integer"}}

# ---------------------------------------------------------------- HiLens ---

_HILENS_TIME_FRAME = {
    "type": "object",
    "properties": {"start": _STRING, "stop": _STRING},
}

_HILENS_TASK = {
    "type": "object",
    "required": ["task_id"],
    "properties": {
        "task_id": {"type": "string", "description": "Task ID."},
        "name": _STRING,
        "timestamp": {
            "type": ["string", "null"],
            "description": "Creation time, as a string.",
        },
        "description": _STRING,
        "streams": {
            "type": ["array", "null"],
            "items": {
                "type": "object",
                "properties": {
                    "common": _OBJECT,
                    "input": {
                        "type": ["object", "null"],
                        "properties": {"data": _OBJECT, "type": _STRING},
                    },
                    "outputs": {
                        "type": ["array", "null"],
                        "items": {
                            "type": "object",
                            "properties": {"data": _OBJECT, "type": _STRING},
                        },
                    },
                },
            },
        },
        "ok_pod_number": _INTEGER,
        "cur_pod_number": _INTEGER,
        "sum_pod_number": _INTEGER,
        "fail_pod_number": _INTEGER,
        "pending_pod_number": _INTEGER,
        # Not required: a task not yet placed on any pod has no per-pod
        # status, and the phase then comes from the pod counters.
        "task_status": {
            "type": ["array", "null"],
            "description": "Status of the task on each pod (values undocumented).",
            "items": {
                "type": "object",
                "properties": {
                    "cause": _STRING,
                    "pod_id": _STRING,
                    "pod_name": _STRING,
                    "task_status": _STRING,
                },
            },
        },
        "user_task_id": _STRING,
        "start_time_info": {
            "type": ["object", "null"],
            "properties": {
                "start_time": _STRING,
                "frequency": _STRING,
                "mode": _STRING,
                "day_time_frame": {
                    "type": ["array", "null"],
                    "items": _HILENS_TIME_FRAME,
                },
                "single_time_frame": {
                    "type": ["array", "null"],
                    "items": _HILENS_TIME_FRAME,
                },
            },
        },
        "source_usage_estimate": {
            "type": ["object", "null"],
            "properties": {"cpu": _NUMBER, "memory": _INTEGER},
        },
    },
}

HILENS_TASK_LIST = {
    "$schema": DIALECT,
    "title": "HiLens: list deployment tasks",
    "description": (
        "Response of GET /v3/{project_id}/ai-mgr/deployments/{deployment_id}/tasks."
    ),
    "type": "object",
    "required": ["count", "tasks"],
    "properties": {
        "count": {"type": "integer", "description": "Number of tasks."},
        "tasks": {"type": "array", "items": _HILENS_TASK},
    },
}

# ------------------------------------------------------- VIAS / VAS task ---

# Input and output blocks: VIAS documents them in its tables, VAS only in the
# SDK models (which add node_id, hosting and localpath). One superset serves
# both since every field is optional.
_TASK_INPUT = {
    "type": ["object", "null"],
    "properties": {
        "type": _STRING,
        "data": {
            "type": ["array", "null"],
            "items": {
                "type": "object",
                "properties": {
                    "video_source_id": _STRING,
                    "stream_name": _STRING,
                    "bucket": _STRING,
                    "path": _STRING,
                    "url": _STRING,
                    "headers": _OBJECT,
                    "certificate_check": _BOOLEAN,
                    "rtsp_path_in_response": _STRING,
                    "node_id": _STRING,
                    "device_id": _STRING,
                    "stream_type": _INTEGER,
                    "id": _STRING,
                    # Only named in the prose and examples ("index": 0).
                    "index": _INTEGER,
                },
            },
        },
        "vcn": {
            "type": ["object", "null"],
            "properties": {
                "ip": _STRING,
                "port": _INTEGER,
                "username": _STRING,
                "password": _STRING,
            },
        },
    },
}

_TASK_OUTPUT = {
    "type": ["object", "null"],
    "properties": {
        "obs": {
            "type": ["object", "null"],
            "properties": {
                "bucket": _STRING,
                "path": _STRING,
                "data_category": _STRINGS,
            },
        },
        "dis": {
            "type": ["object", "null"],
            "properties": {"stream_name": _STRING, "data_category": _STRINGS},
        },
        "webhook": {
            "type": ["object", "null"],
            "properties": {
                "url": _STRING,
                "headers": _OBJECT,
                "data_category": _STRINGS,
            },
        },
        "hosting": {
            "type": ["object", "null"],
            "properties": {
                "obs": {
                    "type": ["array", "null"],
                    "items": {
                        "type": "object",
                        "properties": {"bucket": _STRING, "path": _STRING},
                    },
                },
                "result_json_overdue_at": _INTEGER,
                "data_category": _STRINGS,
            },
        },
        "localpath": {
            "type": ["object", "null"],
            "properties": {
                "mount_source_path": _STRING,
                "data_category": _STRINGS,
            },
        },
        "event_center": _BOOLEAN,
    },
}

_TIME_WINDOW = {
    "type": "object",
    "properties": {"begin_at": _STRING, "end_at": _STRING},
}

_TASK_ERROR = {
    "type": ["object", "null"],
    "properties": {"code": _STRING, "message": _STRING},
}

_TASK_SERVICE_CONFIG = {
    "type": ["object", "null"],
    "properties": {"common": _OBJECT},
}

_TASK_ID = {"type": "string", "description": "Task ID."}
_TASK_STATE = {
    "type": "string",
    "description": "Upper-case task state, e.g. PENDING, RUNNING, FAILED.",
}

VIAS_TASK = {
    "$schema": DIALECT,
    "title": "VIAS: show task",
    "description": "Response of GET /v2/{project_id}/tasks/{task_id}.",
    "type": "object",
    "required": ["id", "state"],
    "properties": {
        "id": _TASK_ID,
        "name": _STRING,
        "creator": _STRING,
        "project_id": _STRING,
        "description": _STRING,
        "release_id": _STRING,
        "service_id": _STRING,
        "created_at": {
            "type": ["string", "null"],
            "description": "Creation time, ISO 8601 string.",
        },
        "updated_at": _STRING,
        "state": _TASK_STATE,
        "status": {
            "type": ["string", "null"],
            "description": "Detail of the state, for some states only.",
        },
        "error": _TASK_ERROR,
        "schedule_status": _STRING,
        "schedule": {
            "type": ["object", "null"],
            "properties": {
                "type": _STRING,
                "timezone": _STRING,
                "days_of_week": _INTEGERS,
                "days_of_month": _INTEGERS,
                "periods": {
                    "type": ["array", "null"],
                    "items": {"type": "array", "items": _TIME_WINDOW},
                },
            },
        },
        "input": _TASK_INPUT,
        "output": _TASK_OUTPUT,
        "config": _TASK_SERVICE_CONFIG,
        "video_source_name": _STRING,
        "title": _STRING,
        "group_name": _STRING,
        "company": _STRING,
        "task_config": _STRING,
        # A string ("0"), although it looks numeric.
        "type": _STRING,
        "resource_order_id": _STRING,
        "package_id": _STRING,
        "device_id": _STRING,
        "access_address": _STRING,
        "algorithm_publish_id": _STRING,
    },
}

# The SDK's TaskDetails: an item of the VAS task list, and (with
# hosting_result) the single task. The nested models (TaskDetailsServiceTitle,
# TaskDetailsError, TaskTiming, TaskInput, TaskOutputForDisplay,
# TaskServiceConfig) are the same in both responses, so are the fragments.
_VAS_TASK_DETAILS = {
    "type": "object",
    "required": ["id", "state"],
    "properties": {
        "id": _TASK_ID,
        "name": _STRING,
        "creator": _STRING,
        "project_id": _STRING,
        "description": _STRING,
        "service_name": _STRING,
        "service_version": _STRING,
        "service_title": {
            "type": ["object", "null"],
            "properties": {"zh": _STRING, "en": _STRING},
        },
        "edge_pool_id": _STRING,
        "resource_order_id": _STRING,
        "created_at": {
            "type": ["string", "null"],
            "description": "Creation time, ISO 8601 string.",
        },
        "updated_at": _STRING,
        "state": _TASK_STATE,
        "status": {
            "type": ["string", "null"],
            "description": "Detail of the state, for some states only.",
        },
        "error": _TASK_ERROR,
        "timing_status": _STRING,
        "timing": {
            "type": ["object", "null"],
            "properties": {
                "type": _STRING,
                "timezone": _STRING,
                "days_of_week": _INTEGERS,
                "days_of_month": _INTEGERS,
                "date": _STRING,
                "periods": {"type": ["array", "null"], "items": _TIME_WINDOW},
                "frequency": {
                    "type": ["object", "null"],
                    "properties": {
                        "interval": _INTEGER,
                        "duration": _INTEGER,
                        "begin_at": _STRING,
                        "end_at": _STRING,
                    },
                },
            },
        },
        "input": _TASK_INPUT,
        "output": _TASK_OUTPUT,
        "service_config": _TASK_SERVICE_CONFIG,
    },
}

# The page only names a `task` object; the fields come from its example and
# the SDK's ShowTaskResponse model: TaskDetails and hosting_result.
_VAS_TASK = {
    "type": "object",
    "required": ["id", "state"],
    "properties": dict(
        _VAS_TASK_DETAILS["properties"],
        hosting_result={
            "type": ["object", "null"],
            "properties": {
                "overdue_date": _STRING,
                "status": _STRING,
                "data": _STRING,
                "file_size": _STRING,
            },
        },
    ),
}

VAS_TASK = {
    "$schema": DIALECT,
    "title": "VAS: show task (c-queue-status-analysis-edge)",
    "description": (
        "Response of GET /v2/{project_id}/services/c-queue-status-analysis-edge"
        "/tasks/{task_id}. The page's table wraps the task in `task`, its "
        "example (and the SDK) return it at the top level: both are accepted."
    ),
    "type": "object",
    # Branching on the wrapper (rather than anyOf) keeps error paths precise:
    # a bad field is reported at $.task.x or $.x, not as "no branch matched".
    "if": {"required": ["task"], "properties": {"task": {"type": "object"}}},
    "then": {"required": ["task"], "properties": {"task": _VAS_TASK}},
    "else": _VAS_TASK,
}

# The SDK's ListTasksDetailsResponse (no vendor page); no field is marked
# required there, count and tasks are required here as in every list.
VAS_TASK_LIST = {
    "$schema": DIALECT,
    "title": "VAS: list the tasks of a service",
    "description": "Response of GET /v2/{project_id}/services/{service_name}/tasks.",
    "type": "object",
    "required": ["count", "tasks"],
    "properties": {
        "count": {"type": "integer", "description": "Number of tasks that match, over all pages."},
        "tasks": {"type": "array", "items": _VAS_TASK_DETAILS},
    },
}

# --------------------------------------------------------------- Octopus ---

_OCTOPUS_SYSTEM_JOB = {
    "type": "object",
    "required": ["id", "status"],
    "properties": {
        "id": {"type": "integer", "description": "Job ID (Long)."},
        "job_type": _STRING,
        "data_id": _STRING,
        "status": {
            "type": "string",
            "description": "Job status, e.g. QUEUING, RUNNING, FINISHED.",
        },
        # Times are UTC epoch milliseconds, durations milliseconds.
        "create_at": _INTEGER,
        "update_at": _INTEGER,
        "start_at": _INTEGER,
        "end_at": _INTEGER,
        "msg_code": _INTEGER,
        "project_id": _STRING,
        "submitting_duration": _INTEGER,
        "running_duration": _INTEGER,
        "resource_spec": _STRING,
        "msg_error": _STRING,
        "workspace_id": _STRING,
    },
}

OCTOPUS_SYSTEM_JOB_LIST = {
    "$schema": DIALECT,
    "title": "Octopus: list system jobs",
    "description": "Response of GET /v1.0/{project_id}/data/system-jobs.",
    "type": "object",
    "required": ["payload"],
    "properties": {
        "payload": {
            "type": "object",
            "required": ["list", "page_info"],
            "properties": {
                "list": {"type": "array", "items": _OCTOPUS_SYSTEM_JOB},
                "page_info": {
                    "type": "object",
                    "required": ["total"],
                    "properties": {
                        "offset": _INTEGER,
                        "limit": _INTEGER,
                        "total": {
                            "type": "integer",
                            "description": "Number of jobs matching the query.",
                        },
                    },
                },
            },
        },
        "meta_info": {
            "type": ["object", "null"],
            "properties": {"current_time": _STRING},
        },
    },
}

# ------------------------------------------------------- VIAS batch tasks ---

# Lower-case task states, each holding how many tasks of the batch are in it.
_BATCH_STATE_COUNTS = {
    "type": "object",
    "description": "Number of tasks per lower-case state; absent states count 0.",
    "properties": {
        "pending": _INTEGER,
        "recovering": _INTEGER,
        "starting": _INTEGER,
        "upgrading": _INTEGER,
        "create_failed": _INTEGER,
        "start_failed": _INTEGER,
        "running": _INTEGER,
        "stopping": _INTEGER,
        "stopped": _INTEGER,
        "abnormal": _INTEGER,
        "succeeded": _INTEGER,
        "failed": _INTEGER,
        "deleting": _INTEGER,
        "freezing": _INTEGER,
        "frozen": _INTEGER,
        "stopped_no_service": _INTEGER,
        "scheduling": _INTEGER,
        "lack_of_resources": _INTEGER,
    },
}

_VIAS_BATCH_TASK = {
    "type": "object",
    # The counts are the batch's only state information.
    "required": ["id", "batch_task_status_info"],
    "properties": {
        "id": {"type": "string", "description": "Batch task ID."},
        "batch_task_name": _STRING,
        "video_source_name": _STRING,
        "video_group_name": _STRING,
        "alg_name": _STRING,
        "company": _STRING,
        # A string ("0"), although it looks numeric.
        "type": _STRING,
        "num_task": _INTEGER,
        "created_at": {
            "type": ["integer", "null"],
            "description": "Creation time, epoch milliseconds.",
        },
        "batch_task_status_info": _BATCH_STATE_COUNTS,
    },
}

VIAS_BATCH_TASK_LIST = {
    "$schema": DIALECT,
    "title": "VIAS: list batch tasks",
    "description": "Response of GET /v2/{project_id}/batch-tasks.",
    "type": "object",
    "required": ["count", "batch_task_list"],
    "properties": {
        "count": {"type": "integer", "description": "Total number of batch tasks."},
        "batch_task_list": {"type": "array", "items": _VIAS_BATCH_TASK},
    },
}

SCHEMAS = {
    "hilens_task_list": HILENS_TASK_LIST,
    "vias_task": VIAS_TASK,
    "vas_task": VAS_TASK,
    "vas_task_list": VAS_TASK_LIST,
    "octopus_system_job_list": OCTOPUS_SYSTEM_JOB_LIST,
    "vias_batch_task_list": VIAS_BATCH_TASK_LIST,
}


def get_schema(name):
    """Return the schema called ``name``; ValueError names the known ones."""
    try:
        return SCHEMAS[name]
    except KeyError:
        raise ValueError(
            "unknown response schema %r; known: %s" % (name, ", ".join(sorted(SCHEMAS)))
        ) from None
