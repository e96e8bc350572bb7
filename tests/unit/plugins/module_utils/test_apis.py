# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""API descriptions: safe path parameters, request paths, single-object unwrapping and dig."""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.tasks.plugins.module_utils.apis import (
    HILENS_TASKS,
    OCTOPUS_SYSTEM_JOBS,
    VAS_TASK,
    VIAS_BATCH_TASKS,
    VIAS_TASK,
    PathParameterError,
    ResponseShapeError,
    build_path,
    check_path_param,
    dig,
    unwrap_object,
)
from ansible_collections.hwcloud.tasks.plugins.module_utils.auth import StaticTokenAuth
from ansible_collections.hwcloud.tasks.plugins.module_utils.http_client import HttpClient
from ansible_collections.hwcloud.tasks.plugins.module_utils.kinds import KINDS
from ansible_collections.hwcloud.tasks.plugins.module_utils.schemas import SCHEMAS

PID = "4a1c2b3d4e5f60718293a4b5c6d7e8f9"


def test_every_api_of_the_registry_has_its_response_schema():
    apis = [api for kind in KINDS.values() for api in (kind.list_api, kind.object_api) if api is not None]
    assert sorted(api.name for api in apis) == [
        "hilens_task_list", "octopus_system_job_list", "vas_task", "vas_task_list", "vias_batch_task_list", "vias_task"]
    assert all(api.name in SCHEMAS for api in apis)


@pytest.mark.parametrize(
    "spec, params, path",
    [
        (HILENS_TASKS, {"project_id": PID, "deployment_id": "dep-1"}, "/v3/%s/ai-mgr/deployments/dep-1/tasks" % PID),
        (VIAS_TASK, {"project_id": PID, "task_id": "t1"}, "/v2/%s/tasks/t1" % PID),
        (
            VAS_TASK,
            {"project_id": PID, "service_name": "c-queue-status-analysis-edge", "task_id": "t1"},
            "/v2/%s/services/c-queue-status-analysis-edge/tasks/t1" % PID,
        ),
        (OCTOPUS_SYSTEM_JOBS, {"project_id": PID}, "/v1.0/%s/data/system-jobs" % PID),
        (VIAS_BATCH_TASKS, {"project_id": PID}, "/v2/%s/batch-tasks" % PID),
    ],
)
def test_build_path_fills_every_api_path(spec, params, path):
    assert build_path(spec, **params) == path


@pytest.mark.parametrize(
    "value, encoded",
    [
        ("a:b", "a%3Ab"),
        ("task.1", "task.1"),
        ("A_b-c.d:e", "A_b-c.d%3Ae"),
        ("0", "0"),
        ("a" * 128, "a" * 128),
    ],
)
def test_build_path_percent_encodes_allowed_values(value, encoded):
    assert build_path(VIAS_TASK, project_id=PID, task_id=value) == "/v2/%s/tasks/%s" % (PID, encoded)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("..", id="dot-dot"),
        pytest.param("a..b", id="dot-dot-inside"),
        pytest.param(".", id="single-dot"),
        pytest.param(".hidden", id="leading-dot"),
        pytest.param("-a", id="leading-dash"),
        pytest.param("a/b", id="slash"),
        pytest.param("../other", id="traversal"),
        pytest.param("a?b=1", id="question-mark"),
        pytest.param("a#b", id="hash"),
        pytest.param("a b", id="space"),
        pytest.param(" a", id="leading-space"),
        pytest.param("a%2Fb", id="percent"),
        pytest.param("a\\b", id="backslash"),
        pytest.param("t\u00e4sk", id="unicode-letter"),
        pytest.param("\u4efb\u52a1", id="cjk"),
        pytest.param("a\x00", id="nul"),
        pytest.param("a\n", id="trailing-newline"),
        pytest.param("a\nb", id="inner-newline"),
        pytest.param("a\t", id="tab"),
        pytest.param("", id="empty"),
        pytest.param("a" * 129, id="129-chars"),
        pytest.param("a" * 200, id="200-chars"),
    ],
)
def test_unsafe_path_parameters_are_rejected(value):
    with pytest.raises(PathParameterError) as caught:
        build_path(VIAS_TASK, project_id=PID, task_id=value)

    message = str(caught.value)
    assert message.startswith("task_id must be 1-128 letters, digits, '-', '_', '.' or ':'")
    assert "without '..'" in message


