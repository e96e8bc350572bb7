# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import importlib

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.hwcloud.tasks.plugins.plugin_utils.phase_filters import phase, phase_summary


@pytest.mark.parametrize("raw, expected", [
    ("RUNNING", "running"),
    ("create_failed", "failed"),
    ("FINISHED", "succeeded"),
    ("Deploying", "unknown"),
    (None, "unknown"),
    (42, "unknown"),
])
def test_phase_of_a_raw_state(raw, expected):
    assert phase(raw) == expected


def test_phase_of_a_raw_state_with_a_service():
    assert phase("QUEUING", "octopus") == "pending"


@pytest.mark.parametrize("item, expected", [
    ({"id": "b", "batch_task_status_info": {"running": 3, "failed": 1}}, "failed"),
    ({"task_id": "h", "task_status": [{"task_status": "RUNNING"}], "sum_pod_number": 1}, "running"),
    ({"task_id": "h", "task_status": [], "ok_pod_number": 1, "sum_pod_number": 1}, "succeeded"),
    ({"id": 7, "status": "RUN_FAILED", "job_type": "FRAME_EXTRACT"}, "failed"),
    ({"id": "t", "state": "STOPPING", "status": "stopping on request"}, "stopped"),
    ({"task": {"id": "t", "state": "RECOVERING"}}, "pending"),
], ids=["vias_batch", "hilens-pods", "hilens-counters", "octopus", "vias", "vas-wrapped"])
def test_phase_detects_the_service_of_an_item(item, expected):
    assert phase(item) == expected


def test_phase_of_an_item_with_a_service():
    assert phase({"id": 7, "status": "FINISHED"}, "octopus") == "succeeded"


def test_phase_of_an_anonymous_item_asks_for_the_service():
    with pytest.raises(AnsibleFilterError, match=r"cannot tell which service.*keys: id, status"):
        phase({"id": 7, "status": "FINISHED"})


@pytest.mark.parametrize("value", ["RUNNING", {"state": "RUNNING"}])
def test_phase_refuses_an_unknown_service(value):
    with pytest.raises(AnsibleFilterError, match="unknown service 'iva'"):
        phase(value, "iva")


def test_phase_summary_with_a_service():
    jobs = [{"id": 1, "status": "FINISHED"}, {"id": 2, "status": "RUN_FAILED"}, {"id": 3, "status": "FINISHED"}]
    assert phase_summary(jobs, "octopus") == {
        "total": 3,
        "by_phase": {"pending": 0, "running": 0, "succeeded": 2, "failed": 1, "stopped": 0, "unknown": 0},
        "by_state": {"FINISHED": 2, "RUN_FAILED": 1},
    }


def test_phase_summary_detects_services():
    batches = [{"id": "a", "batch_task_status_info": {"running": 1}},
               {"id": "b", "batch_task_status_info": {"succeeded": 2}}]
    summary = phase_summary(batches)
    assert summary["by_phase"]["running"] == 1
    assert summary["by_state"] == {"running=1": 1, "succeeded=2": 1}


@pytest.mark.parametrize("items", [[], None])
def test_phase_summary_of_nothing(items):
    assert phase_summary(items) == {
        "total": 0,
        "by_phase": {"pending": 0, "running": 0, "succeeded": 0, "failed": 0, "stopped": 0, "unknown": 0},
        "by_state": {},
    }


@pytest.mark.parametrize("items, message", [
    ("RUNNING", "expects a list"),
    ({"state": "RUNNING"}, "expects a list"),
    (3, "expects a list"),
    ([{"id": 1}], "cannot tell which service"),
])
def test_phase_summary_refuses_what_it_cannot_count(items, message):
    with pytest.raises(AnsibleFilterError, match=message):
        phase_summary(items)


def test_phase_summary_refuses_an_unknown_service():
    with pytest.raises(AnsibleFilterError, match="unknown service"):
        phase_summary([], "iva")


@pytest.mark.parametrize("name", ["phase", "phase_summary"])
def test_each_filter_has_its_documentation(name):
    module = importlib.import_module("ansible_collections.hwcloud.tasks.plugins.filter." + name)
    docs = {"DOCUMENTATION": yaml.safe_load(module.DOCUMENTATION), "EXAMPLES": module.EXAMPLES, "RETURN": yaml.safe_load(module.RETURN)}
    documentation = docs["DOCUMENTATION"]
    assert documentation["name"] == name
    assert str(documentation["version_added"]) == "1.0.0"
    assert documentation["short_description"]
    assert documentation["options"]["_input"]["required"] is True
    assert documentation["options"]["service"]["choices"] == ["hilens", "vias", "vas", "octopus", "vias_batch"]
    assert "_value" in docs["RETURN"]
    examples = yaml.safe_load(docs["EXAMPLES"])
    assert all("hwcloud.tasks.%s" % name in str(task) for task in examples)
