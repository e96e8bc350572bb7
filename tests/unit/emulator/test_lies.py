"""Faults that answer 200 with lying bodies, and the admin API refusing rules it cannot read."""

import pytest
import requests

HILENS = "/v3/{project}/ai-mgr/deployments/dep-large/tasks"
BATCH = "/v2/{project}/batch-tasks"
OCTOPUS = "/v1.0/{project}/data/system-jobs"
VAS_LIST = "/v2/{project}/services/c-queue-status-analysis-edge/tasks"


def add(emulator, **rule):
    return emulator.admin("POST", "faults", {"faults": [rule]})["added"][0]


def items_and_total(route, body):
    if route == OCTOPUS:
        return body["payload"]["list"], body["payload"]["page_info"]["total"]
    if route == BATCH:
        return body["batch_task_list"], body["count"]
    return body["tasks"], body["count"]


def ids(items):
    return [item.get("id", item.get("task_id")) for item in items]


LISTS = [(HILENS, {"limit": 7}), (BATCH, {"page_size": 7}), (OCTOPUS, {"limit": 7}), (VAS_LIST, {"limit": 7})]


@pytest.mark.parametrize("path, params", LISTS)
def test_short_page_keeps_half_by_default_and_the_genuine_total(emulator, api, path, params):
    genuine_items, genuine_total = items_and_total(path, api(path, params).json())
    add(emulator, kind="short_page", match=path[-12:])
    items, total = items_and_total(path, api(path, params).json())
    assert total == genuine_total and items == genuine_items[:3]
    add(emulator, kind="short_page", match=path[-12:], keep=0)
    assert items_and_total(path, api(path, params).json()) == ([], genuine_total)


@pytest.mark.parametrize("path, params", LISTS)
def test_lying_total_by_delta_or_value(emulator, api, path, params):
    genuine_items, genuine_total = items_and_total(path, api(path, params).json())
    add(emulator, kind="lying_total", match=path[-12:])
    assert items_and_total(path, api(path, params).json()) == (genuine_items, genuine_total + 200)
    add(emulator, kind="lying_total", match=path[-12:], delta=-genuine_total)
    assert items_and_total(path, api(path, params).json())[1] == 0
    huge = int("9" * 400)
    add(emulator, kind="lying_total", match=path[-12:], value=huge)
    response = api(path, params)
    assert str(huge) in response.text and items_and_total(path, response.json())[0] == genuine_items
    add(emulator, kind="lying_total", match=path[-12:], value="lots")
    assert items_and_total(path, api(path, params).json())[1] == "lots"
    add(emulator, kind="lying_total", match=path[-12:], value=None)
    assert items_and_total(path, api(path, params).json())[1] is None


def test_foreign_page_serves_the_next_page_under_this_total(emulator, api):
    for path, first, second in ((HILENS, {"offset": 7, "limit": 7}, {"offset": 14, "limit": 7}),
                                (OCTOPUS, {"limit": 7}, {"offset": 7, "limit": 7}),
                                (BATCH, {"page_size": 7, "page_num": 2}, {"page_size": 7, "page_num": 3}),
                                (VAS_LIST, {"offset": 3, "limit": 4}, {"offset": 7, "limit": 4})):
        genuine_total = items_and_total(path, api(path, first).json())[1]
        next_items = items_and_total(path, api(path, second).json())[0]
        add(emulator, kind="foreign_page", match=path[-12:])
        items, total = items_and_total(path, api(path, first).json())
        assert total == genuine_total and items == next_items and items, path


def test_foreign_page_past_the_end_is_empty_and_defaults_apply(emulator, api):
    add(emulator, kind="foreign_page", match="dep-large")
    body = api(HILENS).json()  # default limit 100: the next page starts at 100
    assert body["count"] == 200 and ids(body["tasks"]) == ids(api(HILENS, {"offset": 100}).json()["tasks"])
    add(emulator, kind="foreign_page", match="dep-small")
    assert api("/v3/{project}/ai-mgr/deployments/dep-small/tasks").json() == {"count": 3, "tasks": []}


