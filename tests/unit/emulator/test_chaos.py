"""Chaos mode: a seeded share of API requests misbehaves, never lying about what it serves."""

import json
import time

import pytest
import requests

HILENS = "/v3/{project}/ai-mgr/deployments/dep-large/tasks"
BATCH = "/v2/{project}/batch-tasks"
OCTOPUS = "/v1.0/{project}/data/system-jobs"
VAS_LIST = "/v2/{project}/services/c-queue-status-analysis-edge/tasks"
ALL_KINDS = {"status_500", "status_502", "status_503", "status_504", "throttle", "throttle_retry_after",
             "short_page", "lying_total", "foreign_page", "foreign_id", "truncated", "html", "drip", "reset"}


def chaos(emulator, **settings):
    return emulator.admin("POST", "chaos", settings)


def outcome(api, path, params=None):
    """What the client saw: a status and body, or the name of the connection error."""
    try:
        response = api(path, params)
    except requests.RequestException as exc:
        return type(exc).__name__, None
    return response.status_code, response.content


def paths(emulator):
    data = emulator.data
    vas = data["vas_service_name"]
    return ([(HILENS, {"limit": 5}), (BATCH, {"page_size": 5}), (OCTOPUS, {"limit": 5}), (VAS_LIST, {"limit": 5})]
            + [("/v2/{project}/tasks/" + i, None) for i in data["vias_task_ids"][:3]]
            + [(f"/v2/{{project}}/services/{vas}/tasks/{i}", None) for i in data["vas_task_ids"][:3]])


def run(emulator, api, rounds=4):
    return [outcome(api, path, params) for _round in range(rounds) for path, params in paths(emulator)]


def test_same_seed_same_faults(emulator, api):
    chaos(emulator, seed=7, share=0.5, drip_ms=20)
    first = run(emulator, api)
    report = emulator.admin("GET", "chaos")
    emulator.reset()
    chaos(emulator, seed=7, share=0.5, drip_ms=20)
    second = run(emulator, api)
    # Dated bodies (Octopus current_time) aside, the same requests met the same faults.
    assert [status for status, _body in first] == [status for status, _body in second]
    again = emulator.admin("GET", "chaos")
    assert again["applied"] == report["applied"] and report["requests"] == len(first)
    assert 0.3 * len(first) < report["applied_total"] < 0.7 * len(first)


def test_settings_and_counts_are_reported_and_delete_stops(emulator, api):
    assert emulator.admin("GET", "chaos")["enabled"] is False
    started = chaos(emulator, seed=3, share=1, kinds=["status_503"])
    assert started == {"enabled": True, "seed": 3, "share": 1, "kinds": ["status_503"], "drip_ms": 200,
                       "requests": 0, "applied": {}, "applied_total": 0}
    assert [api(BATCH).status_code for _attempt in range(3)] == [503] * 3
    stopped = emulator.admin("DELETE", "chaos")
    assert stopped["applied"] == {"status_503": 3} and stopped["enabled"] is False
    assert api(BATCH).status_code == 200
    assert emulator.admin("GET", "chaos")["enabled"] is False


def test_reset_clears_chaos(emulator, api):
    chaos(emulator, share=1, kinds=["status_500"])
    emulator.reset()
    assert emulator.admin("GET", "chaos")["enabled"] is False and api(BATCH).status_code == 200


def test_explicit_rules_take_precedence(emulator, api):
    chaos(emulator, share=1, kinds=["status_500"])
    emulator.admin("POST", "faults", {"faults": [{"kind": "status", "status": 404, "match": "batch", "times": 2}]})
    assert [api(BATCH).status_code for _attempt in range(3)] == [404, 404, 500]
    assert emulator.admin("GET", "chaos")["requests"] == 1


def test_faults_that_do_not_fit_a_route_are_not_chosen(emulator, api):
    chaos(emulator, share=1, kinds=["foreign_id"])
    body = api(BATCH).json()
    assert body["count"] == 200 and len(body["batch_task_list"]) == 10  # no list lie fits: served genuinely
    task_id = emulator.data["vias_task_ids"][0]
    assert api("/v2/{project}/tasks/" + task_id).json()["id"] != task_id
    chaos(emulator, share=1, kinds=["short_page"])
    assert api("/v2/{project}/tasks/" + task_id).json()["id"] == task_id
    assert len(api(BATCH).json()["batch_task_list"]) == 5
    assert emulator.admin("GET", "chaos")["applied"] == {"short_page": 1}


