# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hwcloud.tasks.task_events, the Event-Driven Ansible source: its arguments, its comparison of two polls, and
``main(queue, args)`` against the emulator with scheduled transitions and faults, event by event."""

from __future__ import annotations

import json
import time

import pytest

RUNNING_SCENARIO = {
    "version": 1,
    "vas_tasks": [
        {"id": "a" * 32, "service": "c-watch", "name": "gate-1", "state": "RUNNING"},
        {"id": "b" * 32, "service": "c-watch", "name": "gate-2", "state": "RUNNING"},
        {"id": "c" * 32, "service": "c-watch", "name": "gate-3", "state": "PENDING"},
    ],
}


def bodies(events):
    assert all(set(event) == {"hwcloud_task_event"} for event in events), events
    return [event["hwcloud_task_event"] for event in events]


def summary(events):
    """(type, id, old_state, new_state) per event: what most tests compare."""
    return [(body["type"], body.get("id"), body.get("old_state"), body.get("new_state")) for body in bodies(events)]


@pytest.fixture
def scenario(emulator):  # noqa: F811 (conftest's fixture)
    """``scenario(document)``: load a scenario; the emulator's own data set comes back after the test."""
    loaded = []

    def load(document):
        loaded.append(True)
        return emulator.admin("POST", "scenario", document)

    yield load
    if loaded:
        emulator.admin("DELETE", "scenario")


def watch(source, args):
    return source["Watch"](args)


# -- arguments ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("args, message", [
    ({}, "missing required arguments: service"),
    ({"service": "ecs"}, "service must be one of"),
    ({"service": "vias", "project_id": "p"}, "one of the following is required: task_id, task_ids"),
    ({"service": "hilens", "project_id": "p", "deployment_id": "d", "wait_for": ["running"]}, "wait_for cannot be used to watch"),
    ({"service": "vas", "project_id": "p", "summary": True}, "summary cannot be used to watch"),
    ({"service": "vas", "project_id": "p", "offset": 10}, "offset and limit name one page"),
    ({"service": "vias_batch", "project_id": "p", "page_size": 10}, "page_num and limit name one page"),
    ({"service": "octopus", "project_id": "p", "colour": "red"}, "unknown option colour; the source takes access_key,"),
    ({"service": "octopus", "project_id": "p", "timeout": 0}, "timeout must be 1-3600"),
    ({"service": "octopus", "project_id": "p", "interval": 0}, "interval must be at least"),
    ({"service": "octopus", "project_id": "p", "max_polls": -1}, "max_polls must be at least 0"),
    ({"service": "octopus", "project_id": "p", "max_response_size": "9" * 400}, "max_response_size must be a number of bytes"),
    ({"service": "octopus", "project_id": "p", "max_response_size": "2G"}, "max_response_size must be 1024"),
    ({"service": "vas", "project_id": "p", "service_name": "s", "created_since": "yesterday"}, "created_since must be epoch milliseconds"),
], ids=["no-service", "unknown-service", "vias-without-ids", "wait", "summary", "one-page", "one-page-alias", "unknown-option",
        "range", "interval", "max-polls", "no-size", "size-range", "timestamp"])
def test_arguments_that_cannot_make_a_watch_are_refused_before_any_poll(source, args, message):
    with pytest.raises(source["TaskEventsError"]) as caught:
        watch(source, args)
    assert message in str(caught.value)


@pytest.mark.parametrize("service, given, nearest", [
    ("vias_batch", "intervall", "interval"),
    ("vias_batch", "name_lik", "name_like"),
    ("octopus", "status", "statuses"),
    ("hilens", "max_run_tim", "max_run_time"),
])
def test_an_unknown_option_gets_the_nearest_name_the_source_takes(source, service, given, nearest):
    with pytest.raises(source["TaskEventsError"]) as caught:
        watch(source, {"service": service, "project_id": "p", "deployment_id": "d", given: "x"} if service == "hilens"
              else {"service": service, "project_id": "p", given: "x"})
    assert "unknown option %s (did you mean %s?)" % (given, nearest) in str(caught.value)