@pytest.mark.parametrize("path, params", LISTS)
def test_not_objects_replaces_items(emulator, api, path, params):
    genuine_items, genuine_total = items_and_total(path, api(path, params).json())
    add(emulator, kind="not_objects", match=path[-12:])
    items, total = items_and_total(path, api(path, params).json())
    assert total == genuine_total and items == [str(i) for i in ids(genuine_items)]
    add(emulator, kind="not_objects", match=path[-12:], value=[1, 2])
    assert items_and_total(path, api(path, params).json())[0] == [[1, 2]] * len(genuine_items)
    add(emulator, kind="not_objects", match=path[-12:], value=None)
    assert items_and_total(path, api(path, params).json())[0] == [None] * len(genuine_items)


def test_foreign_id_is_another_real_task_in_the_same_wrapping(emulator, api):
    data = emulator.data
    vias_id = data["vias_task_ids"][0]
    add(emulator, kind="foreign_id", match="/tasks/")
    other = api("/v2/{project}/tasks/" + vias_id).json()
    assert other["id"] != vias_id and other["id"] in emulator.state.store.vias.by_id
    assert api("/v2/{project}/tasks/" + other["id"]).json() == other  # its own true body

    service = data["vas_service_name"]
    plain = next(i for i in data["vas_task_ids"] if i not in data["vas_wrapped_task_ids"])
    for task_id in (data["vas_wrapped_task_ids"][0], plain):
        path = f"/v2/{{project}}/services/{service}/tasks/{task_id}"
        genuine = api(path).json()
        add(emulator, kind="foreign_id", match="/services/")
        lie = api(path).json()
        assert ("task" in lie) == ("task" in genuine)
        task = lie.get("task", lie)
        assert task["id"] != task_id
        real = api(f"/v2/{{project}}/services/{service}/tasks/{task['id']}").json()
        assert real.get("task", real) == task


def test_foreign_id_reports_the_other_tasks_scheduled_state(emulator, api):
    data = emulator.data
    first, second = data["vias_task_ids"][:2]
    emulator.admin("POST", "schedule", {"service": "vias", "ids": [second], "steps": [{"after": 0, "state": "FROZEN"}]})
    add(emulator, kind="foreign_id", match=first)
    lie = api("/v2/{project}/tasks/" + first).json()
    assert lie["id"] == second and lie["state"] == "FROZEN"


def test_lies_pass_errors_through(emulator, api):
    add(emulator, kind="short_page", match="batch", times=None)
    response = api(BATCH, {"page_size": 4})
    assert response.status_code == 400 and response.json()["error_code"] == "VIAS.10400"
    add(emulator, kind="foreign_id", match="/tasks/", times=None)
    assert api("/v2/{project}/tasks/" + "0" * 32).status_code == 404


def test_list_lies_skip_other_routes_without_counting_them(emulator, api):
    add(emulator, kind="short_page", times=1)
    task_id = emulator.data["vias_task_ids"][0]
    assert api("/v2/{project}/tasks/" + task_id).json()["id"] == task_id
    assert emulator.admin("GET", "faults")["faults"][0]["seen"] == 0
    assert len(api(BATCH).json()["batch_task_list"]) == 5
    add(emulator, kind="foreign_id", times=1)
    assert items_and_total(BATCH, api(BATCH).json())[1] == 200
    assert emulator.admin("GET", "faults")["faults"][1]["seen"] == 0


def test_mutate_list_and_short_page_on_the_vas_list(emulator, api):
    before = api(VAS_LIST).json()
    add(emulator, kind="mutate_list", match="/services/", n=2)
    api(VAS_LIST)
    after = api(VAS_LIST).json()
    assert after["count"] == before["count"] + 2 == emulator.data["vas_task_count"]
    assert ids(after["tasks"][2:]) == ids(before["tasks"][:8])


# The admin API refuses what it cannot read, saying why and what to send.

def post_faults(emulator, body=None, raw=None):
    if raw is not None:
        return requests.post(emulator.url + "/_emulator/faults", data=raw, timeout=10)
    return requests.post(emulator.url + "/_emulator/faults", json=body, timeout=10)


@pytest.mark.parametrize("body, words", [
    ({"kind": "reset"}, ["kind", "wrapped", '{"faults": [']),
    ([{"kind": "reset"}], ["must be an object", '{"faults": [']),
    ("reset", ["must be an object"]),
    ({"faults": [{"kind": "reset"}], "extra": 1}, ["unknown key(s) extra"]),
    ({}, ["faults key is missing"]),
    ({"faults": {"kind": "reset"}}, ["faults", "must be a list"]),
    ({"faults": None}, ["must be a list"]),
])
def test_unreadable_fault_bodies_are_refused(emulator, body, words):
    response = post_faults(emulator, body)
    assert response.status_code == 400
    message = response.json()["error"]
    assert all(word in message for word in words), message
    assert emulator.admin("GET", "faults") == {"faults": []}


