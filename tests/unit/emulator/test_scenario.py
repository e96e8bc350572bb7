"""Scenario files: loading good ones (at start, live, after resets) and refusing bad ones precisely."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import yaml
from hwcloud_emulator import start_emulator
from hwcloud_emulator.checks import SpecError
from hwcloud_emulator.scenario import Scenario, example_text, load_file, parse_yaml

EMULATOR_DIR = Path(__file__).resolve().parent.parent.parent / "emulator"
ROLLOUT = EMULATOR_DIR / "scenarios" / "rollout.yml"
README = EMULATOR_DIR / "README.md"
ENV = {**os.environ, "PYTHONPATH": str(EMULATOR_DIR)}


def get(emu, path, params=None):
    url = emu.url + path.format(project=emu.credentials["project_id"])
    return requests.get(url, params=params, headers={"X-Auth-Token": emu.credentials["static_token"]}, timeout=10)


def pods(emu, deployment):
    return [[pod["task_status"] for pod in task["task_status"]]
            for task in get(emu, f"/v3/{{project}}/ai-mgr/deployments/{deployment}/tasks").json()["tasks"]]


def readme_example():
    """The complete example of the README's scenario section (kept valid by this test)."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Scenario files"):]
    return re.search(r"```yaml\n(.*?)```", section, re.S).group(1)


def test_rollout_example_is_the_whole_cloud_and_rolls_out():
    with start_emulator(scenario=str(ROLLOUT)) as emu:
        data = emu.data
        assert data["hilens_deployments"] == {"dep-rollout": 3}
        assert data["sizes"] == dict.fromkeys(data["sizes"], 0)
        assert data["vias_task_ids"] == ["0a1b2c3d4e5f40718293a4b5c6d7e8f9", "1b2c3d4e5f60418293a4b5c6d7e8f90a"]
        assert data["scenario_ids"]["vias"] == data["vias_task_ids"] and len(data["scenario_ids"]["hilens"]["dep-rollout"]) == 3
        assert data["octopus_job_ids"] == [] and data["vas_task_ids"] == []
        assert pods(emu, "dep-rollout") == [["PENDING"], ["PENDING"], ["PENDING", "PENDING"]]
        assert get(emu, "/v3/{project}/ai-mgr/deployments/dep-small/tasks").status_code == 404
        vias = get(emu, "/v2/{project}/tasks/1b2c3d4e5f60418293a4b5c6d7e8f90a").json()
        assert vias["state"] == "PENDING" and vias["name"] == "helmet-detect-gate-2"
        batch = get(emu, "/v2/{project}/batch-tasks").json()
        assert batch["count"] == 1 and batch["batch_task_list"][0]["batch_task_status_info"] == {"pending": 2, "starting": 1}
        time.sleep(1.6)
        assert pods(emu, "dep-rollout")[0] == ["RUNNING"] and pods(emu, "dep-rollout")[2] == ["PENDING", "PENDING"]
        assert get(emu, "/v2/{project}/tasks/1b2c3d4e5f60418293a4b5c6d7e8f90a").json()["state"] == "STARTING"
        time.sleep(1.8)
        assert pods(emu, "dep-rollout") == [["RUNNING"], ["RUNNING"], ["RUNNING", "RUNNING"]]
        assert get(emu, "/v2/{project}/tasks/1b2c3d4e5f60418293a4b5c6d7e8f90a").json()["state"] == "RUNNING"
        batch = get(emu, "/v2/{project}/batch-tasks").json()["batch_task_list"][0]
        assert batch["batch_task_status_info"] == {"running": 3}
        # A reset returns to the scenario, with its clock restarted.
        emu.reset()
        assert pods(emu, "dep-rollout") == [["PENDING"], ["PENDING"], ["PENDING", "PENDING"]]
        assert emu.data["scenario_ids"] == data["scenario_ids"]  # generated ids are stable


