"""The emulator tells the truth about itself (issue 17 section 4): ``GET /_emulator/data`` names the scenario's own VAS
service and gives states after their scheduled transitions, and a scenario gives a VIAS or VAS task's failure
reason in the fields the API uses for it, which the collection then reports."""

import time

import pytest
import requests
from ansible_collections.hwcloud.tasks.plugins.module_utils.kinds import kind_of


pytestmark = pytest.mark.usefixtures("generated_data_after")


def test_data_names_the_scenarios_own_vas_service(emulator, api):
    assert emulator.data["vas_service_name"] == "c-queue-status-analysis-edge"  # the generated tasks' service
    emulator.admin("POST", "scenario", {"vas_tasks": [{"service": "c-crowd-density", "state": "RUNNING"},
                                                      {"service": "c-other", "state": "RUNNING"}]})
    data = emulator.data
    assert data["vas_service_name"] == "c-crowd-density" and {"c-crowd-density", "c-other"} <= set(data["vas_services"])
    task_id = data["scenario_ids"]["vas"][0]
    assert api("/v2/{project}/services/%s/tasks/%s" % (data["vas_service_name"], task_id)).json()["id"] == task_id
    emulator.admin("POST", "scenario", {"sizes": {"vas_tasks": 3}, "vias_tasks": [{"state": "RUNNING"}]})
    assert emulator.data["vas_service_name"] == "c-queue-status-analysis-edge"


def test_data_gives_states_after_their_scheduled_transitions(emulator):
    emulator.admin("POST", "scenario", {
        "vias_tasks": [{"id": "v1", "state": "PENDING", "transitions": [{"after": 0.2, "state": "RUNNING"}]},
                       {"id": "v2", "state": "PENDING"}],
        "vas_tasks": [{"id": "a1", "state": "PENDING", "transitions": [{"after": 0.2, "state": "FAILED"}]}]})
    before = emulator.data
    assert before["vias_task_ids_by_state"] == {"PENDING": ["v1", "v2"]} and before["vas_task_ids_by_state"] == {"PENDING": ["a1"]}
    time.sleep(0.3)
    after = emulator.data
    assert after["vias_task_ids_by_state"] == {"RUNNING": ["v1"], "PENDING": ["v2"]}
    assert after["vas_task_ids_by_state"] == {"FAILED": ["a1"]}
    emulator.admin("POST", "schedule", {"service": "vias", "ids": ["v2"], "steps": [{"after": 0, "state": "STOPPED"}]})
    assert emulator.data["vias_task_ids_by_state"]["STOPPED"] == ["v2"]


@pytest.mark.parametrize("service", ["vias", "vas"])
def test_a_scenario_gives_a_tasks_failure_reason_and_the_collection_reports_it(emulator, api, service):
    error = {"code": "%s.20002" % service.upper(), "message": "Failed to start: the camera stream is unreachable."}
    tasks = [{"id": "f1", "state": "START_FAILED", "error": error},
             {"id": "f2", "state": "PENDING", "error": {"message": "Out of edge resources."}, "status": "waiting for a node",
              "transitions": [{"after": 0.2, "state": "FAILED"}]},
             {"id": "f3", "state": "RUNNING", "status": "healthy"}]
    emulator.admin("POST", "scenario", {"%s_tasks" % service: tasks})
    path = "/v2/{project}/tasks/%s" if service == "vias" else "/v2/{project}/services/c-queue-status-analysis-edge/tasks/%s"
    kind = kind_of(service)

    def task(task_id):
        return kind.unwrap(api(path % task_id).json())

    assert task("f1")["error"] == error and kind.reason_of(task("f1")) == "%s: %s" % (error["code"], error["message"])
    pending = task("f2")
    assert pending["status"] == "waiting for a node" and "error" not in pending  # an error only while failed
    assert kind.reason_of(pending) == "waiting for a node"
    time.sleep(0.3)
    failed = task("f2")
    assert failed["state"] == "FAILED" and failed["error"] == {"message": "Out of edge resources."}
    assert kind.reason_of(failed) == "Out of edge resources." and kind.describe(failed)["reason"] == "Out of edge resources."
    assert task("f3")["status"] == "healthy" and "error" not in task("f3")
    if service == "vas":  # the list answers the same
        listed = dict((item["id"], item) for item in api("/v2/{project}/services/c-queue-status-analysis-edge/tasks").json()["tasks"])
        assert listed["f1"]["error"] == error and listed["f2"]["error"] == failed["error"]


@pytest.mark.parametrize("entry, message", [
    ({"state": "FAILED", "error": "boom"}, "vias_tasks[0].error: must be an object"),
    ({"state": "FAILED", "error": {}}, "vias_tasks[0].error: give a code, a message or both"),
    ({"state": "FAILED", "error": {"reason": "x"}}, "vias_tasks[0].error: unknown key(s) reason"),
    ({"state": "FAILED", "error": {"message": 7}}, "vias_tasks[0].error.message: must be a string"),
    ({"state": "FAILED", "status": ["x"]}, "vias_tasks[0].status: must be a string"),
])
def test_a_bad_failure_reason_is_refused_naming_the_entry(emulator, entry, message):
    response = requests.post(emulator.url + "/_emulator/scenario", json={"vias_tasks": [entry]}, timeout=10)
    assert response.status_code == 400 and message in response.json()["error"], response.text