@pytest.mark.parametrize("raw", [b"", b"   ", b"{not json", b"\xff\xfe"])
def test_empty_or_broken_json_is_refused(emulator, raw):
    response = post_faults(emulator, raw=raw)
    assert response.status_code == 400 and '{"faults": [' in response.json()["error"]


@pytest.mark.parametrize("rule, where", [
    ({"kind": "latency", "ms": -1}, "faults[1].ms"),
    ({"kind": "latency", "ms": "soon"}, "faults[1].ms"),
    ({"kind": "hang", "seconds": None}, "faults[1].seconds"),
    ({"kind": "status", "times": -2}, "faults[1].times"),
    ({"kind": "status", "after": 1.5}, "faults[1].after"),
    ({"kind": "status", "echo_token": "maybe"}, "faults[1].echo_token"),
    ({"kind": "status", "retry_after": [1]}, "faults[1].retry_after"),
    ({"kind": "status", "query": ["offset"]}, "faults[1].query"),
    ({"kind": "status", "match": 5}, "faults[1].match"),
    ({"kind": "truncated", "abort": 1}, "faults[1].abort"),
    ({"kind": "html", "status": 700}, "faults[1].status"),
    ({"kind": "mutate_list", "n": -1}, "faults[1].n"),
    ({"kind": "wrong_shape", "bytes": 0}, "faults[1].bytes"),
    ({"kind": "redirect", "status": 303}, "faults[1].status"),
    ({"kind": "redirect", "location": ""}, "faults[1].location"),
    ({"kind": "drip", "bytes": 0}, "faults[1].bytes"),
    ({"kind": "drip", "interval_ms": -5}, "faults[1].interval_ms"),
    ({"kind": "drip", "max_seconds": 0}, "faults[1].max_seconds"),
    ({"kind": "drip", "headers": "yes please"}, "faults[1].headers"),
    ({"kind": "gzip_bomb", "encoding": "br"}, "faults[1].encoding"),
    ({"kind": "gzip_bomb", "expanded_bytes": 1 << 40}, "faults[1].expanded_bytes"),
    ({"kind": "oversize", "bytes": "big"}, "faults[1].bytes"),
    ({"kind": "short_page", "keep": -1}, "faults[1].keep"),
    ({"kind": "lying_total", "delta": 0.5}, "faults[1].delta"),
    ({"kind": "not_objects", "value": {"id": 1}}, "faults[1].value"),
    ({"kind": "foreign_id", "value": 1}, "faults[1]"),
])
def test_bad_option_values_are_refused_with_their_path(emulator, rule, where):
    response = post_faults(emulator, {"faults": [{"kind": "reset", "match": "nothing"}, rule]})
    assert response.status_code == 400
    assert response.json()["error"].startswith(where + ":"), response.json()
    assert emulator.admin("GET", "faults") == {"faults": []}  # all or nothing


def test_lenient_spellings_that_always_worked_still_do(emulator):
    added = emulator.admin("POST", "faults", {"faults": [
        {"kind": "mutate_list", "n": "3", "after": "1", "times": None},
        {"kind": "status", "status": 503, "retry_after": "Wed, 21 Oct 2015 07:28:00 GMT", "match": None},
        {"kind": "status", "status": 503, "retry_after": "nan", "query": {"offset": 2500}},
        {"kind": "truncated", "abort": "true"},
        {"kind": "latency", "ms": 0},
    ]})["added"]
    assert added[0]["n"] == 3 and added[0]["after"] == 1 and added[1]["match"] == ""
    assert added[2]["query"] == {"offset": "2500"} and added[3]["abort"] is True
    assert emulator.admin("POST", "faults", {"faults": []}) == {"added": []}


def test_listing_shows_new_kinds_with_their_options(emulator):
    add(emulator, kind="lying_total", value=7)
    add(emulator, kind="not_objects")
    add(emulator, kind="drip")
    listed = emulator.admin("GET", "faults")["faults"]
    assert listed[0]["value"] == 7 and listed[0]["delta"] == 200
    assert "value" not in listed[1]
    assert {k: listed[2][k] for k in ("bytes", "interval_ms", "max_seconds", "headers")} == {
        "bytes": 1, "interval_ms": 500, "max_seconds": 60, "headers": False}
