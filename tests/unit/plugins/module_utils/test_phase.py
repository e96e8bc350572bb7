# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.hwcloud.tasks.plugins.module_utils import phase

# Every raw state of the vendor pages with the phase it must map to. Written
# out here, not read from the table, so dropping or changing a row fails.
EXPECTED_PHASES = [
    # VIAS / VAS `state` (and batch `task_state`, in lower case)
    ("PENDING", "pending"),
    ("RECOVERING", "pending"),
    ("STARTING", "pending"),
    ("UPGRADING", "pending"),
    ("CREATE_FAILED", "failed"),
    ("START_FAILED", "failed"),
    ("RUNNING", "running"),
    ("STOPPING", "stopped"),
    ("STOPPED", "stopped"),
    ("ABNORMAL", "failed"),
    ("SUCCEEDED", "succeeded"),
    ("FAILED", "failed"),
    ("DELETING", "stopped"),
    ("FREEZING", "stopped"),
    ("FROZEN", "stopped"),
    # batch `task_state` only
    ("STOPPED_NO_SERVICE", "pending"),
    ("SCHEDULING", "pending"),
    ("LACK_OF_RESOURCES", "failed"),
    # Octopus `status` (RUNNING and STOPPED above)
    ("QUEUING", "pending"),
    ("SUBMIT_FAILED", "failed"),
    ("RUN_FAILED", "failed"),
    ("FINISHED", "succeeded"),
    ("LAUNCHING", "pending"),
    ("UPLOADING", "running"),
    ("UPLOAD_FAILED", "failed"),
]

# The lower-case keys of `batch_task_status_info`, as the batch page lists them.
BATCH_STATES = [
    ("pending", "pending"),
    ("recovering", "pending"),
    ("starting", "pending"),
    ("upgrading", "pending"),
    ("create_failed", "failed"),
    ("start_failed", "failed"),
    ("running", "running"),
    ("stopping", "stopped"),
    ("stopped", "stopped"),
    ("abnormal", "failed"),
    ("succeeded", "succeeded"),
    ("failed", "failed"),
    ("deleting", "stopped"),
    ("freezing", "stopped"),
    ("frozen", "stopped"),
    ("stopped_no_service", "pending"),
    ("scheduling", "pending"),
    ("lack_of_resources", "failed"),
]


@pytest.mark.parametrize("raw, expected", EXPECTED_PHASES, ids=[pair[0] for pair in EXPECTED_PHASES])
def test_phase_of_state(raw, expected):
    assert phase.phase_of_state(raw) == expected


@pytest.mark.parametrize("raw, expected", BATCH_STATES, ids=[pair[0] for pair in BATCH_STATES])
def test_batch_state_counts_map_through_the_same_table(raw, expected):
    assert phase.phase_of_state(raw) == expected
    assert phase.phase_of_counts({raw: 2}) == expected


def test_table_holds_exactly_the_documented_states():
    assert set(phase.PHASE_BY_STATE) == {pair[0] for pair in EXPECTED_PHASES}


@pytest.mark.parametrize("raw", sorted(phase.PHASE_BY_STATE))
def test_every_row_is_complete(raw):
    info = phase.PHASE_BY_STATE[raw]
    assert raw == raw.upper()
    assert info.phase in phase.PHASES
    assert info.services and set(info.services) <= set(phase.SERVICES)
    assert info.meaning.strip()


@pytest.mark.parametrize("raw", ["running", "Running", " RUNNING ", "rUnNiNg"])
def test_lookup_ignores_case_and_surrounding_blanks(raw):
    assert phase.phase_of_state(raw) == "running"


@pytest.mark.parametrize("raw", [None, "", "MIGRATING", 3, 2.5, True, ["RUNNING"], {"state": "RUNNING"}, b"RUNNING"])
def test_anything_else_is_unknown(raw):
    assert phase.phase_of_state(raw) == "unknown"


@settings(database=None, max_examples=300)
@given(st.one_of(st.text(), st.none(), st.integers(), st.floats(), st.binary(), st.lists(st.text())))
def test_phase_of_state_never_raises(raw):
    assert phase.phase_of_state(raw) in phase.PHASES


@pytest.mark.parametrize("counts, expected", [
    ({"running": 3, "failed": 1}, "failed"),
    ({"succeeded": 9, "lack_of_resources": 1}, "failed"),
    ({"running": 3, "migrating": 1}, "unknown"),
    ({"pending": 1, "running": 3}, "pending"),
    ({"scheduling": 1, "succeeded": 3}, "pending"),
    ({"running": 1, "stopped": 3}, "running"),
    ({"stopped": 1, "succeeded": 3}, "stopped"),
    ({"succeeded": 4}, "succeeded"),
    ({"succeeded": 4, "failed": 0, "running": None}, "succeeded"),
    ({}, "unknown"),
    ({"running": 0, "failed": 0}, "unknown"),
    ({"running": True}, "unknown"),
    ({"running": "3"}, "unknown"),
    ({"running": -1}, "unknown"),
    (None, "unknown"),
    (["running"], "unknown"),
], ids=repr)
def test_phase_of_counts(counts, expected):
    assert phase.phase_of_counts(counts) == expected


