"""Paging, totals, filters, sorting and parameter validation of the five APIs."""

import pytest

HILENS = "/v3/{project}/ai-mgr/deployments/%s/tasks"
OCTOPUS = "/v1.0/{project}/data/system-jobs"
BATCH = "/v2/{project}/batch-tasks"
VIAS_ERROR_KEYS = {"error_code", "error_msg", "detail", "params", "reason", "advice"}


def ok(response):
    assert response.status_code == 200, response.text
    return response.json()


def assert_400(response, verbose=False, param=None):
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error_code"] and body["error_msg"]
    if verbose:
        assert set(body) == VIAS_ERROR_KEYS
        if param:
            assert body["params"] == [param]


def walk_hilens(api, deployment, limit):
    offset, seen = 0, []
    while True:
        body = ok(api(HILENS % deployment, {"offset": offset, "limit": limit}))
        seen += [t["task_id"] for t in body["tasks"]]
        offset += limit
        if offset >= body["count"]:
            return body["count"], seen


def test_hilens_walk_every_task_once(emulator, api):
    count, ids = walk_hilens(api, "dep-large", 7)
    assert count == emulator.data["hilens_deployments"]["dep-large"] == 200
    assert len(ids) == len(set(ids)) == 200
    assert ok(api(HILENS % "dep-large"))["tasks"][0]["task_id"] == ids[0]  # default limit 100, stable
    assert len(ok(api(HILENS % "dep-large"))["tasks"]) == 100


def test_hilens_small_empty_unknown(api):
    assert ok(api(HILENS % "dep-small"))["count"] == 3
    assert ok(api(HILENS % "dep-empty")) == {"count": 0, "tasks": []}
    assert ok(api(HILENS % "dep-small", {"offset": 50})) == {"count": 3, "tasks": []}
    missing = api(HILENS % "dep-nope")
    assert missing.status_code == 404 and missing.json()["error_code"].startswith("HiLens.")


def test_hilens_task_shape_and_counters(api):
    body = ok(api(HILENS % "dep-large", {"limit": 100}))
    statuses = set()
    for task in body["tasks"]:
        for key in ("name", "timestamp", "description", "streams", "task_id", "user_task_id",
                    "start_time_info", "source_usage_estimate"):
            assert key in task
        pods = task["task_status"]
        raw = [p["task_status"] for p in pods]
        statuses.update(raw)
        assert task["sum_pod_number"] == len(pods)
        assert task["cur_pod_number"] == raw.count("RUNNING")
        assert task["fail_pod_number"] == raw.count("FAILED")
        assert task["ok_pod_number"] == raw.count("SUCCEEDED")
        assert task["pending_pod_number"] == raw.count("PENDING") + raw.count("STARTING")
        assert all(("cause" in p) == (p["task_status"] == "FAILED") for p in pods)
    assert {"RUNNING", "PENDING", "FAILED", "MIGRATING"} <= statuses


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"offset": -1}, {"limit": "ten"}])
def test_hilens_validation(api, params):
    assert_400(api(HILENS % "dep-small", params))


def test_octopus_walk_and_default_sort(emulator, api):
    seen, offset = [], 0
    while True:
        body = ok(api(OCTOPUS, {"offset": offset, "limit": 9}))
        page = body["payload"]["list"]
        assert body["payload"]["page_info"] == {"offset": offset, "limit": 9, "total": 200}
        assert body["meta_info"]["current_time"].endswith("Z")
        seen += page
        offset += 9
        if offset >= body["payload"]["page_info"]["total"]:
            break
    ids = [j["id"] for j in seen]
    assert len(ids) == len(set(ids)) == 200
    assert [j["create_at"] for j in seen] == sorted((j["create_at"] for j in seen), reverse=True)
    assert len(ok(api(OCTOPUS))["payload"]["list"]) == 10


def test_octopus_job_fields(api):
    jobs = ok(api(OCTOPUS, {"limit": 100}))["payload"]["list"]
    for job in jobs:
        assert isinstance(job["id"], int) and isinstance(job["create_at"], int)
        assert ("msg_code" in job) == (job["status"] in {"SUBMIT_FAILED", "RUN_FAILED", "UPLOAD_FAILED"})
        assert ("end_at" in job) <= ("start_at" in job) == ("running_duration" in job)
        if job["status"] in {"QUEUING", "LAUNCHING", "SUBMIT_FAILED"}:
            assert "start_at" not in job


