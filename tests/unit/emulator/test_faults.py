"""Every fault kind, rule matching (after/times/method/query/regex) and the admin listing."""

import json
import threading
import time

import pytest
import requests

HILENS = "/v3/{project}/ai-mgr/deployments/dep-small/tasks"
BATCH = "/v2/{project}/batch-tasks"
OCTOPUS = "/v1.0/{project}/data/system-jobs"


def add(emulator, **rule):
    return emulator.admin("POST", "faults", {"faults": [rule]})


def test_status_429_with_retry_after(emulator, api):
    add(emulator, kind="status", match="/batch-tasks", status=429, retry_after=3, times=2)
    for _attempt in range(2):
        response = api(BATCH)
        assert response.status_code == 429 and response.headers["Retry-After"] == "3"
        assert response.json() == {"error_code": "APIGW.0308",
                                   "error_msg": "The throttling threshold has been reached"}
    assert api(BATCH).status_code == 200
    assert emulator.admin("GET", "stats")["by_status"] == {"429": 2, "200": 1}


@pytest.mark.parametrize("status", [401, 403, 404, 500, 502, 503, 504])
def test_status_vendor_bodies(emulator, api, status):
    add(emulator, kind="status", match="/tasks/", status=status)
    response = api("/v2/{project}/tasks/" + emulator.data["vias_task_ids"][0])
    assert response.status_code == status
    body = response.json()
    assert body["error_code"] and body["error_msg"]
    if status in (404, 500, 503):
        assert body["error_code"].startswith("VIAS.") and "advice" in body


def test_status_on_iam_and_body_override(emulator, api):
    add(emulator, kind="status", match="/v3/auth/tokens", status=503)
    response = requests.post(emulator.url + "/v3/auth/tokens", json={}, timeout=10)
    assert response.status_code == 503 and response.json()["error"]["code"] == 503
    add(emulator, kind="status", match=HILENS[15:], status=500, body={"errorCode": "X.1", "errorMsg": "boom"})
    assert api(HILENS).json() == {"errorCode": "X.1", "errorMsg": "boom"}


def test_echo_token_only_when_asked(emulator, api):
    token = emulator.credentials["static_token"]
    add(emulator, kind="status", match="batch", status=500)
    assert token not in api(BATCH).text
    add(emulator, kind="status", match="batch", status=500, echo_token=True)
    assert token in api(BATCH).json()["error_msg"]


def test_after_times_method_query_regex(emulator, api):
    add(emulator, kind="status", match=r"^/v1\.0/\w+/data/system-jobs$", status=500, after=1, times=2,
        method="GET", query={"limit": 5})
    codes = [api(OCTOPUS, {"limit": 5}).status_code for _attempt in range(4)]
    assert codes == [200, 500, 500, 200]
    assert api(OCTOPUS, {"limit": 6}).status_code == 200
    listed = emulator.admin("GET", "faults")["faults"][0]
    assert listed["seen"] == 4 and listed["applied"] == 2 and listed["remaining"] == 0
    emulator.admin("DELETE", "faults")
    assert emulator.admin("GET", "faults") == {"faults": []}


def test_times_null_means_always(emulator, api):
    add(emulator, kind="status", match="batch", status=502, times=None)
    assert [api(BATCH).status_code for _attempt in range(3)] == [502] * 3
    assert emulator.admin("GET", "faults")["faults"][0]["remaining"] is None


def test_reset_connection(emulator, api):
    add(emulator, kind="reset", match="batch")
    with pytest.raises(requests.ConnectionError):
        api(BATCH)
    assert api(BATCH).status_code == 200
    assert emulator.admin("GET", "stats")["by_status"] == {"reset": 1, "200": 1}


def test_latency_and_hang_do_not_block_others(emulator, api):
    add(emulator, kind="hang", match="dep-small", seconds=1.0)
    add(emulator, kind="latency", match="batch", ms=300)
    results = {}
    slow = threading.Thread(target=lambda: results.setdefault("slow", api(HILENS)))
    start = time.monotonic()
    slow.start()
    time.sleep(0.05)
    assert api(OCTOPUS).status_code == 200
    assert time.monotonic() - start < 0.5  # served while the other request hangs
    batch_start = time.monotonic()
    assert api(BATCH).status_code == 200 and time.monotonic() - batch_start >= 0.3
    slow.join()
    assert results["slow"].status_code == 200 and time.monotonic() - start >= 1.0