def test_readme_example_loads_and_does_what_it_says():
    document = parse_yaml(readme_example(), "README example")
    with start_emulator(scenario=document) as emu:
        data = emu.data
        assert emu.credentials["project_id"] == document["project_id"] == data["project_id"]
        assert data["sizes"]["vias_tasks"] == 5 and len(data["vias_task_ids"]) == 5 + 3
        assert "dep-small" in data["hilens_deployments"] and data["hilens_deployments"]["dep-gates"] == 3
        vas = get(emu, "/v2/{project}/services/c-queue-status-analysis-edge/tasks", {"limit": 100}).json()
        names = {t["name"] for t in vas["tasks"]}
        assert "排队 东门" in names and any(n.startswith("queue-") for n in names)
        other = get(emu, "/v2/{project}/services/c-crowd-density/tasks").json()
        assert other["count"] == 2 and {t["name"] for t in other["tasks"]} == {"crowd-1", "crowd-2"}
        jobs = get(emu, "/v1.0/{project}/data/system-jobs", {"sort": "id,asc"}).json()["payload"]["list"]
        assert [j["id"] for j in jobs] == [7, 8] and jobs[0]["job_type"] == "PACKAGE_IMPORT"
        assert get(emu, "/v2/{project}/batch-tasks").status_code == 503  # the scenario's fault, once
        assert get(emu, "/v2/{project}/batch-tasks").status_code == 200
        assert emu.admin("GET", "quota")["rate"] == 50
        assert emu.admin("GET", "scenario")["description"].startswith("Gates")


def test_live_load_resets_first_and_delete_returns_to_generated_data(emulator):
    emulator.admin("POST", "faults", {"faults": [{"kind": "status", "status": 500, "times": None}]})
    document = {"vias_tasks": [{"id": "t1", "state": "running"}], "faults": [{"kind": "latency", "ms": 1}]}
    loaded = emulator.admin("POST", "scenario", document)
    assert loaded["loaded"] is True and loaded["ids"]["vias"] == ["t1"] and loaded["document"] == document
    assert [f["kind"] for f in emulator.admin("GET", "faults")["faults"]] == ["latency"]
    assert get(emulator, "/v2/{project}/tasks/t1").json()["state"] == "RUNNING"
    assert emulator.data["hilens_deployments"] == {}
    emulator.reset()
    assert emulator.data["vias_task_ids"] == ["t1"]  # a reset keeps the scenario
    assert emulator.admin("DELETE", "scenario") == {"loaded": False}
    assert emulator.admin("GET", "scenario")["loaded"] is False
    assert emulator.data["sizes"]["vias_tasks"] == 200 and "dep-small" in emulator.data["hilens_deployments"]


def test_an_invalid_live_scenario_leaves_the_state_as_it_was(emulator):
    before = emulator.data
    response = requests.post(emulator.url + "/_emulator/scenario", timeout=10,
                             json={"sizes": {"octopus_jobs": 5}, "octopus_jobs": [{"id": 3, "state": "RUNNING"}]})
    assert response.status_code == 400
    assert response.json()["error"].startswith("octopus_jobs[0].id: id 3 is already taken")
    assert emulator.data == before and emulator.admin("GET", "scenario")["loaded"] is False


def test_ids_counts_names_times_and_wrapping(emulator):
    emulator.admin("POST", "scenario", {
        "seed": 5,
        "vas_tasks": [{"state": "RUNNING", "count": 3, "name": "cam", "created_at": "2024-05-01T00:00:00Z"},
                      {"id": "abc", "state": "STOPPED", "wrapped": True, "service_version": "3.1",
                       "created_at": 1_700_000_000_000}],
        "octopus_jobs": [{"state": "QUEUING"}, {"id": 40, "state": "RUNNING"}, {"state": "FINISHED"}],
        "batch_tasks": [{"counts": {"RUNNING": 2, "failed": 1}}],
        "hilens_deployments": [{"id": "d", "tasks": [{"state": "failed", "pod_count": 2}, {"pods": ["RUNNING"]}]}],
    })
    ids = emulator.data["scenario_ids"]
    assert len(ids["vas"]) == 4 and ids["vas"][3] == "abc" and all(re.fullmatch("[0-9a-f]{32}", i) for i in ids["vas"][:3])
    assert ids["octopus"] == [1, 40, 41]
    listed = get(emulator, "/v2/{project}/services/c-queue-status-analysis-edge/tasks",
                 {"order": "name:ASC"}).json()["tasks"]
    assert [t["name"] for t in listed] == ["c-queue-status-analysis-edge-00003", "cam-1", "cam-2", "cam-3"]
    assert listed[1]["created_at"] == "2024-05-01T00:00:00Z"
    single = get(emulator, "/v2/{project}/services/c-queue-status-analysis-edge/tasks/abc").json()
    assert single["task"]["service_version"] == "3.1" and single["task"]["created_at"] == "2023-11-14T22:13:20Z"
    batch = get(emulator, "/v2/{project}/batch-tasks").json()["batch_task_list"][0]
    assert batch["batch_task_status_info"] == {"running": 2, "failed": 1} and batch["num_task"] == 3
    task = get(emulator, "/v3/{project}/ai-mgr/deployments/d/tasks").json()["tasks"][0]
    assert task["fail_pod_number"] == 2 and all(p["cause"] for p in task["task_status"])
    emulator.admin("POST", "scenario", {"seed": 5, "vas_tasks": [{"state": "RUNNING", "count": 3}]})
    assert emulator.data["scenario_ids"]["vas"][:3] == ids["vas"][:3]  # same seed, same generated ids