@pytest.mark.parametrize("service", ["hilens", "vias", "vas", "octopus", "vias_batch"])
def test_the_options_an_unknown_option_error_lists_are_those_the_source_takes(source, service):
    """Every name listed is taken (none is refused), and the refused ones, the page options and the module's
    wait options are not listed."""
    with pytest.raises(source["TaskEventsError"]) as caught:
        watch(source, {"service": service, "project_id": "p", "no_such_option": 1})
    listed = str(caught.value).split("; the source takes ", 1)[1].split(", ")
    names = [entry.split(" (", 1)[0] for entry in listed]
    assert not set(names) & {"wait_for", "fail_on", "wait_timeout", "summary", "return_items", "limit", "offset", "page_num"}, names
    assert set(source["SOURCE_SPEC"]) <= set(names)
    selection = {"hilens": {"deployment_id": "d"}, "vias": {"task_ids": ["t"]}}.get(service, {})
    for name in names:
        if name in source["SOURCE_SPEC"]:
            continue
        args = dict(selection, service=service, project_id="p")
        try:
            watch(source, dict(args, **{name: _a_value(source, service, name)}))
        except source["TaskEventsError"] as exc:
            assert "unknown option" not in str(exc) and "cannot be used to watch" not in str(exc) and "name one page" not in str(exc), (name, exc)


def _a_value(source, service, name):
    """Some value of the option's type: the test asks only whether the name is taken."""
    kind = source["_import"]("plugins.module_utils.kinds").kind_of(service)
    spec = source["_import"]("plugins.modules." + kind.module).DECLARATION.argument_spec()[name]
    return {"int": 1, "float": 1.0, "bool": True, "list": ["x"], "raw": "64M"}.get(spec.get("type"), "x")


def test_a_refusal_never_shows_a_secret(source):
    with pytest.raises(source["TaskEventsError"]) as caught:
        watch(source, {"service": "octopus", "project_id": "p", "password": "hunter2-secret", "endpoint": "https://u:pw-secret@x", "timeout": 0})
    assert "hunter2-secret" not in str(caught.value) and "pw-secret" not in str(caught.value)


def test_environment_fallbacks_and_what_rulebook_adds_are_taken(source, monkeypatch):
    monkeypatch.setenv("HW_PROJECT_ID", "p-from-env")
    monkeypatch.setenv("HW_SECRET_KEY", "sk-from-env")
    watcher = watch(source, {"service": "vias", "task_ids": ["t1"], "eda_feedback_queue": object()})
    assert watcher.params["project_id"] == "p-from-env"
    assert "sk-from-env" in watcher.no_log_values
    assert watcher.options == {"service": "vias", "interval": 30, "max_backoff": 300, "initial_state": False, "fields": None,
                               "max_polls": 0, "max_run_time": 0}


def test_the_backoff_doubles_per_failed_poll_and_is_bounded(source):
    watcher = watch(source, {"service": "vias", "project_id": "p", "task_ids": ["t1"], "interval": 2, "max_backoff": 10})
    delays = []
    for failures in range(6):
        watcher.failed_in_a_row = failures
        delays.append(watcher.next_delay())
    assert delays == [2, 2, 4, 8, 10, 10]
    watcher.options["max_backoff"] = 1  # never shorter than the interval
    assert watcher.next_delay() == 2


# -- comparing two polls (no server) ----------------------------------------------------------------------


def vias(task_id, state, **extra):
    return dict(id=task_id, name="task-" + task_id, state=state, **extra)


def test_the_first_poll_is_the_picture_and_later_polls_report_each_change_once(source):
    watcher = watch(source, {"service": "vias", "project_id": "p", "task_ids": ["1"]})
    assert watcher.events_of([vias("1", "RUNNING"), vias("2", "PENDING")], "t0") == []
    events = watcher.events_of([vias("2", "RUNNING"), vias("3", "PENDING"), vias("1", "RUNNING", status="reason changed only")], "t1")
    assert summary(events) == [("changed", "2", "PENDING", "RUNNING"), ("appeared", "3", None, "PENDING")]
    events = watcher.events_of([vias("3", "STARTING")], "t2")  # same phase (pending), another raw state
    # Those gone, in the order of the poll that saw them last.
    assert summary(events) == [("changed", "3", "PENDING", "STARTING"), ("disappeared", "2", "RUNNING", None),
                               ("disappeared", "1", "RUNNING", None)]
    gone = bodies(events)[2]
    assert gone["new_phase"] is None and gone["old_phase"] == "running" and gone["item"]["id"] == "1" and gone["seen_at"] == "t2"
    assert watcher.events_of([vias("3", "STARTING")], "t3") == []