def test_hang_beyond_client_timeout(emulator):
    add(emulator, kind="hang", match="batch", seconds=1)
    url = emulator.url + BATCH.format(project=emulator.credentials["project_id"])
    with pytest.raises(requests.Timeout):
        requests.get(url, headers={"X-Auth-Token": emulator.credentials["static_token"]}, timeout=0.3)
    # The hung handler finishes later (counted as a reset): wait, so it does not count in the next test.
    deadline = time.monotonic() + 5
    while emulator.admin("GET", "stats")["by_status"].get("reset") != 1:
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_truncated_body(emulator, api):
    full = api(BATCH).content
    add(emulator, kind="truncated", match="batch")
    response = api(BATCH)
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.content == full[: len(full) // 2]
    with pytest.raises(ValueError):
        response.json()


def test_truncated_connection(emulator, api):
    add(emulator, kind="truncated", match="batch", abort=True)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        api(BATCH)


def test_html_empty_content_type(emulator, api):
    add(emulator, kind="html", match="batch", status=502)
    response = api(BATCH)
    assert response.status_code == 502 and response.headers["Content-Type"].startswith("text/html")
    assert "<html>" in response.text
    add(emulator, kind="empty", match="batch")
    response = api(BATCH)
    assert response.status_code == 200 and response.content == b""
    add(emulator, kind="content_type", match="batch")
    response = api(BATCH)
    assert response.headers["Content-Type"] == "text/plain" and json.loads(response.text)["count"] == 200


def test_wrong_shapes(emulator, api):
    add(emulator, kind="wrong_shape", match="batch", shape="list")
    assert isinstance(api(BATCH).json(), list)
    add(emulator, kind="wrong_shape", match="batch", shape="string_count")
    assert api(BATCH).json()["count"] == "200"
    add(emulator, kind="wrong_shape", match="system-jobs", shape="string_count")
    assert api(OCTOPUS).json()["payload"]["page_info"]["total"] == "200"
    add(emulator, kind="wrong_shape", match="batch", shape="deep", bytes=600_000)
    response = api(BATCH)
    assert 500_000 < len(response.content) <= 600_000
    with pytest.raises(RecursionError):
        json.loads(response.content)


def test_mutate_list_shifts_pages(emulator, api):
    add(emulator, kind="mutate_list", match="batch", n=3)
    first = api(BATCH, {"page_size": 5}).json()
    second = api(BATCH, {"page_size": 5, "page_num": 2}).json()
    assert second["count"] == first["count"] + 3 == 203
    # The 3 new records pushed the last 3 of page 1 onto page 2.
    assert [b["id"] for b in second["batch_task_list"][:3]] == [b["id"] for b in first["batch_task_list"][2:]]


def test_mutate_list_hilens_and_octopus(emulator, api):
    add(emulator, kind="mutate_list", match="dep-small", n=2)
    before = api(HILENS).json()
    after = api(HILENS).json()
    assert after["count"] == 5 and after["tasks"][2:] == before["tasks"]
    add(emulator, kind="mutate_list", match="system-jobs", n=1)
    head = api(OCTOPUS).json()["payload"]["list"][0]
    new_head = api(OCTOPUS).json()["payload"]["list"][0]
    assert new_head["id"] == 201 and new_head["create_at"] > head["create_at"]


def test_admin_never_faulted(emulator):
    add(emulator, kind="status", match="", status=500, times=None)
    assert emulator.admin("GET", "health") == {"ok": True}


@pytest.mark.parametrize("rule", [{"kind": "explode"}, {"kind": "status", "status": 418},
                                  {"kind": "latency", "match": "^(", "ms": 1},
                                  {"kind": "wrong_shape", "shape": "triangle"},
                                  {"kind": "reset", "ms": 3}])
def test_invalid_rules_rejected(emulator, rule):
    response = requests.post(emulator.url + "/_emulator/faults", json={"faults": [rule]}, timeout=10)
    assert response.status_code == 400 and "error" in response.json()
