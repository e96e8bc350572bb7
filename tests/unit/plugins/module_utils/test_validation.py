# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from ansible_collections.hwcloud.tasks.plugins.module_utils import validation
from ansible_collections.hwcloud.tasks.plugins.module_utils.schemas import SCHEMAS
from ansible_collections.hwcloud.tasks.plugins.module_utils.validation import (
    MissingLibraryError,
    SchemaValidationError,
    validate_document,
)


def batch_list(size):
    return {
        "count": size,
        "batch_task_list": [{
            "id": "%032x" % index,
            "batch_task_name": "batch-%d" % index,
            "video_group_name": "2312",
            "alg_name": "testwjh",
            "type": "0",
            "priority": "low",
            "num_task": 3,
            "created_at": 1685667905165 + index,
            "batch_task_status_info": {"running": 2, "failed": 1},
        } for index in range(size)],
    }


@pytest.fixture
def broken_batch_list():
    document = batch_list(6)
    document["batch_task_list"][3]["created_at"] = "2023-06-02T01:05:05Z"
    return document


@pytest.mark.parametrize("mode", ["strict", "warn", "off"])
def test_valid_document_gives_no_warning(mode):
    assert validate_document("vias_batch_task_list", batch_list(3), mode) == []


def test_strict_names_schema_path_value_expectation_and_remedy(broken_batch_list):
    with pytest.raises(SchemaValidationError) as caught:
        validate_document("vias_batch_task_list", broken_batch_list, "strict")
    message = str(caught.value)
    assert "'vias_batch_task_list'" in message
    assert "$.batch_task_list[3].created_at" in message
    assert "'2023-06-02T01:05:05Z'" in message
    assert "expected integer or null" in message
    assert "set schema_validation: warn to return the data anyway" in message
    assert caught.value.path == "$.batch_task_list[3].created_at"
    assert caught.value.schema_name == "vias_batch_task_list"


def test_strict_reports_the_first_error(broken_batch_list):
    broken_batch_list["batch_task_list"][5]["type"] = 0
    with pytest.raises(SchemaValidationError, match=r"\$\.batch_task_list\[3\]\.created_at"):
        validate_document("vias_batch_task_list", broken_batch_list, "strict")


def test_strict_points_at_a_missing_required_field():
    document = batch_list(3)
    del document["batch_task_list"][1]["id"]
    with pytest.raises(SchemaValidationError) as caught:
        validate_document("vias_batch_task_list", document, "strict")
    assert caught.value.path == "$.batch_task_list[1].id"
    assert "required" in str(caught.value)


def test_strict_follows_the_vas_wrapper():
    document = {"task": {"id": "t", "state": ["RUNNING"]}}
    with pytest.raises(SchemaValidationError) as caught:
        validate_document("vas_task", document, "strict")
    assert caught.value.path == "$.task.state"
    assert "['RUNNING']" in str(caught.value)


def test_strict_truncates_long_values():
    document = {"id": "t", "state": "RUNNING", "input": "x" * 5000}
    with pytest.raises(SchemaValidationError) as caught:
        validate_document("vias_task", document, "strict")
    assert caught.value.value_repr.startswith("'xxxx")
    assert "(5002 characters)" in caught.value.value_repr
    assert len(str(caught.value)) < 500


def test_warn_returns_warnings_and_leaves_the_data_alone(broken_batch_list):
    before = copy.deepcopy(broken_batch_list)
    warnings = validate_document("vias_batch_task_list", broken_batch_list, "warn")
    assert len(warnings) == 1
    assert "$.batch_task_list[3].created_at" in warnings[0]
    assert "'2023-06-02T01:05:05Z'" in warnings[0]
    assert broken_batch_list == before


def test_warn_groups_repeated_errors():
    document = batch_list(50)
    for item in document["batch_task_list"]:
        item["num_task"] = "3"
    warnings = validate_document("vias_batch_task_list", document, "warn")
    assert warnings == [
        (
            "response does not match schema 'vias_batch_task_list' at $.batch_task_list[0].num_task: "
            "got '3', expected integer or null (same error at 49 more places)"
        )
    ]


def test_warn_lists_at_most_five_kinds_of_errors():
    document = batch_list(1)
    item = document["batch_task_list"][0]
    for field in ("batch_task_name", "video_group_name", "alg_name", "type", "num_task", "created_at", "id"):
        item[field] = ["wrong"]
    warnings = validate_document("vias_batch_task_list", document, "warn")
    assert len(warnings) == 6
    assert warnings[-1] == "response does not match schema 'vias_batch_task_list': and 2 more kinds of errors"


@pytest.mark.parametrize("document", [None, [], "text", 3, {"count": None}])
def test_warn_never_raises_for_schema_errors(document):
    assert validate_document("vias_batch_task_list", document, "warn")


def test_off_returns_nothing_even_for_garbage():
    assert validate_document("vias_task", "not even an object", "off") == []


@pytest.fixture
def without_jsonschema(monkeypatch):
    # A None entry in sys.modules makes the import raise ImportError.
    for name in list(sys.modules):
        if name == "jsonschema" or name.startswith("jsonschema."):
            monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "jsonschema", None)
    monkeypatch.setattr(validation, "_JSONSCHEMA_FOUND", [])  # forget an earlier run's finding


def test_off_does_not_need_jsonschema(without_jsonschema):
    assert validate_document("vias_task", {"id": "t", "state": "RUNNING"}, "off") == []


