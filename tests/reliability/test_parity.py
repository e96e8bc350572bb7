# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parity of the two front-ends: the same calls, in process and as shipped modules, return the same results.

One playbook of calls that cover every module and every way a call ends (objects, lists, one
page, summaries, fields, VAS list filters, waits that succeed, time out and meet a forbidden
phase, check mode, environment fallbacks, bad types, bad ranges, unknown options, API errors)
runs twice, each time against a fresh emulator holding the same data: once as users run it
(local connection, in process) and once with HWCLOUD_TASKS_IN_PROCESS=0 (the shipped modules).
Every registered result must be equal, but for what measures time and the request ids the
emulator draws at random.
"""

from __future__ import annotations

import re

import pytest

from reliability_support import EXECUTION_PATHS, Call, connection, run_concurrently, run_playbook
from hwcloud_emulator import start_emulator

# Keys whose values measure time, anywhere in a result.
TIMED_KEYS = {"waited", "watched_seconds", "seconds", "elapsed", "at", "started", "ended"}
REQUEST_ID = re.compile(r"(request id )[0-9a-f]{32}")
SECONDS = re.compile(r"\b\d+\.\d s\b")
# Each path has an emulator of its own, on a port of its own.
EMULATOR = re.compile(r"127\.0\.0\.1:\d+")


def calls(data):
    """The calls of the parity playbook, each registered under its own key."""
    vias, vas = data["vias_task_ids"], data["vas_task_ids"]
    running_vias = data["vias_task_ids_by_state"]["RUNNING"]
    return [
        Call("hilens_all", "hilens_task_info", {"deployment_id": "dep-small"}),
        Call("hilens_summary", "hilens_task_info", {"deployment_id": "dep-large", "summary": True, "return_items": False}),
        Call("hilens_fields", "hilens_task_info", {"deployment_id": "dep-small", "fields": ["task_id", "task_name"]}),
        Call("hilens_page", "hilens_task_info", {"deployment_id": "dep-large", "offset": 40, "limit": 20}),
        Call("hilens_missing", "hilens_task_info", {"deployment_id": "dep-none"}),
        Call("vias_one", "vias_task_info", {"task_id": vias[0]}),
        Call("vias_many", "vias_task_info", {"task_ids": vias[:4]}),
        Call("vias_wait_ok", "vias_task_info", {"task_ids": running_vias[:2], "wait_for": ["running"], "wait_timeout": 5, "wait_sleep": 1}),
        Call("vias_wait_timeout", "vias_task_info", {
            "task_ids": data["vias_task_ids_by_state"]["PENDING"][:1], "wait_for": ["running"], "wait_timeout": 2, "wait_sleep": 1, "fail_on": []}),
        Call("vias_forbidden", "vias_task_info", {
            "task_ids": data["vias_task_ids_by_state"]["FAILED"][:1], "wait_for": ["running"], "wait_timeout": 5, "wait_sleep": 1}),
        Call("vias_missing", "vias_task_info", {"task_id": "0" * 32}),
        Call("vias_malformed", "vias_task_info", {"task_id": "../tasks"}),
        Call("vas_one", "vas_task_info", {"task_id": vas[0], "service_name": data["vas_service_name"]}),
        Call("vas_list", "vas_task_info", {"service_name": data["vas_service_name"]}),
        Call("vas_list_filtered", "vas_task_info", {"service_name": data["vas_service_name"], "state": "RUNNING", "summary": True,
                                                    "fields": ["id", "name", "state"]}),
        Call("octopus_all", "octopus_system_job_info", {}),
        Call("octopus_filtered", "octopus_system_job_info", {"statuses": ["RUNNING"], "summary": True}),
        Call("batch_all", "vias_batch_task_info", {"fields": ["id", "name"]}),
        Call("batch_page", "vias_batch_task_info", {"page_num": 2, "page_size": 10}),
        Call("check_mode", "vias_task_info", {"task_id": vias[1]}, check_mode=True),
        Call("bad_type", "hilens_task_info", {"deployment_id": "dep-small", "limit": "ten"}),
        # A float option given a word: both paths name the type as a module receives it, <class 'str'>
        # (in process, not ansible-core's tagged subclass of str).
        Call("bad_float", "vias_task_info", {"task_id": vias[0], "wait_for": ["running"], "wait_timeout": "soon"}),
        Call("bad_range", "hilens_task_info", {"deployment_id": "dep-small", "limit": 1000}),
        Call("unknown_option", "vias_task_info", {"task_id": vias[0], "colour": "red"}),
        Call("exclusive", "vias_task_info", {"task_id": vias[0], "task_ids": vias[:2]}),
        Call("bad_choice", "octopus_system_job_info", {"schema_validation": "sometimes"}),
        Call("bad_phase", "vias_task_info", {"task_id": vias[0], "wait_for": ["runing"]}),
        # project_id from the task's environment: the only call that does not set it (see parity_runs).
        Call("from_environment", "vias_task_info", {"task_id": vias[2]}, environment={"HW_PROJECT_ID": data["project_id"]}),
    ]


def normalized(value):
    """``value`` without what measures time or was drawn at random (request ids, the emulator's port)."""
    if isinstance(value, dict):
        return dict((key, normalized(item)) for key, item in value.items() if key not in TIMED_KEYS and key != "request_id")
    if isinstance(value, list):
        return [normalized(item) for item in value]
    if isinstance(value, str):
        return EMULATOR.sub("<emulator>", SECONDS.sub("N s", REQUEST_ID.sub(r"\1<id>", value)))
    return value


@pytest.fixture(scope="module")
def parity_runs(ansible_env, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("parity")

    def job(path):
        def run():
            with start_emulator(tasks=40, sizes={"hilens_tasks": 400, "octopus_jobs": 150, "batch_tasks": 300, "vas_tasks": 60}) as emulator:
                options = connection(emulator)
                project_id = options.pop("project_id")
                planned = calls(emulator.data)
                for call in planned:
                    if call.key != "from_environment":
                        call.args.setdefault("project_id", project_id)
                return run_playbook(dict(ansible_env, **EXECUTION_PATHS[path]), planned, module_defaults=options,
                                    workdir=workdir / path), emulator.data
        return run

    (in_process, data), (shipped, _same) = run_concurrently([job("in_process"), job("module")], workers=2)
    return in_process, shipped, data


def test_every_call_ran_in_both_paths(parity_runs):
    in_process, shipped, data = parity_runs
    keys = [call.key for call in calls(data)]
    for run in (in_process, shipped):
        assert sorted(run.results) == sorted(keys), run.output[-3000:]
    # Both kinds of ending are covered: the comparison below is not of successes only.
    assert sum(1 for key in keys if in_process[key].get("failed")) >= 10
    assert sum(1 for key in keys if not in_process[key].get("failed")) >= 12


@pytest.mark.parametrize("key", [call.key for call in calls({
    "vias_task_ids": ["x"] * 4, "vas_task_ids": ["x"], "vias_task_ids_by_state": {"RUNNING": ["x"], "PENDING": ["x"], "FAILED": ["x"]},
    "vas_service_name": "x", "project_id": "x"})])
def test_both_paths_return_the_same_result(parity_runs, key):
    in_process, shipped, _data = parity_runs
    mine, theirs = normalized(in_process[key]), normalized(shipped[key])
    # What only one path adds: the shipped module's own bookkeeping.
    for result in (mine, theirs):
        for extra in ("deprecations", "_ansible_no_log", "exception"):
            result.pop(extra, None)
    if mine != theirs:
        differing = sorted(name for name in set(mine) | set(theirs) if mine.get(name) != theirs.get(name))
        pytest.fail("%s differs in %s:\nin process: %s\nmodule:     %s" % (
            key, differing, dict((name, mine.get(name)) for name in differing), dict((name, theirs.get(name)) for name in differing)))
