# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hwcloud.tasks.task_events during a rollout (issue 17): lists that move between the pages of a poll.

``main(queue, args)`` watches each of the four lists of an emulator whose churn rules delete running items and
insert new ones between pages (the issue's own case, and seeded random steps). An item that existed for the whole
watch must never be reported gone (``disappeared``) nor new (``appeared``), no item may get the same phase and
raw state twice in a row, and no event carries a traceback. A HiLens task whose pods are listed in another order
on every poll has not changed.
"""

from __future__ import annotations

import json

import pytest
import requests

PAGE = {"hilens": 100, "vas": 100, "octopus": 100, "vias_batch": 200}
ROUTE = {"hilens": "hilens_tasks", "vas": "vas_tasks", "octopus": "octopus_jobs", "vias_batch": "vias_batch_tasks"}
SELECTION = {"hilens": {"deployment_id": "dep-churn"}, "vas": {"service_name": "c-churn"}, "octopus": {}, "vias_batch": {}}
FAILED = {"hilens": {"pods": ["FAILED"]}, "vas": {"state": "FAILED"}, "octopus": {"state": "RUN_FAILED"},
          "vias_batch": {"counts": {"failed": 1}}}
RUNNING = {"hilens": {"pods": ["RUNNING"]}, "vas": {"state": "RUNNING"}, "octopus": {"state": "RUNNING"},
           "vias_batch": {"counts": {"running": 1}}}
NEWEST_MS = 1_733_000_000_000
# The case from the second poll on (the first is the picture): item 5 deleted and an item appended right
# after the first page is served; and seeded steps after a share of all page responses, the count kept or not.
ROLLOUTS = {
    "issue": {"trigger": "first_page", "delete_at": [5], "insert": 1, "where": "end", "after": 1, "times": 2},
    "seeded-1": {"trigger": "every_page", "share": 0.5, "times": 5, "seed": 1, "delete": 1, "insert": 1, "where": "random"},
    "seeded-2": {"trigger": "every_page", "share": 0.5, "times": 5, "seed": 2, "delete": 2, "insert": 2, "where": "front",
                 "delay_first_page_ms": 100},
    "seeded-3": {"trigger": "every_page", "share": 0.5, "times": 5, "seed": 3, "delete": 1, "insert": 2, "where": "middle"},
}


def rollout(service, churn):
    """Two pages of ``service``'s list, the first of page 2 failed (and two more failed items), moved by ``churn``."""
    size, failed = 2 * PAGE[service], {PAGE[service], PAGE[service] // 2, PAGE[service] + 7}
    items = []
    for position in range(size):
        item = dict(FAILED[service] if position in failed else RUNNING[service])
        if service != "hilens":
            item["created_at"] = NEWEST_MS - 1000 * position  # newest first: position in the list
        if service in ("hilens", "vas", "vias_batch"):
            item["name"] = "item-%03d" % position
        if service == "vas":
            item["service"] = "c-churn"
        items.append(item)
    key = {"hilens": "hilens_deployments", "vas": "vas_tasks", "octopus": "octopus_jobs", "vias_batch": "batch_tasks"}[service]
    document = {"version": 1, key: [{"id": "dep-churn", "tasks": items}] if service == "hilens" else items}
    document["churn"] = [dict(churn, route=ROUTE[service], **({"deployment_id": "dep-churn"} if service == "hilens" else
                                                              {"service": "c-churn"} if service == "vas" else {}))]
    return document


@pytest.fixture
def load(emulator):  # noqa: F811 (conftest's fixture)
    """``load(document)``: the scenario's ids; the emulator's own data set comes back after the test."""
    yield lambda document: emulator.admin("POST", "scenario", document)["ids"]
    emulator.admin("DELETE", "scenario")


def bodies_of(events):
    return [event["hwcloud_task_event"] for event in events]


def repeated(bodies):
    """(id, phase, state) of every item given the same phase and raw state twice in a row."""
    last, twice = {}, []
    for body in bodies:
        if body["type"] == "error":
            continue
        key = str(body["id"])
        now = (body["new_phase"], body["new_state"])
        if body["type"] != "disappeared" and last.get(key) == now:
            twice.append((key,) + now)
        last[key] = now if body["type"] != "disappeared" else None
    return twice


@pytest.mark.parametrize("name", sorted(ROLLOUTS))
@pytest.mark.parametrize("service", sorted(PAGE))
def test_a_moving_list_never_reports_a_lasting_item_gone_new_or_twice(emulator, connection, run_source, load, service, name):  # noqa: F811
    ids = load(rollout(service, ROLLOUTS[name]))
    at_start = [str(item) for item in (ids["hilens"]["dep-churn"] if service == "hilens" else ids[service])]
    events = run_source(dict(connection, service=service, interval=0.1, max_polls=5, initial_state=True, fields=["name"],
                             **SELECTION[service]))
    churn = emulator.admin("GET", "churn")["rules"][0]
    deleted, inserted = set(map(str, churn["deleted"])), set(map(str, churn["inserted"]))
    assert churn["steps"] >= 1 and deleted | inserted, "the list never moved: %s" % churn
    bodies = bodies_of(events)
    lasting = set(at_start) - deleted
    false_gone = [body["id"] for body in bodies if body["type"] == "disappeared" and str(body["id"]) in lasting]
    false_new = [body["id"] for body in bodies if body["type"] == "appeared" and str(body["id"]) not in inserted]
    print("churn events %s %s: %d events (%d errors), %d false disappeared, %d false appeared, %d repeated, %d steps" % (
        service, name, len(bodies), sum(body["type"] == "error" for body in bodies), len(false_gone), len(false_new),
        len(repeated(bodies)), churn["steps"]))
    assert not false_gone, "%d item(s) that existed the whole time reported disappeared: %s" % (len(false_gone), false_gone)
    assert not false_new, "%d item(s) that existed from the start reported appeared: %s" % (len(false_new), false_new)
    assert not repeated(bodies), "the same phase and raw state twice in a row: %s" % repeated(bodies)
    pictured = {str(body["id"]) for body in bodies if body["type"] == "initial"}
    unknown = pictured - set(at_start) - inserted
    assert lasting <= pictured and not unknown, "the first complete poll was no picture of the list: %d lasting missing, %d unknown" % (
        len(lasting - pictured), len(unknown))
    assert "Traceback" not in json.dumps(bodies)


def pod_order(emulator, deployment_id):  # noqa: F811
    """The pod statuses of the deployment's first task, in the order one answer lists them."""
    url = "%s/v3/%s/ai-mgr/deployments/%s/tasks" % (emulator.url, emulator.credentials["project_id"], deployment_id)
    answer = requests.get(url, headers={"X-Auth-Token": emulator.credentials["static_token"]}, timeout=10).json()
    return [pod["task_status"] for pod in answer["tasks"][0]["task_status"]]


def test_pods_listed_in_another_order_on_every_poll_are_no_change(emulator, connection, run_source, load):  # noqa: F811
    load({"version": 1, "hilens_deployments": [{"id": "dep-shuffled", "shuffle_pods": True, "tasks": [
        {"name": "half-failed", "pods": ["RUNNING", "FAILED"]},
        {"name": "three-pods", "pods": ["RUNNING", "PENDING", "FAILED"]},
        {"name": "one-pod", "pods": ["RUNNING"]}]}]})
    orders = [pod_order(emulator, "dep-shuffled") for _read in range(2)]
    assert orders == [["RUNNING", "FAILED"], ["FAILED", "RUNNING"]], "the emulator did not list the pods in another order"
    events = run_source(dict(connection, service="hilens", deployment_id="dep-shuffled", interval=0.1, max_polls=4, initial_state=True))
    bodies = bodies_of(events)
    assert [body["type"] for body in bodies] == ["initial"] * 3, "pods listed in another order made events: %s" % [
        (body["type"], body["name"], body["old_state"], body["new_state"]) for body in bodies]