def test_initial_state_reports_every_item_once_with_fields_only(source):
    watcher = watch(source, {"service": "vias", "project_id": "p", "task_ids": ["1"], "initial_state": True, "fields": ["name"]})
    events = watcher.events_of([vias("1", "FAILED", error={"code": "VIAS.1", "message": "boom"}), vias("1", "FAILED")], "t0")
    assert len(events) == 1
    body = bodies(events)[0]
    assert body == {"type": "initial", "service": "vias", "title": "VIAS task", "id": "1", "name": "task-1", "old_phase": None,
                    "new_phase": "failed", "old_state": None, "new_state": "FAILED", "reason": "VIAS.1: boom", "seen_at": "t0",
                    "poll": 0, "item": {"id": "1", "name": "task-1"}}


# -- main(queue, args) against the emulator -------------------------------------------------------------------------


def schedule_on(emulator, count, service, steps, **target):  # noqa: F811
    """A ``during`` callback: once ``count`` events were put, schedule ``steps`` (once), between two polls."""

    def during(events):
        if len(events) == count:
            emulator.admin("POST", "schedule", dict(target, service=service, steps=steps))

    return during


def test_a_scheduled_failure_is_one_changed_event(emulator, connection, run_source):  # noqa: F811
    running = emulator.data["vias_task_ids_by_state"]["RUNNING"][:2]
    fail_first = schedule_on(emulator, 2, "vias", [{"after": 0, "state": "FAILED"}], ids=running[:1])
    events = run_source(dict(connection, service="vias", task_ids=running, interval=0.1, max_polls=3, initial_state=True),
                        during=fail_first)
    assert summary(events) == [("initial", running[0], None, "RUNNING"), ("initial", running[1], None, "RUNNING"),
                               ("changed", running[0], "RUNNING", "FAILED")]
    changed = bodies(events)[2]
    assert changed["old_phase"] == "running" and changed["new_phase"] == "failed" and changed["reason"]
    assert changed["item"]["state"] == "FAILED" and changed["item"]["phase"] == "failed"
    assert changed["seen_at"].endswith("Z") and changed["poll"] == 2


def test_failed_polls_are_errors_and_the_change_behind_them_is_reported_once(emulator, connection, run_source):  # noqa: F811
    task = emulator.data["vias_task_ids_by_state"]["RUNNING"][0]
    # Poll 1 reads; polls 2 and 3 fail (503); the task fails while they do; polls 4 and 5 read again.
    emulator.admin("POST", "faults", {"faults": [{"kind": "status", "status": 503, "match": "/tasks/" + task, "after": 1, "times": 2}]})
    fail_it = schedule_on(emulator, 1, "vias", [{"after": 0, "state": "FAILED"}], ids=[task])
    events = run_source(dict(connection, service="vias", task_ids=[task], interval=0.2, max_polls=5), during=fail_it)
    assert summary(events) == [("error", None, None, None), ("error", None, None, None), ("changed", task, "RUNNING", "FAILED")]
    first, second, changed = bodies(events)
    assert (first["poll"], first["failed_polls"], first["retry_in"]) == (2, 1, 0.2)
    assert (second["poll"], second["failed_polls"], second["retry_in"]) == (3, 2, 0.4)
    assert first["status"] == 503 and "503" in first["message"] and first["service"] == "vias"
    assert changed["poll"] == 4


@pytest.mark.parametrize("retries, errors", [(0, 1), (1, 0)], ids=["no-retry-an-error", "a-retry-no-error"])
def test_a_transient_fault_that_a_retry_overcomes_is_no_error_event(emulator, connection, run_source, retries, errors):  # noqa: F811
    """retries (4 unless set) is the engine's: one 503 on the second poll is an error event only when no retry is left."""
    task = emulator.data["vias_task_ids_by_state"]["RUNNING"][0]
    emulator.admin("POST", "faults", {"faults": [{"kind": "status", "status": 503, "match": "/tasks/" + task, "after": 1, "times": 1}]})
    events = run_source(dict(connection, service="vias", task_ids=[task], interval=0.2, max_polls=3, retries=retries))
    assert [body["type"] for body in bodies(events)] == ["error"] * errors
    assert emulator.admin("GET", "faults")["faults"][0]["applied"] == 1  # the fault did hit a request


def test_an_incomplete_list_is_an_error_never_a_disappearance(emulator, connection, run_source):  # noqa: F811
    deployment = "dep-moving"
    emulator.admin("POST", "faults", {"faults": [{"kind": "short_page", "keep": 2, "match": "/deployments/%s/" % deployment,
                                                  "after": 1, "times": 6}]})
    # Each poll reads a short list three times (the reader's re-reads) before it gives up: two polls' worth.
    events = run_source(dict(connection, service="hilens", deployment_id=deployment, interval=0.1, max_polls=4))
    assert [body["type"] for body in bodies(events)] == ["error", "error"]
    assert all("incomplete read, not compared" in body["message"] for body in bodies(events))