def test_account_quota_and_chaos_from_a_scenario(emulator):
    project = "0123456789abcdef0123456789abcdef"
    emulator.admin("POST", "scenario", {"project_id": project, "credentials": {"static_token": "tok-1"},
                                        "vias_tasks": [{"id": "t1", "state": "RUNNING"}],
                                        "quota": {"rate": 1, "burst": 2, "retry_after": 3},
                                        "chaos": {"seed": 1, "share": 0, "kinds": ["status_500"]}})
    assert emulator.credentials["project_id"] == project and emulator.credentials["static_token"] == "tok-1"
    old = requests.get(f"{emulator.url}/v2/{project}/tasks/t1", headers={"X-Auth-Token": "emu-static-token-0001"},
                       timeout=10)
    assert old.status_code == 401
    response = get(emulator, "/v2/{project}/tasks/t1")
    assert response.status_code == 200 and response.json()["project_id"] == project
    throttled = get(emulator, "/v2/{project}/tasks/t1")
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "3"
    assert emulator.admin("GET", "chaos")["enabled"] is True
    emulator.admin("DELETE", "scenario")
    assert emulator.credentials["static_token"] == "emu-static-token-0001"


BAD = [
    ("nonsense: 1", "unknown key(s) nonsense; allowed: version, description"),
    ("- vias_tasks", "must be an object"),
    ("", "is empty"),
    ("vias_tasks: [\n  {state: RUNNING\n", "not valid YAML"),
    ("vias_tasks: []\nvias_tasks: []", "duplicate key 'vias_tasks' at line 2"),
    ("version: 2", "version: must be 1"),
    ("seed: ten", "seed: must be an integer"),
    ("project_id: 12345", "project_id: must be a string"),
    ("project_id: nope", "project_id: 'nope' must match"),
    ("credentials: {token: x}", "credentials: unknown key(s) token"),
    ("project_id: 0123456789abcdef0123456789abcdef\ncredentials: {project_id: ffffffffffffffffffffffffffffffff}",
     "project_id: differs"),
    ("sizes: {tasks: 5}", "sizes: unknown key(s) tasks"),
    ("sizes: {vias_tasks: -1}", "sizes.vias_tasks: must be >= 0"),
    ("vias_tasks: {state: RUNNING}", "vias_tasks: must be a list"),
    ("vias_tasks: [{state: RUNNING}, {state: RUNNNING}]", "vias_tasks[1].state: 'RUNNNING' is not one of PENDING"),
    ("vias_tasks: [{name: x}]", "vias_tasks[0]: missing required key(s) state"),
    ("vias_tasks: [{state: RUNNING, colour: red}]", "vias_tasks[0]: unknown key(s) colour"),
    ("vias_tasks: [{id: 1234, state: RUNNING}]", "vias_tasks[0].id: must be a string (got a number: quote it)"),
    ("vias_tasks: [{id: a, state: RUNNING}, {id: a, state: FAILED}]", "vias_tasks[1].id: duplicate id 'a'"),
    ("vias_tasks: [{id: a, state: RUNNING, count: 2}]", "vias_tasks[0].count: must be 1 when id is given"),
    ("vias_tasks: [{state: RUNNING, transitions: [{after: -1, state: FAILED}]}]",
     "vias_tasks[0].transitions[0].after: must be >= 0"),
    ("vias_tasks: [{state: RUNNING, transitions: [{after: 1}]}]",
     "vias_tasks[0].transitions[0]: missing required key(s) state"),
    ("vias_tasks: [{state: RUNNING, created_at: yesterday}]",
     "vias_tasks[0].created_at: 'yesterday' is neither epoch milliseconds nor an ISO 8601 time"),
    ("vas_tasks: [{state: RUNNING, service: Bad Name}]", "vas_tasks[0].service: 'Bad Name' must match"),
    ("vas_tasks: [{state: RUNNING, wrapped: perhaps}]", "vas_tasks[0].wrapped: must be true or false"),
    ("octopus_jobs: [{id: seven, state: RUNNING}]", "octopus_jobs[0].id: must be an integer"),
    ("octopus_jobs: [{state: RUNNING, job_type: COPY}]", "octopus_jobs[0].job_type: 'COPY' is not one of"),
    ("batch_tasks: [{counts: {}}]", "batch_tasks[0].counts: give at least one state"),
    ("batch_tasks: [{counts: {sleeping: 1}}]", "batch_tasks[0].counts.sleeping: 'sleeping' is not one of pending"),
    ("batch_tasks: [{state: running}]", "batch_tasks[0]: unknown key(s) state"),
    ("hilens_deployments: [{tasks: []}]", "hilens_deployments[0]: missing required key(s) id"),
    ("hilens_deployments: [{id: d, tasks: [{pods: [RUNNING], state: RUNNING}]}]",
     "hilens_deployments[0].tasks[0]: give either pods"),
    ("hilens_deployments: [{id: d, tasks: [{pods: [running now]}]}]",
     "hilens_deployments[0].tasks[0].pods[0]: 'RUNNING NOW' must match"),
    ("hilens_deployments: [{id: d}, {id: d}]", "hilens_deployments[1].id: duplicate deployment 'd'"),
    ("hilens_deployments: [{id: d, stagger: -2}]", "hilens_deployments[0].stagger: must be >= 0"),
    ("faults: [{kind: explode}]", "faults[0]: unknown fault kind"),
    ("faults: [{kind: drip, bytes: 0}]", "faults[0].bytes: must be >= 1"),
    ("faults: {kind: reset}", "faults: must be a list"),
    ("quota: {rate: fast}", "quota.rate: must be a number"),
    ("chaos: {share: 2}", "chaos.share: must be <= 1"),
]


