# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The descriptions of the five kinds of item: phase, raw states, display, detection, summaries."""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.tasks.plugins.module_utils.kinds import KINDS, SERVICES, UnknownKindError, detect_kind, kind_of, summarize
from ansible_collections.hwcloud.tasks.plugins.module_utils.phase import PHASE_BY_STATE, PHASES


def _pods(*statuses):
    return [{"pod_id": "pod-%d" % index, "task_status": status} for index, status in enumerate(statuses)]


@pytest.mark.parametrize("service, item, expected", [
    ("vias", {"id": "t", "state": "START_FAILED"}, "failed"),
    ("vas", {"id": "t", "state": "RUNNING"}, "running"),
    ("vas", {"task": {"id": "t", "state": "STOPPED"}}, "stopped"),
    ("octopus", {"id": 1, "status": "QUEUING"}, "pending"),
    ("vias_batch", {"id": "b", "batch_task_status_info": {"running": 1}}, "running"),
    ("hilens", {"task_id": "h", "task_status": _pods("FAILED")}, "failed"),
    ("vias", {"id": "t"}, "unknown"),
    ("octopus", {"id": 1, "state": "RUNNING"}, "unknown"),
    ("vias", None, "unknown"),
    ("vias_batch", "running", "unknown"),
])
def test_phase_of_item(service, item, expected):
    assert KINDS[service].phase(item) == expected


def test_unknown_service_is_refused_naming_the_five():
    with pytest.raises(UnknownKindError, match="unknown service 'iva'; expected one of hilens, vias, vas, octopus, vias_batch"):
        kind_of("iva")


@pytest.mark.parametrize("service, item, expected", [
    ("vias", {"state": "RUNNING"}, "RUNNING"),
    ("vas", {"task": {"state": "FROZEN"}}, "FROZEN"),
    ("octopus", {"status": "RUN_FAILED"}, "RUN_FAILED"),
    ("vias", {"state": None}, "(none)"),
    ("vias", {"state": ""}, "(none)"),
    ("vias", {}, "(none)"),
    ("vias", [], "(none)"),
    ("octopus", {"status": 7}, "7"),
    # Batch counts come in the vendor's state order, unknown states last.
    ("vias_batch", {"batch_task_status_info": {"failed": 1, "zzz": 2, "running": 3, "stopped": 0}},
     "running=3,failed=1,zzz=2"),
    ("vias_batch", {"batch_task_status_info": {"running": 0}}, "(none)"),
    ("vias_batch", {"batch_task_status_info": None}, "(none)"),
    ("hilens", {"task_status": _pods("Running", "Failed", "Running", None)}, "Running=2,Failed=1"),
    ("hilens", {"task_status": [], "sum_pod_number": 1, "fail_pod_number": 1, "ok_pod_number": 0},
     "fail_pod_number=1,sum_pod_number=1"),
    ("hilens", {"task_status": []}, "(none)"),
])
def test_state_text(service, item, expected):
    assert KINDS[service].state_text(item) == expected


@pytest.mark.parametrize("service, first, second", [
    ("hilens", {"task_status": _pods("RUNNING", "FAILED")}, {"task_status": _pods("FAILED", "RUNNING")}),
    ("hilens", {"task_status": _pods("ZZZ", "AAA", "RUNNING")}, {"task_status": _pods("AAA", "RUNNING", "ZZZ")}),
    ("vias_batch", {"batch_task_status_info": {"zzz": 1, "aaa": 2, "running": 3}},
     {"batch_task_status_info": {"running": 3, "aaa": 2, "zzz": 1}}),
], ids=["hilens-pods", "hilens-unknown-statuses", "batch-unknown-states"])
def test_the_raw_state_does_not_depend_on_the_order_the_api_lists_its_parts(service, first, second):
    kind = KINDS[service]
    assert kind.state_text(first) == kind.state_text(second)
    assert kind.raw_states(first) == kind.raw_states(second)
    assert kind.describe(first, phase=kind.phase(first)) == kind.describe(second, phase=kind.phase(second))


def test_a_hilens_task_state_lists_its_pods_in_the_table_order():
    assert KINDS["hilens"].state_text({"task_status": _pods("FAILED", "RUNNING", "FAILED")}) == "RUNNING=1,FAILED=2"


@pytest.mark.parametrize("item, expected", [
    ({"id": "b", "batch_task_status_info": {}}, "vias_batch"),
    ({"task_id": "h", "task_status": []}, "hilens"),
    ({"task_id": "h", "sum_pod_number": 0}, "hilens"),
    ({"id": 1, "status": "RUNNING", "job_type": "FRAME_EXTRACT"}, "octopus"),
    ({"id": "t", "state": "RUNNING", "status": "detail"}, "vias"),
    ({"task": {"id": "t", "state": "RUNNING"}}, "vas"),
    ({"id": 1, "status": "RUNNING"}, None),
    ({"task_status": "RUNNING"}, None),
    ("RUNNING", None),
])
def test_detect_kind(item, expected):
    detected = detect_kind(item)
    assert (detected.name if detected else None) == expected


def test_summarize_counts_every_phase_and_raw_state():
    batches = [
        {"id": "a", "batch_task_status_info": {"running": 3, "failed": 1}},
        {"id": "b", "batch_task_status_info": {"running": 3, "failed": 1}},
        {"id": "c", "batch_task_status_info": {"succeeded": 2}},
        {"id": "d", "batch_task_status_info": {}},
    ]
    assert summarize(KINDS["vias_batch"], batches) == {
        "total": 4,
        "by_phase": {"pending": 0, "running": 0, "succeeded": 1, "failed": 2, "stopped": 0, "unknown": 1},
        "by_state": {"running=3,failed=1": 2, "succeeded=2": 1, "(none)": 1},
    }