@pytest.mark.parametrize("sort, key, reverse", [
    ("create_at,asc", "create_at", False), ("update_at,desc", "update_at", True),
    ("id,asc", "id", False), ("id", "id", True)])
def test_octopus_sort(api, sort, key, reverse):
    jobs = ok(api(OCTOPUS, {"sort": sort, "limit": 100}))["payload"]["list"]
    values = [j[key] for j in jobs]
    assert values == sorted(values, reverse=reverse)


def test_octopus_filters(emulator, api):
    everything = ok(api(OCTOPUS, {"limit": 100, "sort": "id,asc"}))["payload"]["list"]
    everything += ok(api(OCTOPUS, {"limit": 100, "offset": 100, "sort": "id,asc"}))["payload"]["list"]

    def total(params):
        return ok(api(OCTOPUS, {**params, "limit": 100}))["payload"]["page_info"]["total"]

    job = everything[17]
    assert total({"id": job["id"]}) == 1
    same_workspace = sum(j["workspace_id"] == job["workspace_id"] for j in everything)
    assert total({"workspace_id": job["workspace_id"]}) == same_workspace
    assert total({"data_id": job["data_id"]}) == sum(j["data_id"] == job["data_id"] for j in everything)
    wanted = ["RUNNING", "FINISHED"]
    expected = sum(j["status"] in wanted for j in everything)
    assert total({"statuses": wanted}) == expected  # repeated parameters
    assert total({"statuses": "RUNNING,FINISHED"}) == expected  # comma-separated
    assert total({"job_types": ["PACKAGE_IMPORT"], "statuses": ["RUNNING"]}) == sum(
        j["job_type"] == "PACKAGE_IMPORT" and j["status"] == "RUNNING" for j in everything)
    middle = sorted(j["create_at"] for j in everything)[100]
    assert total({"start_time": middle}) == sum(j["create_at"] >= middle for j in everything)
    assert total({"end_time": middle}) == sum(j["update_at"] <= middle for j in everything)


@pytest.mark.parametrize("params", [
    {"job_types": "NOT_A_TYPE"}, {"statuses": "running"}, {"statuses": ["RUNNING"] * 21},
    {"sort": "name,asc"}, {"sort": "id,up"}, {"limit": 0}, {"limit": 101}, {"offset": -5},
    {"id": "abc"}, {"start_time": "yesterday"}])
def test_octopus_validation(api, params):
    assert_400(api(OCTOPUS, params))


def test_octopus_twenty_entries_accepted(api):
    assert ok(api(OCTOPUS, {"statuses": ["RUNNING"] * 20}))


def test_batch_walk_and_unpaged(api):
    seen, page_num = [], 1
    while True:
        body = ok(api(BATCH, {"page_num": page_num, "page_size": 7}))
        seen += body["batch_task_list"]
        if page_num * 7 >= body["count"]:
            break
        page_num += 1
    ids = [b["id"] for b in seen]
    assert len(ids) == len(set(ids)) == 200
    assert [b["created_at"] for b in seen] == sorted((b["created_at"] for b in seen), reverse=True)
    everything = ok(api(BATCH, {"is_paged": "false"}))
    assert everything["count"] == 200 and [b["id"] for b in everything["batch_task_list"]] == ids
    assert len(ok(api(BATCH))["batch_task_list"]) == 10


def test_batch_shape(api):
    for batch in ok(api(BATCH, {"is_paged": "false"}))["batch_task_list"]:
        info = batch["batch_task_status_info"]
        assert info and all(n > 0 for n in info.values())
        assert batch["num_task"] == sum(info.values())
        assert isinstance(batch["created_at"], int) and isinstance(batch["type"], str)


def test_batch_sorting(api):
    rows = ok(api(BATCH, {"is_paged": "false", "sort_name": "task_count", "order_by": "asc"}))["batch_task_list"]
    keys = [(b["num_task"], b["id"]) for b in rows]
    assert keys == sorted(keys)


