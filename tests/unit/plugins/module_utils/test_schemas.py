# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import copy

import pytest
from jsonschema import Draft202012Validator

from ansible_collections.hwcloud.tasks.plugins.module_utils.schemas import SCHEMAS, get_schema

# The vendor's response examples, re-typed (the HiLens one without its
# trailing comma, which made it invalid JSON).
HILENS_EXAMPLE = {
    "count": 1,
    "tasks": [{
        "name": "string",
        "timestamp": "string",
        "description": None,
        "streams": [{
            "common": None,
            "input": {
                "type": "camera",
                "data": {"name": "string", "create_time": "string", "tag": [{"config_type": "string"}],
                         "id": "string", "rtsp": "string"},
                "template": False,
            },
            "outputs": [{
                "type": "dis",
                "data": {"projectId": "string", "streamId": "string", "streamName": "string"},
                "template": False,
            }],
        }],
        "ok_pod_number": 0,
        "cur_pod_number": 0,
        "sum_pod_number": 1,
        "fail_pod_number": 1,
        "pending_pod_number": 0,
        "task_status": [{"pod_id": "string", "pod_name": "string", "task_status": "string"}],
        "task_id": "string",
        "user_task_id": None,
    }],
}

VIAS_TASK_EXAMPLE = {
    "id": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "name": "qqqq_task",
    "creator": "test",
    "project_id": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "release_id": "xxxxxxx-xxxxxxx-xxxxxxx-xxxxx-xxxxxx",
    "service_id": "xxxxxxx-xxxxxxx-xxxxxxx-xxxxx-xxxxxx",
    "created_at": "2023-06-06T06:59:33.024Z",
    "updated_at": "2023-06-06T06:59:33.024Z",
    "event_type": 0,
    "priority": "low",
    "steal": 0,
    "state": "PENDING",
    "input": {"type": "video_source", "data": [{"video_source_id": "xxxxxxx-xxxxxxx-xxxxxxx-xxxxx-xxxxxx"}]},
    "output": {"event_center": True},
    "config": {"common": {}},
    "video_source_name": "url_test",
    "task_config": '<?xml version="1.0" encoding="UTF-8"?><algorithm><config><common/></config></algorithm>',
    "type": "0",
    "package_id": "xxxxxxx-xxxxxxx-xxxxxxx-xxxxx-xxxxxx",
}

VAS_TASK_EXAMPLE = {
    "id": "8656efdafebf440bb7008f174db6c567",
    "name": "queue-status-analysis-edge",
    "creator": "user_test",
    "project_id": "1f793beac00d4801874db741cbfe10fa",
    "description": None,
    "service_version": "3.0",
    "edge_pool_id": "8dcf5ec7bc4d4a26aa1d3e1bb5ed2b5a",
    "resource_order_id": "840a5cf90d4a4bbaa71f251dfe8fe64e",
    "created_at": "2020-09-18T03:35:03Z",
    "updated_at": "2020-09-18T03:35:51Z",
    "state": "RUNNING",
    "input": {"type": "edgecamera", "data": [{"id": "aec5857c-222f-4aa9-be39-23654e118886", "index": 0}]},
    "output": {"webhook": {"url": "https://apigw.xx.com/api/mqs/sit",
                           "headers": {"content-type": "application/json"}}},
    "service_config": {"common": {
        "image_compression_ratio": 90,
        "render_result_sw": 1,
        "render_roi_sw": 1,
        "queue_length_count_sw": 1,
        "target_roi": '{"polygons":[{"data":[[0, 0], [0, 1000], [1920, 1000], [1920, 0]]}]}',
    }},
}