@pytest.mark.parametrize("items", [[], None])
def test_summarize_nothing(items):
    assert summarize(KINDS["octopus"], items) == {
        "total": 0, "by_phase": dict.fromkeys(PHASES, 0), "by_state": {}}


def test_summarize_detects_the_service_of_each_item():
    items = [{"id": 1, "status": "FINISHED", "job_type": "FRAME_EXTRACT"}, {"id": "t", "state": "RUNNING"}]
    summary = summarize(None, items)
    assert summary["by_phase"]["succeeded"] == 1
    assert summary["by_phase"]["running"] == 1
    assert summary["by_state"] == {"FINISHED": 1, "RUNNING": 1}


def test_summarize_reuses_the_phase_a_module_computed():
    # The modules have just set ``phase`` on every item; counting it again would cost a second judgement per item.
    items = [
        {"id": "a", "state": "RUNNING", "phase": "running"},
        {"id": "b", "state": "RUNNING", "phase": "succeeded"},  # only reuse can count this as succeeded
        {"id": "c", "state": "FAILED"},  # no phase: judged
        {"id": "d", "state": "RUNNING", "phase": "not-a-phase"},  # not one of ours: judged
    ]
    reused = summarize(KINDS["vias"], items, reuse_phase=True)
    assert reused["by_phase"] == {"pending": 0, "running": 2, "succeeded": 1, "failed": 1, "stopped": 0, "unknown": 0}
    assert reused["by_state"] == {"RUNNING": 3, "FAILED": 1}
    judged = summarize(KINDS["vias"], items)
    assert judged["by_phase"]["running"] == 3 and judged["by_phase"]["succeeded"] == 0


def test_summarize_without_service_refuses_anonymous_items():
    with pytest.raises(ValueError, match="cannot tell which service"):
        summarize(None, [{"id": 1}])


@pytest.mark.parametrize("service, item, expected", [
    ("vias", {"state": "running"}, ["RUNNING"]),
    ("vas", {"task": {"state": "FROZEN"}}, ["FROZEN"]),
    ("octopus", {"status": "RUN_FAILED"}, ["RUN_FAILED"]),
    ("vias", {}, []),
    ("vias_batch", {"batch_task_status_info": {"failed": 1, "zzz": 2, "running": 3, "stopped": 0}}, ["RUNNING", "FAILED", "ZZZ"]),
    ("hilens", {"task_status": _pods("Running", "Failed", "Running", None)}, ["RUNNING", "FAILED"]),
    ("hilens", {"task_status": [], "fail_pod_number": 1}, []),
])
def test_raw_states_are_upper_case_in_the_documented_order(service, item, expected):
    assert KINDS[service].raw_states(item) == expected


def test_each_kind_describes_an_item_for_messages_and_reports():
    task = {"id": "t2", "name": "gate-2", "state": "START_FAILED", "error": {"code": "VIAS.20002", "message": "no resources"}}
    assert KINDS["vias"].describe(task) == {"id": "t2", "name": "gate-2", "state": "START_FAILED", "states": ["START_FAILED"],
                                            "phase": "failed", "reason": "VIAS.20002: no resources"}
    job = {"id": 7, "job_type": "FRAME_EXTRACT", "data_id": "d1", "status": "RUN_FAILED", "msg_error": "disk full"}
    assert KINDS["octopus"].describe(job)["name"] == "FRAME_EXTRACT d1"
    assert KINDS["octopus"].describe(job)["reason"] == "disk full"
    pods = {"task_id": "h1", "name": "cam", "task_status": [{"task_status": "FAILED", "cause": "OOM"}, {"task_status": "RUNNING"}]}
    assert KINDS["hilens"].describe(pods)["reason"] == "OOM"
    assert KINDS["hilens"].describe(pods)["id"] == "h1"


def test_the_kinds_state_lists_come_from_the_one_phase_table():
    for kind in KINDS.values():
        assert set(kind.states) <= set(PHASE_BY_STATE), kind.name
    assert "FINISHED" in KINDS["octopus"].states and "FINISHED" not in KINDS["vias"].states
    assert "LACK_OF_RESOURCES" in KINDS["vias_batch"].states
    assert KINDS["vias_batch"].filters["task_state"]["choices"] == [state.lower() for state in KINDS["vias_batch"].states]
    assert KINDS["octopus"].filters["statuses"]["choices"] == list(KINDS["octopus"].states)
    assert KINDS["vas"].filters["state"]["choices"] == list(KINDS["vas"].states)


def test_the_registry_holds_five_kinds_each_with_its_api():
    assert SERVICES == ("hilens", "vias", "vas", "octopus", "vias_batch")
    assert (KINDS["vas"].items_key, KINDS["vas"].item_key, KINDS["vas"].list_module) == ("tasks", "task", True)
    assert "state" in KINDS["vas"].filters and "service_name" in KINDS["vas"].selection
    assert KINDS["vias"].list_module is False
    for kind in KINDS.values():
        assert kind.id_field == (kind.list_api or kind.object_api).id_field
    assert KINDS["hilens"].id_field == "task_id"