def test_items_that_appear_and_disappear(emulator, connection, run_source, scenario):  # noqa: F811
    scenario(RUNNING_SCENARIO)
    replaced = dict(RUNNING_SCENARIO, vas_tasks=[
        dict(RUNNING_SCENARIO["vas_tasks"][0], state="FAILED"),
        RUNNING_SCENARIO["vas_tasks"][2],
        {"id": "d" * 32, "service": "c-watch", "name": "gate-4", "state": "STARTING"},
    ])

    def after_first_poll(events):
        if len(events) == 3:  # the three initial events
            scenario(replaced)

    events = run_source(dict(connection, service="vas", service_name="c-watch", interval=0.2, max_polls=3, initial_state=True,
                             order="name:ASC"), during=after_first_poll)
    assert summary(events) == [
        ("initial", "a" * 32, None, "RUNNING"), ("initial", "b" * 32, None, "RUNNING"), ("initial", "c" * 32, None, "PENDING"),
        ("changed", "a" * 32, "RUNNING", "FAILED"), ("appeared", "d" * 32, None, "STARTING"), ("disappeared", "b" * 32, "RUNNING", None),
    ]
    assert [body["name"] for body in bodies(events)[3:]] == ["gate-1", "gate-4", "gate-2"]


def test_hilens_pods_changing_state(emulator, connection, run_source):  # noqa: F811
    fail_all = schedule_on(emulator, 3, "hilens", [{"after": 0, "state": "FAILED"}], deployment_id="dep-small")
    events = run_source(dict(connection, service="hilens", deployment_id="dep-small", interval=0.1, max_polls=3, initial_state=True,
                             fields=["name"]), during=fail_all)
    assert emulator.data["hilens_deployments"]["dep-small"] == 3
    assert [body["type"] for body in bodies(events)] == ["initial"] * 3 + ["changed"] * 3
    changed = bodies(events)[3:]
    assert [body["id"] for body in changed] == [body["id"] for body in bodies(events)[:3]]
    assert all(body["new_phase"] == "failed" and body["new_state"].startswith("FAILED=") for body in changed)
    assert all(set(body["item"]) == {"task_id", "name", "phase"} for body in changed)


@pytest.mark.parametrize("service, size", [("octopus", "octopus_jobs"), ("vias_batch", "batch_tasks")])
def test_initial_state_of_a_whole_list_then_nothing(emulator, connection, run_source, service, size):  # noqa: F811
    events = run_source(dict(connection, service=service, interval=0.1, max_polls=2, initial_state=True))
    count = emulator.data["sizes"][size]
    assert [(body["type"], body["poll"]) for body in bodies(events)] == [("initial", 1)] * count
    assert len({str(body["id"]) for body in bodies(events)}) == count


def test_no_event_carries_a_secret(emulator, run_source):  # noqa: F811
    """IAM password login; the server echoes the issued token into its error message."""
    creds = emulator.credentials
    task = emulator.data["vias_task_ids_by_state"]["RUNNING"][0]
    emulator.admin("POST", "faults", {"faults": [{"kind": "status", "status": 403, "echo_token": True, "match": "/tasks/", "times": 2}]})
    args = dict(endpoint=emulator.url, iam_endpoint=emulator.url, project_id=creds["project_id"], user_name=creds["user_name"],
                password=creds["password"], domain_name=creds["domain_name"], retries=0, service="vias", task_ids=[task],
                interval=0.1, max_backoff=0.2, max_polls=4, initial_state=True)
    events = run_source(args)
    assert [body["type"] for body in bodies(events)] == ["error", "error", "initial"]
    issued = [token for token in emulator.state.tokens._tokens if token != creds["static_token"]]  # pylint: disable=protected-access
    assert issued
    text = json.dumps(events)
    for secret in issued + [creds["password"]]:
        assert secret not in text
    assert "403" in bodies(events)[0]["message"] and "********" in bodies(events)[0]["message"]


def test_a_source_stops_after_its_run_time(connection, run_source):
    start = time.monotonic()
    events = run_source(dict(connection, service="vias_batch", interval=5, max_run_time=0.5))
    assert events == [] and time.monotonic() - start < 3
