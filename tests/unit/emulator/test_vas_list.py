"""The VAS task list (ListTasksDetails): filters, order, paging, validation, schedules, gateway."""

import time

import pytest
import requests

SERVICE = "c-queue-status-analysis-edge"
LIST = "/v2/{project}/services/%s/tasks" % SERVICE
STATES = {"PENDING", "RECOVERING", "STARTING", "UPGRADING", "CREATE_FAILED", "START_FAILED", "RUNNING",
          "STOPPING", "STOPPED", "ABNORMAL", "SUCCEEDED", "FAILED", "DELETING", "FREEZING", "FROZEN"}


def ok(response):
    assert response.status_code == 200, response.text
    return response.json()


def everything(api, **params):
    tasks, offset = [], 0
    while True:
        body = ok(api(LIST, {**params, "offset": offset, "limit": 100}))
        tasks += body["tasks"]
        offset += 100
        if offset >= body["count"]:
            assert len(tasks) == body["count"]
            return tasks


def single(api, task_id):
    body = ok(api(f"/v2/{{project}}/services/{SERVICE}/tasks/{task_id}"))
    return body.get("task", body)


def test_walk_default_order_and_item_shape(emulator, api):
    body = ok(api(LIST))
    assert body["count"] == 200 == emulator.data["vas_task_count"] and len(body["tasks"]) == 10
    tasks = everything(api)
    assert len({t["id"] for t in tasks}) == 200
    assert [t["created_at"] for t in tasks] == sorted((t["created_at"] for t in tasks), reverse=True)
    for task in tasks[:25]:
        assert task == single(api, task["id"]) and "hosting_result" not in task


def test_the_data_set_is_rich_enough_to_filter(emulator, api):
    tasks = everything(api)
    assert len({t["service_version"] for t in tasks}) >= 3
    assert set(emulator.data["vas_service_versions"]) == {t["service_version"] for t in tasks}
    assert any(" " in t["name"] for t in tasks) and any(not t["name"].isascii() for t in tasks)
    years = {t["created_at"][:7] for t in tasks}
    assert len(years) >= 10  # creation times spread over a year


def test_filters(api):
    tasks = everything(api)

    def count(**params):
        return ok(api(LIST, {**params, "limit": 1}))["count"]

    version = tasks[5]["service_version"]
    assert count(service_version=version) == sum(t["service_version"] == version for t in tasks) > 0
    assert count(state="RUNNING") == sum(t["state"] == "RUNNING" for t in tasks) > 0
    assert count(name_like="排队") == sum("排队" in t["name"] for t in tasks) > 0
    assert count(name_like="Queue at gate") == sum("Queue at gate" in t["name"] for t in tasks) > 0
    part = tasks[3]["id"][10:16]
    assert count(id_like=part) == sum(part in t["id"] for t in tasks) >= 1
    assert count(name_like="no such name") == 0 and count(service_version="9.9") == 0


def test_created_bounds_are_inclusive_epoch_milliseconds(emulator, api):
    records = sorted(emulator.state.store.vas.records, key=lambda r: r["created"])
    middle, later = records[100]["created"], records[150]["created"]

    def ids(**params):
        return {t["id"] for t in everything(api, **params)}

    assert ids(created_since=middle) == {r["id"] for r in records if r["created"] >= middle}
    assert ids(created_until=middle) == {r["id"] for r in records if r["created"] <= middle}
    assert ids(created_since=middle, created_until=later) == {r["id"] for r in records[100:151]}
    assert ids(created_since=later, created_until=middle) == set()


@pytest.mark.parametrize("order, key, reverse", [
    ("name:ASC", "name", False), ("name:DESC", "name", True), ("created_at:ASC", "created_at", False),
    ("created_at:DESC", "created_at", True), ("updated_at:ASC", "updated_at", False),
    ("updated_at:DESC", "updated_at", True)])
def test_orders(api, order, key, reverse):
    tasks = everything(api, order=order)
    values = [t[key] for t in tasks]
    assert values == sorted(values, reverse=reverse) and len(tasks) == 200


def test_paging_with_filters_is_consistent(api):
    everything_running = everything(api, state="RUNNING", order="name:ASC")
    pages = []
    for offset in range(0, len(everything_running), 7):
        pages += ok(api(LIST, {"state": "RUNNING", "order": "name:ASC", "offset": offset, "limit": 7}))["tasks"]
    assert pages == everything_running
    assert ok(api(LIST, {"offset": 5000})) == {"count": 200, "tasks": []}


@pytest.mark.parametrize("params, param", [
    ({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"offset": -1}, "offset"), ({"limit": "x"}, "limit"),
    ({"state": "running"}, "state"), ({"state": "MIGRATING"}, "state"), ({"order": "name"}, "order"),
    ({"order": "name:asc"}, "order"), ({"order": "id:ASC"}, "order"), ({"created_since": "yesterday"}, "created_since"),
    ({"created_until": "-5"}, "created_until"), ({"created_since": "1.5"}, "created_since"),
    ({"service_version": ""}, "service_version"), ({"id_like": "x" * 65}, "id_like")])
def test_bad_parameters_are_the_services_400(api, params, param):
    response = api(LIST, params)
    assert response.status_code == 400
    body = response.json()
    assert body["error_code"] == "IVA.10400" and param in body["error_msg"]


def test_unknown_service_is_404_like_the_single_task_route(api):
    response = api("/v2/{project}/services/no-such-service/tasks")
    single_task = api("/v2/{project}/services/no-such-service/tasks/" + "0" * 32)
    assert response.status_code == single_task.status_code == 404
    assert response.json() == single_task.json()


def test_scheduled_states_match_the_single_task_route(emulator, api):
    data = emulator.data
    task_ids = data["vas_task_ids_by_state"]["PENDING"][:3]
    emulator.admin("POST", "schedule", {"service": "vas", "ids": task_ids,
                                        "steps": [{"after": 0, "state": "FROZEN"}, {"after": 0.4, "state": "RUNNING"}]})
    frozen = everything(api, state="FROZEN")
    assert set(task_ids) <= {t["id"] for t in frozen}
    for task in frozen:
        assert task == single(api, task["id"])
    time.sleep(0.45)
    running = {t["id"]: t for t in everything(api, state="RUNNING")}
    for task_id in task_ids:
        assert running[task_id] == single(api, task_id) and running[task_id]["state"] == "RUNNING"
    newest = ok(api(LIST, {"order": "updated_at:DESC", "limit": 3}))["tasks"]
    assert {t["id"] for t in newest} == set(task_ids)  # the flip updated them


def test_the_gateway_applies(emulator, api):
    assert api(LIST, headers={}).status_code == 401
    assert api(LIST.replace("{project}", "f" * 32)).status_code == 403
    emulator.admin("POST", "faults", {"faults": [{"kind": "status", "status": 503, "match": "/services/"}]})
    assert api(LIST).status_code == 503
    emulator.admin("POST", "quota", {"rate": 1})
    assert api(LIST).status_code == 200 and api(LIST).status_code == 429
    assert emulator.admin("GET", "stats")["by_route"] == {"vas_tasks": 5}


def test_latency_applies(emulator):
    emulator.admin("POST", "faults", {"faults": [{"kind": "latency", "ms": 200, "match": "/tasks"}]})
    start = time.monotonic()
    url = emulator.url + LIST.format(project=emulator.credentials["project_id"])
    requests.get(url, headers={"X-Auth-Token": emulator.credentials["static_token"]}, timeout=10)
    assert time.monotonic() - start >= 0.2