# No vendor page: a page of two tasks shaped after the SDK's ListTasksDetailsResponse
# (one task as full as TaskDetails goes, one with only what a new task has).
VAS_TASK_LIST_EXAMPLE = {
    "count": 12,
    "tasks": [{
        "id": "8656efdafebf440bb7008f174db6c567",
        "name": "helmet-gate-3",
        "creator": "user_test",
        "project_id": "1f793beac00d4801874db741cbfe10fa",
        "description": None,
        "service_name": "c-safety-helmet-detection",
        "service_version": "2.0",
        "service_title": {"zh": "安全帽检测", "en": "Safety helmet detection"},
        "edge_pool_id": None,
        "resource_order_id": "840a5cf90d4a4bbaa71f251dfe8fe64e",
        "created_at": "2024-04-30T03:35:03Z",
        "updated_at": "2024-04-30T03:35:51Z",
        "state": "RUNNING",
        "status": None,
        "error": {"code": None, "message": None},
        "timing_status": "effective",
        "timing": {
            "type": "weekly",
            "timezone": "Asia/Shanghai",
            "days_of_week": [1, 2, 3, 4, 5],
            "periods": [{"begin_at": "08:00:00", "end_at": "18:00:00"}],
        },
        "input": {"type": "vis", "data": [{"stream_name": "gate-3", "stream_type": 0}]},
        "output": {
            "dis": {"stream_name": "helmet-events", "data_category": ["image", "detection"]},
            "hosting": {"obs": [{"bucket": "results", "path": "helmet/"}], "result_json_overdue_at": 7,
                        "data_category": ["detection"]},
        },
        "service_config": {"common": {"alarm_interval": 60, "roi": "[[0,0],[1920,1080]]"}},
    }, {
        "id": "0c4b2a1c5b1e4f0d9f3e7a6b5c4d3e2f",
        "name": "helmet-gate-4",
        "state": "CREATE_FAILED",
        "status": "lack_of_resources",
        "error": {"code": "VAS.10003", "message": "No edge node available"},
    }],
}

OCTOPUS_EXAMPLE = {
    "meta_info": {"current_time": "2022-01-01T08:08:29Z"},
    "payload": {
        "list": [{
            "id": 1,
            "job_type": "SCENARIO_AUTO_MINING",
            "data_id": "DPK0000001",
            "status": "FINISHED",
            "create_at": 1640966400000,
            "update_at": 1640966400000,
            "start_at": 1640966400000,
            "end_at": 1640966400000,
            "submitting_duration": 1000,
            "running_duration": 1000,
            "project_id": "087679f0aaxxxxxxxxxxxxxx2f5e902b",
            "resource_spec": "1Core_4GiB",
        }],
        "page_info": {"offset": 0, "limit": 1, "total": 1},
    },
}

BATCH_EXAMPLE = {
    "count": 2,
    "batch_task_list": [{
        "id": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "batch_task_name": "qqqq",
        "video_group_name": "2312,1889,927,914",
        "alg_name": "testwjh",
        "type": "0",
        "priority": "low",
        "num_task": 3,
        "created_at": 1685667905165,
        "batch_task_status_info": {"stopped": 3},
    }, {
        "id": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "batch_task_name": "qqq",
        "video_group_name": "2312",
        "alg_name": "testwjh",
        "type": "0",
        "priority": "low",
        "num_task": 1,
        "created_at": 1685667856283,
        "batch_task_status_info": {"running": 1},
    }],
}

EXAMPLES = {
    "hilens_task_list": HILENS_EXAMPLE,
    "vias_task": VIAS_TASK_EXAMPLE,
    "vas_task": VAS_TASK_EXAMPLE,
    "vas_task_list": VAS_TASK_LIST_EXAMPLE,
    "octopus_system_job_list": OCTOPUS_EXAMPLE,
    "vias_batch_task_list": BATCH_EXAMPLE,
}


def errors(schema_name, document):
    return sorted(Draft202012Validator(SCHEMAS[schema_name]).iter_errors(document), key=str)


def at(document, path):
    """The parent object of ``path`` (a list of keys) and its last key."""
    for key in path[:-1]:
        document = document[key]
    return document, path[-1]


