# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.hwcloud.tasks.plugins.module_utils import phase
from ansible_collections.hwcloud.tasks.plugins.module_utils.kinds import KINDS, phase_table_markdown, services_by_state

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
    assert services_by_state()[raw], "no service documents %s" % raw
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
    assert KINDS["hilens"].phase(task) == expected


def test_hilens_pods_win_over_counters():
    task = {"task_status": _pods("RUNNING"), "fail_pod_number": 1, "sum_pod_number": 1}
    assert KINDS["hilens"].phase(task) == "running"


def test_render_phase_table_markdown_has_one_row_per_state():
    lines = phase_table_markdown().splitlines()
    assert lines[0] == "| Raw state | Phase | Services | Meaning |"
    rows = lines[2:]
    assert len(rows) == len(EXPECTED_PHASES)
    for raw, expected in EXPECTED_PHASES:
        assert any(row.startswith("| `%s` | %s |" % (raw, expected)) for row in rows), raw