def _pods(*statuses):
    return [{"pod_id": "pod-%d" % index, "task_status": status} for index, status in enumerate(statuses)]


@pytest.mark.parametrize("task, expected", [
    ({"task_status": _pods("RUNNING", "RUNNING")}, "running"),
    ({"task_status": _pods("Running", "Failed")}, "failed"),
    ({"task_status": _pods("SUCCEEDED", "PENDING")}, "pending"),
    ({"task_status": _pods("succeeded", "succeeded")}, "succeeded"),
    # The counters decide when the pods give no answer.
    ({"task_status": [], "fail_pod_number": 1, "sum_pod_number": 1}, "failed"),
    ({"task_status": _pods("Deploying"), "pending_pod_number": 1, "sum_pod_number": 1}, "pending"),
    ({"task_status": _pods(None), "cur_pod_number": 2, "sum_pod_number": 2}, "running"),
    ({"ok_pod_number": 2, "sum_pod_number": 2}, "succeeded"),
    ({"ok_pod_number": 1, "sum_pod_number": 2}, "unknown"),
    ({"ok_pod_number": 0, "sum_pod_number": 0}, "unknown"),
    ({"fail_pod_number": 1, "pending_pod_number": 1, "cur_pod_number": 1}, "failed"),
    ({"pending_pod_number": 1, "cur_pod_number": 1}, "pending"),
    ({"fail_pod_number": None, "cur_pod_number": "1"}, "unknown"),
    ({"task_status": "RUNNING"}, "unknown"),
    ({}, "unknown"),
], ids=repr)
def test_phase_of_hilens_task(task, expected):
    assert phase.phase_of_hilens_task(task) == expected


def test_hilens_pods_win_over_counters():
    task = {"task_status": _pods("RUNNING"), "fail_pod_number": 1, "sum_pod_number": 1}
    assert phase.phase_of_hilens_task(task) == "running"


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
    assert phase.phase_of_item(service, item) == expected


@pytest.mark.parametrize("function", [phase.phase_of_item, phase.raw_state_of])
def test_unknown_service_is_refused(function):
    with pytest.raises(ValueError, match="unknown service 'iva'"):
        function("iva", {"state": "RUNNING"})


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
def test_raw_state_of(service, item, expected):
    assert phase.raw_state_of(service, item) == expected


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
def test_detect_service(item, expected):
    assert phase.detect_service(item) == expected


def test_summarize_counts_every_phase_and_raw_state():
    batches = [
        {"id": "a", "batch_task_status_info": {"running": 3, "failed": 1}},
        {"id": "b", "batch_task_status_info": {"running": 3, "failed": 1}},
        {"id": "c", "batch_task_status_info": {"succeeded": 2}},
        {"id": "d", "batch_task_status_info": {}},
    ]
    assert phase.summarize("vias_batch", batches) == {
        "total": 4,
        "by_phase": {"pending": 0, "running": 0, "succeeded": 1, "failed": 2, "stopped": 0, "unknown": 1},
        "by_state": {"running=3,failed=1": 2, "succeeded=2": 1, "(none)": 1},
    }


@pytest.mark.parametrize("items", [[], None])
def test_summarize_nothing(items):
    assert phase.summarize("octopus", items) == {
        "total": 0, "by_phase": dict.fromkeys(phase.PHASES, 0), "by_state": {}}


def test_summarize_detects_the_service_of_each_item():
    items = [{"id": 1, "status": "FINISHED", "job_type": "FRAME_EXTRACT"}, {"id": "t", "state": "RUNNING"}]
    summary = phase.summarize(None, items)
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
    reused = phase.summarize("vias", items, reuse_phase=True)
    assert reused["by_phase"] == {"pending": 0, "running": 2, "succeeded": 1, "failed": 1, "stopped": 0, "unknown": 0}
    assert reused["by_state"] == {"RUNNING": 3, "FAILED": 1}
    judged = phase.summarize("vias", items)
    assert judged["by_phase"]["running"] == 3 and judged["by_phase"]["succeeded"] == 0


def test_summarize_without_service_refuses_anonymous_items():
    with pytest.raises(ValueError, match="cannot tell which service"):
        phase.summarize(None, [{"id": 1}])


def test_render_phase_table_markdown_has_one_row_per_state():
    lines = phase.render_phase_table_markdown().splitlines()
    assert lines[0] == "| Raw state | Phase | Services | Meaning |"
    rows = lines[2:]
    assert len(rows) == len(EXPECTED_PHASES)
    for raw, expected in EXPECTED_PHASES:
        assert any(row.startswith("| `%s` | %s |" % (raw, expected)) for row in rows), raw