@pytest.mark.parametrize("mode", ["strict", "warn"])
def test_missing_jsonschema_is_reported_by_name(without_jsonschema, mode):
    with pytest.raises(MissingLibraryError) as caught:
        validate_document("vias_task", {"id": "t", "state": "RUNNING"}, mode)
    assert caught.value.name == "jsonschema"
    assert isinstance(caught.value.__cause__, ImportError)


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="strict, warn, off"):
        validate_document("vias_task", {}, "lenient")


def test_unknown_schema_is_refused():
    with pytest.raises(ValueError, match="unknown response schema"):
        validate_document("vias_tasks", {}, "off")


def test_validators_are_compiled_once():
    validate_document("octopus_system_job_list", {"payload": {"list": [], "page_info": {"total": 0}}})
    compiled = validation._FAST_CHECKS["octopus_system_job_list"]
    validate_document("octopus_system_job_list", {"payload": {"list": [], "page_info": {"total": 0}}})
    assert validation._FAST_CHECKS["octopus_system_job_list"] is compiled
    invalid = {"payload": {"list": "no", "page_info": {"total": 0}}}
    with pytest.raises(SchemaValidationError):
        validate_document("octopus_system_job_list", invalid)
    validator = validation._VALIDATORS["octopus_system_job_list"]
    with pytest.raises(SchemaValidationError):
        validate_document("octopus_system_job_list", invalid)
    assert validation._VALIDATORS["octopus_system_job_list"] is validator


IMPORT_PROBE = """
import json, sys
from ansible_collections.hwcloud.tasks.plugins.module_utils.validation import SchemaValidationError, validate_document
seen = {}
validate_document("vias_task", {"id": "t", "state": "RUNNING"}, "strict")
seen["after_valid"] = "jsonschema" in sys.modules
try:
    validate_document("vias_task", {"id": "t", "state": 7}, "strict")
except SchemaValidationError as exc:
    seen["error"] = str(exc)
seen["after_invalid"] = "jsonschema" in sys.modules
print(json.dumps(seen))
"""


def test_jsonschema_is_imported_only_for_a_document_the_fast_path_rejects():
    # A fresh interpreter: this test process imported jsonschema long ago.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(path for path in sys.path if path))
    output = subprocess.run([sys.executable, "-c", IMPORT_PROBE], env=env, capture_output=True, text=True, check=True).stdout
    seen = json.loads(output)
    assert seen["after_valid"] is False
    assert seen["after_invalid"] is True
    assert "$.state" in seen["error"] and "expected string" in seen["error"]


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_schema_has_a_fast_path(name):
    assert validation._compile_fast_check(SCHEMAS[name]) is not None


def test_schema_keywords_outside_the_fast_path_fall_back_to_jsonschema():
    assert validation._compile_fast_check({"type": "string", "minLength": 2}) is None


@pytest.mark.parametrize("parts, expected", [
    ([], "$"),
    (["batch_task_list", 3, "created_at"], "$.batch_task_list[3].created_at"),
    (["headers", "content-type"], "$.headers.content-type"),
    (["headers", "X Auth"], "$.headers['X Auth']"),
    (["it's"], "$['it\\'s']"),
])
def test_json_path(parts, expected):
    assert validation.json_path(parts) == expected


# The fast path must agree with jsonschema on every document: a document it
# wrongly accepts would skip validation. Random JSON values are planted at
# random places of the vendor-shaped documents below.
SAMPLES = {
    "vias_batch_task_list": batch_list(2),
    "vas_task": {"task": {"id": "t", "state": "RUNNING", "input": {"data": [{"index": 0}]},
                          "timing": {"periods": [{"begin_at": "08:00:00"}]}}},
    "vias_task": {"id": "t", "state": "RUNNING", "schedule": {"periods": [[{"begin_at": "08:00:00"}]]},
                  "input": {"vcn": {"port": 1}}, "output": {"hosting": {"obs": [{"bucket": "b"}]}}},
    "octopus_system_job_list": {"payload": {"list": [{"id": 1, "status": "RUNNING"}],
                                            "page_info": {"total": 1}}},
    "hilens_task_list": {"count": 1, "tasks": [{
        "task_id": "h", "task_status": [{"task_status": "RUNNING"}],
        "start_time_info": {"day_time_frame": [{"start": "08:00"}]},
        "source_usage_estimate": {"cpu": 0.5, "memory": 512}}]},
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=3)
    | st.sampled_from([1.0, 0, -1, True]),
    lambda children: st.lists(children, max_size=2) | st.dictionaries(
        st.sampled_from(["id", "state", "task", "count", "type", "x"]), children, max_size=2),
    max_leaves=4,
)


def _places(document, path=()):
    yield path
    if isinstance(document, dict):
        for key, value in document.items():
            yield from _places(value, path + (key,))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from _places(value, path + (index,))


@settings(database=None, max_examples=400, deadline=None)
@given(st.data())
def test_fast_path_agrees_with_jsonschema(data):
    name = data.draw(st.sampled_from(sorted(SAMPLES)))
    document = copy.deepcopy(SAMPLES[name])
    place = data.draw(st.sampled_from(list(_places(document))))
    value = data.draw(json_values)
    if place:
        parent = document
        for key in place[:-1]:
            parent = parent[key]
        if data.draw(st.booleans()) and isinstance(parent, dict):
            del parent[place[-1]]
        else:
            parent[place[-1]] = value
    else:
        document = value
    fast_check = validation._compile_fast_check(SCHEMAS[name])
    assert fast_check(document) == Draft202012Validator(SCHEMAS[name]).is_valid(document)