def test_every_schema_has_an_example():
    assert sorted(SCHEMAS) == sorted(EXAMPLES)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schema_is_valid_draft_2020_12(name):
    assert SCHEMAS[name]["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(SCHEMAS[name])


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_vendor_example_validates(name):
    assert errors(name, EXAMPLES[name]) == []


def test_vas_task_wrapped_under_task_validates():
    assert errors("vas_task", {"task": VAS_TASK_EXAMPLE}) == []


def test_vas_wrapped_task_is_checked_too():
    found = errors("vas_task", {"task": dict(VAS_TASK_EXAMPLE, state=1)})
    assert [list(error.absolute_path) for error in found] == [["task", "state"]]


# The fields required where a response means nothing without them.
REQUIRED = [
    ("hilens_task_list", ["count"]),
    ("hilens_task_list", ["tasks"]),
    ("hilens_task_list", ["tasks", 0, "task_id"]),
    ("vias_task", ["id"]),
    ("vias_task", ["state"]),
    ("vas_task", ["id"]),
    ("vas_task", ["state"]),
    ("vas_task_list", ["count"]),
    ("vas_task_list", ["tasks"]),
    ("vas_task_list", ["tasks", 0, "id"]),
    ("vas_task_list", ["tasks", 1, "state"]),
    ("octopus_system_job_list", ["payload"]),
    ("octopus_system_job_list", ["payload", "list"]),
    ("octopus_system_job_list", ["payload", "page_info"]),
    ("octopus_system_job_list", ["payload", "page_info", "total"]),
    ("octopus_system_job_list", ["payload", "list", 0, "id"]),
    ("octopus_system_job_list", ["payload", "list", 0, "status"]),
    ("vias_batch_task_list", ["count"]),
    ("vias_batch_task_list", ["batch_task_list"]),
    ("vias_batch_task_list", ["batch_task_list", 1, "id"]),
    ("vias_batch_task_list", ["batch_task_list", 1, "batch_task_status_info"]),
]


@pytest.mark.parametrize("name, path", REQUIRED, ids=["%s:%s" % (name, ".".join(map(str, path))) for name, path in REQUIRED])
def test_removing_a_required_field_fails(name, path):
    document = copy.deepcopy(EXAMPLES[name])
    parent, key = at(document, path)
    del parent[key]
    found = errors(name, document)
    assert [error.validator for error in found] == ["required"]
    assert repr(key) in found[0].message


@pytest.mark.parametrize("name, path", REQUIRED, ids=["%s:%s" % (name, ".".join(map(str, path))) for name, path in REQUIRED])
def test_required_fields_refuse_null(name, path):
    document = copy.deepcopy(EXAMPLES[name])
    parent, key = at(document, path)
    parent[key] = None
    assert errors(name, document)


def _optional_paths(schema, document, path=()):
    """Paths of every optional field present in ``document``."""
    if "then" in schema:  # the VAS wrapper branch; the example is unwrapped
        schema = schema["else"]
    if isinstance(document, dict):
        for key, value in document.items():
            subschema = schema.get("properties", {}).get(key)
            if subschema is None:
                continue
            if key not in schema.get("required", ()):
                yield path + (key,)
            yield from _optional_paths(subschema, value, path + (key,))
    elif isinstance(document, list) and "items" in schema:
        for index, value in enumerate(document):
            yield from _optional_paths(schema["items"], value, path + (index,))


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_optional_field_accepts_null(name):
    paths = list(_optional_paths(SCHEMAS[name], EXAMPLES[name]))
    assert len(paths) >= 5
    for path in paths:
        document = copy.deepcopy(EXAMPLES[name])
        parent, key = at(document, path)
        parent[key] = None
        assert errors(name, document) == [], path


def test_every_batch_state_count_accepts_null():
    document = copy.deepcopy(BATCH_EXAMPLE)
    counts = document["batch_task_list"][0]["batch_task_status_info"]
    for state in SCHEMAS["vias_batch_task_list"]["properties"]["batch_task_list"]["items"][
            "properties"]["batch_task_status_info"]["properties"]:
        counts[state] = None
    assert errors("vias_batch_task_list", document) == []


@pytest.mark.parametrize("name, path, value", [
    ("vias_task", ["brand_new"], {"any": ["thing"]}),
    ("vias_task", ["input", "data", 0, "brand_new"], 1),
    ("vas_task", ["output", "webhook", "brand_new"], True),
    ("vas_task_list", ["brand_new"], {"next": None}),
    ("vas_task_list", ["tasks", 1, "hosting_result"], {"status": "done"}),
    ("vas_task_list", ["tasks", 0, "timing", "periods", 0, "brand_new"], 1),
    ("hilens_task_list", ["tasks", 0, "task_status", 0, "brand_new"], None),
    ("hilens_task_list", ["brand_new"], "x"),
    ("octopus_system_job_list", ["payload", "list", 0, "brand_new"], [1]),
    ("octopus_system_job_list", ["payload", "page_info", "brand_new"], 1),
    ("vias_batch_task_list", ["batch_task_list", 0, "batch_task_status_info", "migrating"], 2),
])
def test_undocumented_fields_are_accepted(name, path, value):
    document = copy.deepcopy(EXAMPLES[name])
    parent, key = at(document, path)
    parent[key] = value
    assert errors(name, document) == []


@pytest.mark.parametrize("name, path, value", [
    ("octopus_system_job_list", ["payload", "list", 0, "id"], "1"),
    ("octopus_system_job_list", ["payload", "list", 0, "create_at"], "2022-01-01T00:00:00Z"),
    ("octopus_system_job_list", ["payload", "page_info", "total"], "1"),
    ("vias_batch_task_list", ["batch_task_list", 0, "type"], 0),
    ("vias_batch_task_list", ["batch_task_list", 0, "created_at"], "2023-06-02T01:05:05Z"),
    ("vias_batch_task_list", ["batch_task_list", 0, "batch_task_status_info", "stopped"], "3"),
    ("vias_batch_task_list", ["count"], 2.5),
    ("vias_task", ["created_at"], 1685667905165),
    ("vias_task", ["type"], 0),
    ("vias_task", ["input", "data"], {"video_source_id": "x"}),
    ("vas_task", ["service_config"], "common"),
    ("vas_task_list", ["count"], "12"),
    ("vas_task_list", ["count"], 12.5),
    ("vas_task_list", ["tasks"], {"id": "t", "state": "RUNNING"}),
    ("vas_task_list", ["tasks", 1], "0c4b2a1c5b1e4f0d9f3e7a6b5c4d3e2f"),
    ("vas_task_list", ["tasks", 0], None),
    ("vas_task_list", ["tasks", 1], [{"id": "t", "state": "RUNNING"}]),
    ("vas_task_list", ["tasks", 0, "state"], 1),
    ("vas_task_list", ["tasks", 0, "created_at"], 1714448103000),
    ("vas_task_list", ["tasks", 0, "service_title"], "Safety helmet detection"),
    ("vas_task_list", ["tasks", 0, "timing", "days_of_week", 0], "1"),
    ("vas_task_list", ["tasks", 0, "output", "hosting", "obs"], {"bucket": "results"}),
    ("hilens_task_list", ["count"], "1"),
    ("hilens_task_list", ["tasks", 0, "sum_pod_number"], True),
    ("hilens_task_list", ["tasks", 0, "task_status", 0, "task_status"], 0),
])
def test_wrong_types_fail_at_their_path(name, path, value):
    document = copy.deepcopy(EXAMPLES[name])
    parent, key = at(document, path)
    parent[key] = value
    found = errors(name, document)
    assert [(error.validator, list(error.absolute_path)) for error in found] == [("type", path)]


def test_vas_task_list_empty_page_validates():
    assert errors("vas_task_list", {"count": 0, "tasks": []}) == []


# The fields of the SDK's TaskDetails model (huaweicloudsdkvas 3.1.219, v2/model/task_details.py),
# in its order; ShowTaskResponse adds hosting_result.
SDK_TASK_DETAILS_FIELDS = [
    "id", "name", "creator", "project_id", "description", "service_name", "service_version", "service_title",
    "edge_pool_id", "resource_order_id", "created_at", "updated_at", "state", "status", "error", "timing_status",
    "timing", "input", "output", "service_config",
]


def test_vas_task_list_item_is_the_sdk_task_details():
    item = SCHEMAS["vas_task_list"]["properties"]["tasks"]["items"]
    assert list(item["properties"]) == SDK_TASK_DETAILS_FIELDS
    assert item["required"] == ["id", "state"]
    assert "additionalProperties" not in item
    task = SCHEMAS["vas_task"]["else"]
    assert sorted(task["properties"]) == sorted(SDK_TASK_DETAILS_FIELDS + ["hosting_result"])
    # Same SDK models, same fragments: a fix to one is a fix to both.
    for field in SDK_TASK_DETAILS_FIELDS:
        assert item["properties"][field] is task["properties"][field], field


def test_vas_task_list_reports_each_bad_item_at_its_index():
    document = copy.deepcopy(VAS_TASK_LIST_EXAMPLE)
    document["tasks"].append("t-3")
    del document["tasks"][1]["id"]
    found = errors("vas_task_list", document)
    assert [(error.validator, list(error.absolute_path)) for error in found] == [("required", ["tasks", 1]), ("type", ["tasks", 2])]


def test_get_schema():
    assert get_schema("vias_task") is SCHEMAS["vias_task"]
    with pytest.raises(ValueError, match="unknown response schema 'vias_tasks'"):
        get_schema("vias_tasks")