def test_throttles_carry_small_retry_after_or_none(emulator, api):
    chaos(emulator, share=1, kinds=["throttle_retry_after"])
    response = api(BATCH)
    assert response.status_code == 429 and response.headers["Retry-After"] == "1"
    assert response.json()["error_code"] == "APIGW.0308"
    chaos(emulator, share=1, kinds=["throttle"])
    response = api(BATCH)
    assert response.status_code == 429 and "Retry-After" not in response.headers


def test_chaos_drip_delivers_the_whole_body_within_about_two_seconds(emulator, api):
    genuine = api(HILENS, {"limit": 100}).content
    chaos(emulator, share=1, kinds=["drip"], drip_ms=100)
    start = time.monotonic()
    assert api(HILENS, {"limit": 100}).content == genuine
    assert 0.8 < time.monotonic() - start < 3.5  # ten pieces, 100 ms apart
    chaos(emulator, share=1, kinds=["drip"])  # default drip_ms 200: ten pieces, about 2 s
    start = time.monotonic()
    assert api(HILENS, {"limit": 100}).content == genuine
    assert 1.6 < time.monotonic() - start < 3.5


def test_chaos_never_lies_about_items_it_serves(emulator, api):
    """Under every kind, each served item is a real record in its real current state."""
    store = emulator.state.store
    emulator.admin("POST", "schedule", {"service": "vias", "count": 5, "steps": [{"after": 0, "state": "FROZEN"}]})
    chaos(emulator, seed=11, share=0.6, drip_ms=10)
    served = 0
    for status, body in run(emulator, api, rounds=8):
        if status != 200:
            continue
        try:
            data = json.loads(body)
        except ValueError:
            continue  # a truncated body serves no item
        if not isinstance(data, dict):
            continue
        for item in (data.get("tasks") or data.get("batch_task_list") or (data.get("payload") or {}).get("list")
                     or [data.get("task", data)]):
            served += 1
            if "task_status" in item:  # HiLens
                dep = next(name for name, tasks in store.hilens.deployments.items()
                           if any(r["id"] == item["task_id"] for r in tasks))
                assert item == store.hilens.render(dep, store.hilens.by_id[item["task_id"]])
            elif "job_type" in item:
                record = store.octopus.by_id[item["id"]]
                assert item["status"] == store.octopus.effective(record)[0]
            elif "batch_task_status_info" in item:
                record = store.batch.by_id[item["id"]]
                assert item["batch_task_status_info"] == store.batch.counts(record)
            else:
                dataset = store.vas if "service_version" in item else store.vias
                rendered = dataset.render(dataset.by_id[item["id"]])
                rendered.pop("hosting_result", None)
                assert item == rendered
    assert served > 100


@pytest.mark.parametrize("body, where", [
    ({"share": 1.5}, "share"), ({"share": -0.1}, "share"), ({"seed": "x"}, "seed"),
    ({"kinds": ["status_418"]}, "kinds[0]"), ({"kinds": []}, "kinds"), ({"kinds": "reset"}, "kinds"),
    ({"drip_ms": 0}, "drip_ms"), ({"rate": 1}, "unknown key"), (["seed"], "must be an object")])
def test_bad_chaos_settings_are_refused(emulator, body, where):
    response = requests.post(emulator.url + "/_emulator/chaos", json=body, timeout=10)
    assert response.status_code == 400 and where in response.json()["error"]
    assert emulator.admin("GET", "chaos")["enabled"] is False


def test_every_kind_can_be_chosen(emulator, api):
    chaos(emulator, seed=2, share=1, drip_ms=5)  # deterministic: seed 2 happens to pick all 14
    run(emulator, api, rounds=10)
    assert set(emulator.admin("GET", "chaos")["applied"]) == ALL_KINDS