@pytest.mark.parametrize("text, message", BAD)
def test_bad_scenarios_name_the_offending_entry(tmp_path, text, message):
    path = tmp_path / "bad.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_file(path)
    assert message in str(caught.value)


def test_bad_live_scenarios_are_400_with_the_same_message(emulator):
    response = requests.post(emulator.url + "/_emulator/scenario", timeout=10,
                             json={"vias_tasks": [{"state": "RUNNING"}, {"state": "RUNNNING"}]})
    assert response.status_code == 400
    assert response.json()["error"].startswith("vias_tasks[1].state: 'RUNNNING' is not one of PENDING")
    for raw in (b"", b"[1]", b"{oops"):
        assert requests.post(emulator.url + "/_emulator/scenario", data=raw, timeout=10).status_code == 400


def test_a_missing_file_is_an_error():
    with pytest.raises(SpecError, match="cannot read scenario"):
        load_file("/nonexistent/scenario.yml")


def test_yaml_timestamps_and_json_documents_are_both_accepted():
    parsed = Scenario(yaml.safe_load("vias_tasks: [{state: RUNNING, created_at: 2024-01-02T03:04:05Z}]"))
    assert parsed.vias[0].created == 1_704_164_645_000
    assert Scenario({"vias_tasks": [{"state": "running", "created_at": 5}]}).vias[0].state == "RUNNING"


def test_command_line_scenario_and_its_errors(tmp_path):
    printed = subprocess.run([sys.executable, "-m", "hwcloud_emulator", "--print-example-scenario"], env=ENV,
                             capture_output=True, text=True, check=True, timeout=30)
    assert printed.stdout == ROLLOUT.read_text(encoding="utf-8") == example_text()
    bad = tmp_path / "bad.yml"
    bad.write_text("vias_tasks: [{state: RUNNING}, {state: RUNNNING}]\n", encoding="utf-8")
    port_file = tmp_path / "url"
    failed = subprocess.run([sys.executable, "-m", "hwcloud_emulator", "--scenario", str(bad), "--port-file",
                             str(port_file)], env=ENV, capture_output=True, text=True, timeout=30, check=False)
    assert failed.returncode == 2 and not port_file.exists()
    assert f"scenario {bad}: vias_tasks[1].state: 'RUNNNING' is not one of PENDING" in failed.stderr
    missing = subprocess.run([sys.executable, "-m", "hwcloud_emulator", "--scenario", str(tmp_path / "none.yml")],
                             env=ENV, capture_output=True, text=True, timeout=30, check=False)
    assert missing.returncode == 2 and "cannot read scenario" in missing.stderr