def test_batch_filters(api):
    rows = ok(api(BATCH, {"is_paged": "false"}))["batch_task_list"]

    def count(params):
        return ok(api(BATCH, {**params, "is_paged": "false"}))["count"]

    assert count({"video_group": "lobby,北门"}) == sum(
        "lobby" in b["video_group_name"] or "北门" in b["video_group_name"] for b in rows) > 0
    for state in ("running", "lack_of_resources", "stopped_no_service"):
        assert count({"task_state": state}) == sum(bool(b["batch_task_status_info"].get(state))
                                                   for b in rows) > 0
    assert count({"type_like": "batch_task_name", "name_like": "parking-"}) == sum(
        "parking-" in b["batch_task_name"] for b in rows) > 0
    assert count({"type_like": "publish_service_name", "name_like": "svc-fire"}) == sum(
        b["alg_name"] == "fire-smoke" for b in rows) > 0
    assert count({"manufacturer": "DeepEye"}) == sum(b["company"] == "DeepEye" for b in rows) > 0
    assert count({"title": "intrusion"}) == sum(b["alg_name"] == "intrusion" for b in rows) > 0
    assert count({"title": "intrusion", "manufacturer": "DeepEye", "task_state": "running"}) <= count(
        {"title": "intrusion"})


@pytest.mark.parametrize("params, param", [
    ({"page_size": 4}, "page_size"), ({"page_size": 201}, "page_size"), ({"page_num": 0}, "page_num"),
    ({"page_num": 10001}, "page_num"), ({"order_by": "up"}, "order_by"), ({"sort_name": "name"}, "sort_name"),
    ({"is_paged": "maybe"}, "is_paged"), ({"task_state": "RUNNING"}, "task_state"),
    ({"video_group": "a b"}, "video_group"), ({"manufacturer": "x"}, "manufacturer"),
    ({"title": "t" * 65}, "title"), ({"name_like": "abc"}, "name_like"),
    ({"type_like": "batch_task_name", "name_like": "n" * 101}, "name_like"),
    ({"type_like": "creator", "name_like": "a"}, "type_like")])
def test_batch_validation(api, params, param):
    assert_400(api(BATCH, params), verbose=True, param=param)


def test_vias_task_by_state(emulator, api):
    by_state = emulator.data["vias_task_ids_by_state"]
    assert {"RUNNING", "PENDING", "FAILED", "START_FAILED", "STOPPED", "SUCCEEDED", "MIGRATING"} <= set(by_state)
    for state, ids in by_state.items():
        task = ok(api("/v2/{project}/tasks/" + ids[0]))
        assert task["state"] == state and task["id"] == ids[0]
        assert ("error" in task) == (state in {"FAILED", "START_FAILED", "CREATE_FAILED", "ABNORMAL"})
        for key in ("name", "creator", "project_id", "release_id", "service_id", "created_at",
                    "updated_at", "input", "output", "config", "type", "event_type", "priority", "steal"):
            assert key in task


def test_vias_unknown_task(api):
    response = api("/v2/{project}/tasks/" + "0" * 32)
    assert response.status_code == 404
    assert set(response.json()) == VIAS_ERROR_KEYS and response.json()["error_code"] == "VIAS.10404"


def test_vas_both_body_shapes(emulator, api):
    data = emulator.data
    service = data["vas_service_name"]
    wrapped = set(data["vas_wrapped_task_ids"])
    assert wrapped and set(data["vas_task_ids"]) - wrapped
    for task_id in data["vas_task_ids"]:
        body = ok(api(f"/v2/{{project}}/services/{service}/tasks/{task_id}"))
        task = body["task"] if task_id in wrapped else body
        assert ("task" in body) == (task_id in wrapped)
        assert task["id"] == task_id and task["service_version"] in data["vas_service_versions"] and task["description"] is None
    assert api(f"/v2/{{project}}/services/other-service/tasks/{task_id}").status_code == 404
    assert api(f"/v2/{{project}}/services/{service}/tasks/{'1' * 32}").status_code == 404


def test_unknown_route_is_gateway_404(api):
    response = api("/v9/{project}/nothing")
    assert response.status_code == 404 and response.json()["error_code"] == "APIG.0101"


def test_reset_with_seed_and_sizes(emulator, api):
    first = emulator.data["vias_task_ids"]
    emulator.reset(seed=7, sizes={"batch_tasks": 33})
    assert emulator.data["vias_task_ids"] != first
    assert ok(api(BATCH))["count"] == 33
    emulator.reset()
    assert emulator.data["vias_task_ids"] == first
