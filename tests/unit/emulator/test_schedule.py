"""Scheduled state changes, evaluated when requests arrive."""

import time

import requests

HILENS = "/v3/{project}/ai-mgr/deployments/dep-moving/tasks"


def schedule(emulator, **body):
    return emulator.admin("POST", "schedule", body)


def test_vias_task_moves_through_states(emulator, api):
    task_id = emulator.data["vias_task_ids_by_state"]["PENDING"][0]
    result = schedule(emulator, service="vias", ids=[task_id],
                      steps=[{"after": 0.3, "state": "STARTING"}, {"after": 0.6, "state": "RUNNING"}])
    assert result["ids"] == [task_id]
    flips = result["scheduled"][0]["flips"]
    assert [f["state"] for f in flips] == ["STARTING", "RUNNING"] and flips[0]["at"] > result["now"]
    path = "/v2/{project}/tasks/" + task_id
    assert api(path).json()["state"] == "PENDING"
    time.sleep(0.35)
    assert api(path).json()["state"] == "STARTING"
    time.sleep(0.3)
    task = api(path).json()
    assert task["state"] == "RUNNING" and task["updated_at"].startswith(time.strftime("%Y-", time.gmtime()))


def test_failure_state_carries_error(emulator, api):
    task_id = emulator.data["vias_task_ids_by_state"]["RUNNING"][0]
    schedule(emulator, service="vias", ids=[task_id], steps=[{"after": 0, "state": "failed"}])
    task = api("/v2/{project}/tasks/" + task_id).json()
    assert task["state"] == "FAILED" and task["error"]["code"]


def test_vas_octopus_batch_by_count(emulator, api):
    data = emulator.data
    schedule(emulator, service="vas", count=3, steps=[{"after": 0, "state": "STOPPED"}])
    service = data["vas_service_name"]
    for task_id in data["vas_task_ids"][:3]:
        body = api(f"/v2/{{project}}/services/{service}/tasks/{task_id}").json()
        assert body.get("task", body)["state"] == "STOPPED"

    schedule(emulator, service="octopus", ids=[1, 2], steps=[{"after": 0, "state": "RUN_FAILED"}])
    jobs = api("/v1.0/{project}/data/system-jobs", {"sort": "id,asc", "limit": 2}).json()["payload"]["list"]
    assert all(j["status"] == "RUN_FAILED" and j["msg_code"] and "end_at" in j for j in jobs)
    failed = api("/v1.0/{project}/data/system-jobs", {"statuses": "RUN_FAILED", "limit": 100}).json()
    assert {1, 2} <= {j["id"] for j in failed["payload"]["list"]}

    batch_id = data["batch_task_ids"][0]
    schedule(emulator, service="vias_batch", ids=[batch_id], steps=[{"after": 0, "state": "FROZEN"}])
    rows = api("/v2/{project}/batch-tasks", {"task_state": "frozen", "is_paged": "false"}).json()
    match = next(b for b in rows["batch_task_list"] if b["id"] == batch_id)
    assert match["batch_task_status_info"] == {"frozen": match["num_task"]}


def test_hilens_deployment_with_stagger(emulator, api):
    result = schedule(emulator, service="hilens", deployment_id="dep-moving", stagger=0.6,
                      steps=[{"after": 0.2, "state": "RUNNING"}])
    assert len(result["ids"]) == 10
    times = [s["flips"][0]["at"] for s in result["scheduled"]]
    assert abs(times[-1] - times[0] - 0.6) < 0.01

    def running():
        tasks = api(HILENS).json()["tasks"]
        return sum(t["cur_pod_number"] == t["sum_pod_number"] for t in tasks)

    assert running() == 0
    time.sleep(0.5)
    assert 0 < running() < 10
    time.sleep(0.45)
    tasks = api(HILENS).json()["tasks"]
    assert all(t["pending_pod_number"] == 0 and t["cur_pod_number"] == t["sum_pod_number"] for t in tasks)


def test_hilens_failed_pods_get_causes(emulator, api):
    task_id = emulator.data["hilens_task_ids"]["dep-moving"][0]
    schedule(emulator, service="hilens", ids=[task_id], steps=[{"after": 0, "state": "FAILED"}])
    task = api(HILENS).json()["tasks"][0]
    assert task["fail_pod_number"] == task["sum_pod_number"]
    assert all(p["cause"] for p in task["task_status"])


def test_reschedule_keeps_reached_state(emulator, api):
    task_id = emulator.data["vias_task_ids_by_state"]["PENDING"][0]
    schedule(emulator, service="vias", ids=[task_id], steps=[{"after": 0, "state": "RUNNING"}])
    schedule(emulator, service="vias", ids=[task_id], steps=[{"after": 5, "state": "STOPPED"}])
    assert api("/v2/{project}/tasks/" + task_id).json()["state"] == "RUNNING"


def test_reset_clears_schedules(emulator, api):
    task_id = emulator.data["vias_task_ids_by_state"]["PENDING"][0]
    schedule(emulator, service="vias", ids=[task_id], steps=[{"after": 0, "state": "RUNNING"}])
    emulator.reset()
    assert api("/v2/{project}/tasks/" + task_id).json()["state"] == "PENDING"


def test_bad_schedules(emulator):
    for body in ({"service": "nope", "count": 1, "steps": [{"after": 0, "state": "X"}]},
                 {"service": "vias", "ids": ["0" * 32], "steps": [{"after": 0, "state": "X"}]},
                 {"service": "vias", "count": 1, "steps": []},
                 {"service": "hilens", "deployment_id": "dep-nope", "steps": [{"after": 0, "state": "X"}]}):
        response = requests.post(emulator.url + "/_emulator/schedule", json=body, timeout=10)
        assert response.status_code == 400, body