@pytest.mark.parametrize("value", [None, 5, ["a"], b"abc"])
def test_non_string_path_parameters_are_rejected(value):
    with pytest.raises(PathParameterError) as caught:
        check_path_param("task_id", value)

    assert "(got %r)" % (value,) in str(caught.value)


def test_long_rejected_value_is_shortened_in_the_message():
    value = "x" * 199 + "/"

    with pytest.raises(PathParameterError) as caught:
        check_path_param("task_id", value)

    message = str(caught.value)
    assert "x" * 80 + "..." in message
    assert value not in message
    assert len(message) < 250


def test_project_id_is_checked_like_any_other_path_parameter():
    with pytest.raises(PathParameterError) as caught:
        build_path(OCTOPUS_SYSTEM_JOBS, project_id="../../admin")

    assert str(caught.value).startswith("project_id must be")


def test_check_path_param_returns_the_value_unchanged():
    assert check_path_param("deployment_id", "dep-large") == "dep-large"


def test_path_param_error_is_a_value_error():
    assert issubclass(PathParameterError, ValueError)


# --- unwrap_object and dig ----------------------------------------------------------------------------

def test_unwrap_object_takes_the_task_out_of_its_wrapper():
    assert unwrap_object(VAS_TASK, {"task": {"id": "t1"}}) == {"id": "t1"}


def test_unwrap_object_leaves_an_unwrapped_task_as_is():
    document = {"id": "t1", "task": "not an object"}
    assert unwrap_object(VAS_TASK, document) is document


def test_unwrap_object_without_an_object_key_returns_the_document():
    document = {"task": {"id": "t1"}}
    assert unwrap_object(VIAS_TASK, document) is document


@pytest.mark.parametrize("spec", [VAS_TASK, VIAS_TASK])
@pytest.mark.parametrize("document, kind", [(None, "NoneType"), ([], "list"), ("text", "str"), ([{"task": {"id": 1}}], "list")])
def test_unwrap_object_of_a_non_object_says_what_came_instead(spec, document, kind):
    with pytest.raises(ResponseShapeError) as caught:
        unwrap_object(spec, document)
    assert str(caught.value) == (
        "The %s response is not an object (got %s); the endpoint may not be the service's" % (spec.name, kind))


@pytest.mark.parametrize(
    "document, path, expected",
    [
        ({"a": {"b": {"c": 3}}}, ("a", "b", "c"), 3),
        ({"a": {"b": [1, 2]}}, ("a", "b"), [1, 2]),
        ({"a": 1}, ("missing",), None),
        ({"a": 1}, ("a", "b"), None),
        ({"a": [{"b": 1}]}, ("a", "b"), None),
        ({"a": None}, ("a", "b"), None),
        ([{"a": 1}], ("a",), None),
        (None, ("a",), None),
        ({"a": 1}, (), {"a": 1}),
        ({"count": 0}, ("count",), 0),
    ],
)
def test_dig_follows_keys_and_gives_none_where_a_step_is_missing(document, path, expected):
    assert dig(document, path) == expected


def test_vas_tasks_wrapped_and_unwrapped_by_the_emulator_unwrap_to_the_same_shape(emulator):
    data = emulator.data
    client = HttpClient(auth=StaticTokenAuth(emulator.credentials["static_token"]), timeout=5)
    wrapped_ids = set(data["vas_wrapped_task_ids"])
    wrapped = next(task_id for task_id in data["vas_task_ids"] if task_id in wrapped_ids)
    plain = next(task_id for task_id in data["vas_task_ids"] if task_id not in wrapped_ids)

    tasks = {}
    for task_id in (wrapped, plain):
        path = build_path(VAS_TASK, project_id=data["project_id"], service_name=data["vas_service_name"], task_id=task_id)
        document = client.get_json(emulator.url + path)
        assert ("task" in document) == (task_id == wrapped)
        tasks[task_id] = unwrap_object(VAS_TASK, document)

    assert tasks[wrapped]["id"] == wrapped
    assert tasks[plain]["id"] == plain
    assert set(tasks[wrapped]) == set(tasks[plain])


def test_built_path_reaches_the_emulator_route(emulator):
    data = emulator.data
    client = HttpClient(auth=StaticTokenAuth(emulator.credentials["static_token"]), timeout=5)
    task_id = data["vias_task_ids"][0]

    document = client.get_json(emulator.url + build_path(VIAS_TASK, project_id=data["project_id"], task_id=task_id))

    assert document["id"] == task_id
