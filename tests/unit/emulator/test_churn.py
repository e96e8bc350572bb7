"""Churn (a rollout in progress): lists that move between the pages of a read, as a database-backed API's do."""

import concurrent.futures
import time

import pytest
import requests
from hwcloud_emulator import start_emulator

HILENS = "/v3/{project}/ai-mgr/deployments/dep-rollout/tasks"
VAS = "/v2/{project}/services/c-rollout/tasks"
OCTOPUS = "/v1.0/{project}/data/system-jobs"
BATCH = "/v2/{project}/batch-tasks"


pytestmark = pytest.mark.usefixtures("generated_data_after")


def get(emu, path, params=None):
    url = emu.url + path.format(project=emu.credentials["project_id"])
    response = requests.get(url, params=params, headers={"X-Auth-Token": emu.credentials["static_token"]}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def deployment(size=200, odd=None, **extra):
    """A HiLens deployment ``dep-rollout`` of ``size`` one-pod tasks named task-NNN, running but for ``odd``."""
    odd = odd or {}
    return {"id": "dep-rollout", **extra,
            "tasks": [{"name": "task-%03d" % i, "pods": [odd.get(i, "RUNNING")]} for i in range(size)]}


def issue(**rule):
    """Issue 17's case: 200 tasks, task 100 failed; after page 1 is served task 5 goes and a running task is appended."""
    return {"version": 1, "hilens_deployments": [deployment(odd={100: "FAILED"})],
            "churn": [{"route": "hilens_tasks", "deployment_id": "dep-rollout", "trigger": "first_page", "delete_at": [5],
                       "insert": 1, "where": "end", **rule}]}


def walk(emu, path=HILENS, limit=100, pages=2):
    """What a plain offset walk sees: (totals, names) over ``pages`` pages read one after the other."""
    totals, names = [], []
    for page in range(pages):
        body = get(emu, path, {"offset": page * limit, "limit": limit})
        totals.append(body["count"])
        names += [task["name"] for task in body["tasks"]]
    return totals, names


def vas_tasks(size=200, odd=None):
    """``size`` VAS tasks of service c-rollout, newest first in file order (item-000 is the newest)."""
    odd = odd or {}
    return [{"name": "item-%03d" % i, "state": odd.get(i, "RUNNING"), "service": "c-rollout",
             "created_at": 1_733_000_000_000 - 1000 * i} for i in range(size)]


def test_the_issue_case_loses_the_failed_task_from_a_plain_walk_with_every_count_right():
    with start_emulator(scenario=issue()) as emu:
        ids = emu.data["scenario_ids"]["hilens"]["dep-rollout"]
        totals, names = walk(emu)
        assert totals == [200, 200] and len(names) == len(set(names)) == 200
        assert "task-100" not in names and names[-1] == "rollout-0-0001" and "task-005" in names[:100]
        report = emu.admin("GET", "churn")["rules"][0]
        assert report["deleted"] == [ids[5]] and report["protected"] == [ids[100]] and report["steps"] == 1
        assert report["inserted"] == [get(emu, HILENS, {"offset": 199, "limit": 1})["tasks"][0]["task_id"]]
        # The rule acted once (times: 1): the next walk is consistent, and task 100 is there, failed.
        totals, names = walk(emu)
        assert totals == [200, 200] and "task-100" in names and "task-005" not in names
        failed = get(emu, HILENS, {"offset": 99, "limit": 1})["tasks"][0]
        assert failed["name"] == "task-100" and failed["task_status"][0]["task_status"] == "FAILED"


def test_a_reset_replays_the_same_rollout_and_the_same_seed_the_same_steps():
    document = {"version": 1, "hilens_deployments": [deployment(odd={3: "PENDING", 150: "FAILED"})],
                "churn": [{"route": "hilens_tasks", "deployment_id": "dep-rollout", "trigger": "every_page", "share": 0.5, "seed": 9,
                           "times": None, "delete": 2, "insert": 1}]}
    reports = []
    for _emulator in range(2):
        with start_emulator(scenario=document) as emu:
            for _read in range(5):
                walk(emu)
            reports.append(emu.admin("GET", "churn")["rules"][0])
            emu.reset()
            assert emu.admin("GET", "churn")["rules"][0]["steps"] == 0 and emu.data["hilens_deployments"]["dep-rollout"] == 200
    first, second = reports
    assert first["steps"] == second["steps"] > 0 and first["deleted"] == second["deleted"]
    assert len(first["inserted"]) == len(second["inserted"]) == first["steps"] and first["triggers"] == 10
    assert not set(first["deleted"]) & set(first["protected"]) and len(first["protected"]) == 2


def test_failed_and_pending_items_are_never_deleted_and_new_items_run():
    odd = dict((i, "FAILED" if i % 2 else "PENDING") for i in range(10))
    document = {"version": 1, "hilens_deployments": [deployment(size=12, odd=odd)],
                "churn": [{"route": "hilens_tasks", "deployment_id": "dep-rollout", "trigger": "every_page", "times": None,
                           "delete": 5, "insert": 0}]}
    with start_emulator(scenario=document) as emu:
        for _read in range(3):
            get(emu, HILENS)
        report = emu.admin("GET", "churn")["rules"][0]
        tasks = get(emu, HILENS)["tasks"]
        assert len(report["deleted"]) == 2 and [t["name"] for t in tasks] == ["task-%03d" % i for i in range(10)]
        emu.admin("POST", "churn", {"churn": [{"route": "hilens_tasks", "deployment_id": "dep-rollout", "delete": 0,
                                               "insert": 3, "where": "front"}]})
        assert len(get(emu, HILENS)["tasks"]) == 10  # served first, then the list moves
        tasks = get(emu, HILENS)["tasks"]
        assert [t["name"] for t in tasks[:3]] == ["rollout-0-0003", "rollout-0-0002", "rollout-0-0001"]
        assert all(pod["task_status"] == "RUNNING" for t in tasks[:3] for pod in t["task_status"])


@pytest.mark.parametrize("where, position", [("front", 0), ("middle", 100), ("end", 200)])
def test_new_items_go_where_the_rule_says_in_a_newest_first_list(emulator, where, position):
    emulator.admin("POST", "scenario", {"version": 1, "vas_tasks": vas_tasks(), "churn": [
        {"route": "vas_tasks", "service": "c-rollout", "delete": 0, "insert": 1, "where": where}]})
    first = get(emulator, VAS, {"limit": 100})
    assert first["count"] == 200 and first["tasks"][0]["name"] == "item-000"
    _totals, names = walk(emulator, VAS, pages=3)
    assert len(names) == 201 and names.index("rollout-0-0001") == position
    assert names[:position] + names[position + 1:] == ["item-%03d" % i for i in range(200)]


def test_octopus_and_batch_lists_move_and_the_count_may_change(emulator):
    jobs = [{"state": "RUNNING", "created_at": 1_733_000_000_000 - 1000 * i} for i in range(30)]
    batches = [{"name": "batch-%02d" % i, "counts": {"running": 1}, "created_at": 1_733_000_000_000 - 1000 * i} for i in range(30)]
    emulator.admin("POST", "scenario", {"version": 1, "octopus_jobs": jobs, "batch_tasks": batches, "churn": [
        {"route": "octopus_jobs", "trigger": "first_page", "delete": 2, "insert": 0},
        {"route": "vias_batch_tasks", "trigger": "first_page", "delete": 0, "insert": 3, "where": "front"}]})
    first = get(emulator, OCTOPUS, {"offset": 0, "limit": 10})["payload"]
    assert first["page_info"]["total"] == 30
    assert get(emulator, OCTOPUS, {"offset": 10, "limit": 10})["payload"]["page_info"]["total"] == 28
    page_1 = get(emulator, BATCH, {"page_num": 1, "page_size": 10})
    page_2 = get(emulator, BATCH, {"page_num": 2, "page_size": 10})
    assert (page_1["count"], page_2["count"]) == (30, 33)
    # Page 2 now starts three items earlier: the last three of page 1 again.
    assert [b["batch_task_name"] for b in page_2["batch_task_list"][:3]] == ["batch-07", "batch-08", "batch-09"]
    rules = emulator.admin("GET", "churn")["rules"]
    assert [len(rule["deleted"]) for rule in rules] == [2, 0] and [len(rule["inserted"]) for rule in rules] == [0, 3]


def test_a_held_back_first_page_is_answered_after_later_pages_from_the_list_as_it_is_then(emulator):
    emulator.admin("POST", "scenario", {"version": 1, "hilens_deployments": [deployment(odd={99: "PENDING"})], "churn": [
        {"route": "hilens_tasks", "deployment_id": "dep-rollout", "trigger": "later_pages", "delay_first_page_ms": 400,
         "delete_at": [150], "insert": 1, "where": "front"}]})
    answered = {}

    def read(offset):
        body = get(emulator, HILENS, {"offset": offset, "limit": 100})
        answered[offset] = time.monotonic()
        return [task["name"] for task in body["tasks"]]

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        page_1, page_2 = pool.map(read, [0, 100])
    assert answered[100] < answered[0]
    # Page 2 came from the list before the step, page 1 after it: task 99 (pending) is on neither.
    assert page_1[0] == "rollout-0-0001" and page_1[-1] == "task-098" and page_2[0] == "task-100"
    assert "task-099" not in page_1 + page_2
    assert emulator.admin("GET", "churn")["rules"][0]["delayed"] == 1


def test_truth_mode_runs_everything_and_still_never_deletes_what_was_not_running(emulator):
    emulator.admin("POST", "scenario", {"version": 1, "hilens_deployments": [deployment(size=20, odd={4: "FAILED"}, transitions=[
        {"after": 0.2, "state": "FAILED"}])], "vas_tasks": vas_tasks(20, {7: "PENDING"}), "churn": [
            {"route": "hilens_tasks", "deployment_id": "dep-rollout", "truth": True, "trigger": "every_page", "times": 3, "delete": 5},
            {"route": "vas_tasks", "service": "c-rollout", "truth": True, "delete": 19, "insert": 0}]})
    time.sleep(0.3)  # past the deployment's scheduled failure: truth mode cancelled it
    tasks = get(emulator, HILENS)["tasks"]
    assert {pod["task_status"] for task in tasks for pod in task["task_status"]} == {"RUNNING"}
    vas = get(emulator, VAS, {"limit": 100})["tasks"]
    assert {task["state"] for task in vas} == {"RUNNING"}
    assert [task["name"] for task in get(emulator, VAS, {"limit": 100})["tasks"]] == ["item-007"]
    hilens, vas_rule = emulator.admin("GET", "churn")["rules"]
    assert hilens["protected"] == [emulator.data["scenario_ids"]["hilens"]["dep-rollout"][4]] and hilens["truth"] is True
    assert len(vas_rule["deleted"]) == 19 and vas_rule["protected"] == [emulator.data["scenario_ids"]["vas"][7]]


def test_the_admin_api_starts_reports_and_stops_churn_and_a_reset_returns_to_the_scenario(emulator):
    emulator.admin("POST", "scenario", issue())
    assert emulator.admin("GET", "churn")["enabled"] is True
    started = emulator.admin("POST", "churn", {"churn": [{"route": "vas_tasks", "insert": 2, "delete": 0}]})
    assert [rule["route"] for rule in started["rules"]] == ["vas_tasks"] and started["rules"][0]["service"] == "c-queue-status-analysis-edge"
    stopped = emulator.admin("DELETE", "churn")
    assert stopped["enabled"] is False and emulator.admin("GET", "churn") == {"enabled": False, "rules": []}
    walk(emulator)
    assert emulator.data["hilens_deployments"]["dep-rollout"] == 200
    emulator.reset()
    assert [rule["route"] for rule in emulator.admin("GET", "churn")["rules"]] == ["hilens_tasks"]
    _totals, names = walk(emulator)
    assert "task-100" not in names
    emulator.admin("DELETE", "scenario")
    assert emulator.admin("GET", "churn")["enabled"] is False


@pytest.mark.parametrize("body, message", [
    ({"churn": [{"route": "vias_task"}]}, "churn[0].route: 'vias_task' is not one of hilens_tasks"),
    ({"churn": [{"route": "hilens_tasks"}]}, "churn[0].deployment_id: the hilens_tasks route needs the deployment"),
    ({"churn": [{"route": "octopus_jobs", "deployment_id": "d"}]}, "churn[0].deployment_id: only for the hilens_tasks route"),
    ({"churn": [{"route": "octopus_jobs", "service": "s"}]}, "churn[0].service: only for the vas_tasks route"),
    ({"churn": [{"route": "octopus_jobs", "trigger": "sometimes"}]}, "churn[0].trigger: 'sometimes' is not one of first_page"),
    ({"churn": [{"route": "octopus_jobs", "where": "behind"}]}, "churn[0].where: 'behind' is not one of front"),
    ({"churn": [{"route": "octopus_jobs", "share": 2}]}, "churn[0].share: must be <= 1"),
    ({"churn": [{"route": "octopus_jobs", "delete_at": [-1]}]}, "churn[0].delete_at[0]: must be >= 0"),
    ({"churn": [{"route": "octopus_jobs", "colour": "red"}]}, "churn[0]: unknown key(s) colour"),
    ({"churn": {"route": "octopus_jobs"}}, "churn: must be a list"),
    ({"rules": []}, "unknown key(s) rules"),
])
def test_a_bad_churn_rule_is_refused_naming_the_entry_and_changes_nothing(emulator, body, message):
    response = requests.post(emulator.url + "/_emulator/churn", json=body, timeout=10)
    assert response.status_code == 400 and message in response.json()["error"], response.text
    assert 'send {"churn": [' in response.json()["error"]
    assert emulator.admin("GET", "churn")["enabled"] is False
    if "churn" in body:  # the same rules in a scenario: refused the same way
        refused = requests.post(emulator.url + "/_emulator/scenario", json={"version": 1, "churn": body["churn"]}, timeout=10)
        assert refused.status_code == 400 and message in refused.json()["error"]


def test_pods_are_listed_from_another_pod_on_every_answer_when_the_deployment_shuffles_them(emulator):
    emulator.admin("POST", "scenario", {"version": 1, "hilens_deployments": [
        {"id": "dep-rollout", "shuffle_pods": True, "tasks": [{"pods": ["RUNNING", "FAILED", "PENDING"]}]},
        {"id": "dep-still", "tasks": [{"pods": ["RUNNING", "FAILED"]}]}]})

    def answer(deployment_id):
        return [(pod["pod_name"], pod["task_status"]) for pod in get(emulator, HILENS.replace("dep-rollout", deployment_id))[
            "tasks"][0]["task_status"]]

    first, second, third, fourth = (answer("dep-rollout") for _read in range(4))
    assert [status for _name, status in first] == ["RUNNING", "FAILED", "PENDING"]
    assert second == first[1:] + first[:1] and third == first[2:] + first[:2] and fourth == first
    assert answer("dep-still") == answer("dep-still")
    bad = requests.post(emulator.url + "/_emulator/scenario", json={"hilens_deployments": [{"id": "d", "shuffle_pods": "often"}]},
                        timeout=10)
    assert bad.status_code == 400 and "hilens_deployments[0].shuffle_pods: must be true or false" in bad.json()["error"]
