# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Paging: pages gathered in order, duplicates, changing totals, max_pages, failures and the emulator."""

from __future__ import annotations

import threading

import pytest

from ansible_collections.hwcloud.tasks.plugins.module_utils.apis import (
    HILENS_TASKS,
    OCTOPUS_SYSTEM_JOBS,
    OFFSET,
    PAGE_NUMBER,
    VIAS_BATCH_TASKS,
    ApiSpec,
    Paging,
    build_path,
)
from ansible_collections.hwcloud.tasks.plugins.module_utils.auth import PasswordAuth, StaticTokenAuth
from ansible_collections.hwcloud.tasks.plugins.module_utils.http_client import ApiError, HttpClient
from ansible_collections.hwcloud.tasks.plugins.module_utils.paginate import (
    PageResult,
    PagingError,
    fetch_one_page,
    gather_all_pages,
    page_params,
    unique_by_id,
)

# Small pages keep the lists short: 10 records a page.
OFFSET_SPEC = ApiSpec(
    name="test_offset_list",
    host="hilens",
    path="/v1/{project_id}/things",
    schema=None,
    items_path=("things",),
    total_path=("count",),
    id_field="id",
    paging=Paging(OFFSET, "offset", "limit", 0, 10, 10),
)
PAGE_SPEC = OFFSET_SPEC._replace(name="test_page_list", paging=Paging(PAGE_NUMBER, "page_num", "page_size", 1, 5, 10))
NESTED_SPEC = OFFSET_SPEC._replace(name="test_nested_list", items_path=("payload", "list"), total_path=("payload", "page_info", "total"))


def records(count, start=0):
    return [{"id": "r%04d" % n, "n": n} for n in range(start, start + count)]


class ListServer:
    """The injected data source: serves ``rows`` page by page and records what was asked."""

    def __init__(self, rows, spec=OFFSET_SPEC, total=None, totals=None, fail_on=None, pages=None):
        self.rows = rows
        self.spec = spec
        self.total = len(rows) if total is None else total
        self.totals = totals or {}  # page index -> total reported on that page
        self.fail_on = fail_on
        self.pages = pages  # page index -> explicit item list, overrides slicing
        self.calls = []
        self._lock = threading.Lock()

    def index(self, params):
        paging = self.spec.paging
        size = params[paging.size_param]
        if paging.style == OFFSET:
            return params[paging.start_param] // size, size
        return params[paging.start_param] - paging.first, size

    def __call__(self, params):
        with self._lock:
            self.calls.append(dict(params))
        index, size = self.index(params)
        if index == self.fail_on:
            raise ApiError("HTTP 500: page %d failed" % index, status=500, attempts=5)
        items = self.pages[index] if self.pages and index in self.pages else self.rows[index * size:(index + 1) * size]
        return {"things": list(items), "count": self.totals.get(index, self.total)}


# --- in order, whole ----------------------------------------------------------------------------------

@pytest.mark.parametrize("concurrency", [1, 8])
def test_all_offset_pages_are_concatenated_in_order(concurrency):
    rows = records(95)
    server = ListServer(rows)

    result = gather_all_pages(OFFSET_SPEC, server, concurrency=concurrency)

    assert result.items == rows
    assert (result.total, result.pages, result.duplicates) == (95, 10, 0)
    assert result.complete is True
    assert result.warning() is None
    assert sorted(call["offset"] for call in server.calls) == list(range(0, 100, 10))
    assert all(call["limit"] == 10 for call in server.calls)
    assert server.calls[0] == {"offset": 0, "limit": 10}  # the first page is read before the rest


def test_page_number_style_asks_for_page_numbers_from_one():
    rows = records(23)
    server = ListServer(rows, spec=PAGE_SPEC)

    result = gather_all_pages(PAGE_SPEC, server, concurrency=1)

    assert result.items == rows
    assert result.pages == 3
    assert [call["page_num"] for call in server.calls] == [1, 2, 3]
    assert all(call["page_size"] == 10 for call in server.calls)


def test_page_params_for_each_real_api_use_the_largest_page():
    assert page_params(HILENS_TASKS.paging, 3, 100) == {"offset": 300, "limit": 100}
    assert page_params(OCTOPUS_SYSTEM_JOBS.paging, 0, 100) == {"offset": 0, "limit": 100}
    assert page_params(VIAS_BATCH_TASKS.paging, 0, 200) == {"page_num": 1, "page_size": 200}
    assert page_params(VIAS_BATCH_TASKS.paging, 4, 200) == {"page_num": 5, "page_size": 200}


def test_exact_multiple_of_the_page_size_reads_no_extra_page():
    server = ListServer(records(30))

    result = gather_all_pages(OFFSET_SPEC, server, concurrency=1)

    assert result.pages == 3
    assert len(server.calls) == 3
    assert result.complete


def test_empty_list_is_one_page_and_complete():
    server = ListServer([])

    result = gather_all_pages(OFFSET_SPEC, server)

    assert (result.items, result.total, result.pages, result.complete) == ([], 0, 1, True)
    assert len(server.calls) == 1


def test_nested_items_and_total_paths_are_followed():
    rows = records(12)

    def fetch(params):
        part = rows[params["offset"]:params["offset"] + params["limit"]]
        return {"payload": {"list": part, "page_info": {"total": 12}}}

    result = gather_all_pages(NESTED_SPEC, fetch, concurrency=1)

    assert result.items == rows
    assert result.pages == 2


@pytest.mark.parametrize("rows, total", [(records(95), 95), (records(7), 7), (records(200), 200)])
def test_concurrency_1_and_8_give_identical_results(rows, total):
    one = gather_all_pages(OFFSET_SPEC, ListServer(rows, total=total), concurrency=1)
    eight = gather_all_pages(OFFSET_SPEC, ListServer(rows, total=total), concurrency=8)

    assert one.items == eight.items == rows
    assert (one.total, one.pages, one.duplicates, one.totals_seen, one.complete) == (
        eight.total,
        eight.pages,
        eight.duplicates,
        eight.totals_seen,
        eight.complete,
    )


# --- duplicates, mismatches and changing lists --------------------------------------------------------

def test_duplicates_across_pages_are_dropped_keeping_the_first_and_counted():
    rows = records(30)
    # The list shifted by two between page 0 and page 1: page 1 repeats r0008 and r0009.
    server = ListServer(rows, pages={1: rows[8:18], 2: rows[18:28]})

    result = gather_all_pages(OFFSET_SPEC, server, concurrency=1)

    assert result.duplicates == 2
    assert [item["id"] for item in result.items] == ["r%04d" % n for n in range(28)]
    assert result.complete is False  # 28 unique records, total 30
    warning = result.warning()
    assert "Gathered 28 unique records" in warning
    assert "a total of 30 across 3 pages" in warning
    assert "(2 duplicates dropped)" in warning
    assert "the list changed while it was being read" in warning


def test_total_larger_than_the_records_served_is_incomplete_with_a_warning():
    server = ListServer(records(23), total=25)

    result = gather_all_pages(OFFSET_SPEC, server, concurrency=1)

    assert len(result.items) == 23
    assert result.complete is False
    assert result.warning().startswith("Gathered 23 unique records but the API reported a total of 25 across 3 pages (0 duplicates dropped)")


def test_total_changing_between_pages_is_incomplete_and_the_warning_lists_every_total():
    rows = records(25)
    server = ListServer(rows, totals={1: 26, 2: 24})

    result = gather_all_pages(OFFSET_SPEC, server, concurrency=1)

    assert result.items == rows  # every record arrived, but the list was moving
    assert result.totals_seen == [24, 25, 26]
    assert result.complete is False
    assert "a total of 24, 25, 26" in result.warning()


def test_unique_by_id_keeps_records_without_an_id_and_non_objects():
    pages = [[{"id": 1}, {"name": "no id"}, "text"], [{"id": 1}, {"name": "no id"}, {"id": None}, {"id": 2}]]

    kept, duplicates = unique_by_id(pages, "id")

    assert kept == [{"id": 1}, {"name": "no id"}, "text", {"name": "no id"}, {"id": None}, {"id": 2}]
    assert duplicates == 1


def test_page_result_complete_when_total_unknown():
    result = PageResult([{"id": 1}], None, 1)
    assert result.complete
    assert result.warning() is None


# --- limits and failures -------------------------------------------------------------------------------

def test_max_pages_exceeded_fails_naming_the_page_count_after_only_the_first_page():
    server = ListServer(records(10), total=1000)

    with pytest.raises(PagingError) as caught:
        gather_all_pages(OFFSET_SPEC, server, concurrency=8, max_pages=5)

    message = str(caught.value)
    assert "1000 records, 100 pages of 10, more than max_pages=5" in message
    assert "Raise max_pages" in message
    assert server.calls == [{"offset": 0, "limit": 10}]


def test_max_pages_equal_to_the_page_count_is_allowed():
    server = ListServer(records(50))

    result = gather_all_pages(OFFSET_SPEC, server, max_pages=5)

    assert result.pages == 5
    assert result.complete


# --- a known total (a wait polling again): every page in one round trip -----------------------------------

class BarrierServer(ListServer):
    """Answers a page only once ``parties`` requests are in flight together: proof that they were sent at once."""

    def __init__(self, rows, parties, timeout=10.0, **kwargs):
        super().__init__(rows, **kwargs)
        self.barrier = threading.Barrier(parties, timeout=timeout)

    def __call__(self, params):
        self.barrier.wait()  # BrokenBarrierError if fewer than ``parties`` pages were asked for together
        return super().__call__(params)


def test_a_known_total_asks_for_every_page_at_once():
    rows = records(50)
    server = BarrierServer(rows, parties=5)

    result = gather_all_pages(OFFSET_SPEC, server, concurrency=8, expected_total=50)

    assert result.items == rows
    assert (result.total, result.pages, result.complete) == (50, 5, True)
    assert len(server.calls) == 5


def test_without_a_known_total_the_first_page_is_read_alone():
    server = BarrierServer(records(50), parties=2, timeout=0.5)  # page 0 alone can never pass a barrier of two

    with pytest.raises(threading.BrokenBarrierError):
        gather_all_pages(OFFSET_SPEC, server, concurrency=8)


def test_a_list_that_grew_since_the_known_total_reads_the_missing_pages_after():
    rows = records(75)
    server = ListServer(rows)

    result = gather_all_pages(OFFSET_SPEC, server, concurrency=8, expected_total=30)

    assert result.items == rows
    assert (result.total, result.pages, result.complete) == (75, 8, True)
    assert sorted(call["offset"] for call in server.calls) == list(range(0, 80, 10))


def test_a_list_that_shrank_since_the_known_total_drops_the_empty_pages_past_its_end():
    rows = records(25)
    server = ListServer(rows)

    result = gather_all_pages(OFFSET_SPEC, server, concurrency=8, expected_total=60)

    assert result.items == rows
    assert (result.total, result.pages, result.complete) == (25, 3, True)
    assert len(server.calls) == 6  # asked on the old total's word; the three past the end were empty


def test_records_past_the_end_of_the_total_are_kept_and_the_result_is_incomplete():
    # Page 3 was read on the previous total's word and still holds records: the list changed between pages.
    server = ListServer(records(30), pages={3: records(2, start=500)}, totals={3: 32})

    result = gather_all_pages(OFFSET_SPEC, server, concurrency=8, expected_total=40)

    assert [item["id"] for item in result.items][-2:] == ["r0500", "r0501"]
    assert result.complete is False
    assert "30, 32" in result.warning()


def test_a_known_total_still_obeys_max_pages():
    server = ListServer(records(10), total=1000)

    with pytest.raises(PagingError, match="more than max_pages=5"):
        gather_all_pages(OFFSET_SPEC, server, concurrency=8, max_pages=5, expected_total=1000)

    assert len(server.calls) == 5  # never more pages than max_pages, even on the previous total's word


@pytest.mark.parametrize("concurrency", [1, 8])
def test_a_failing_page_propagates_its_error_and_returns_no_result(concurrency):
    server = ListServer(records(95), fail_on=4)
    outcome = []

    with pytest.raises(ApiError) as caught:
        outcome.append(gather_all_pages(OFFSET_SPEC, server, concurrency=concurrency))

    assert outcome == []
    assert caught.value.status == 500
    assert "page 4 failed" in caught.value.message


def test_sequential_walk_stops_at_the_failing_page():
    server = ListServer(records(95), fail_on=2)

    with pytest.raises(ApiError):
        gather_all_pages(OFFSET_SPEC, server, concurrency=1)

    assert [call["offset"] for call in server.calls] == [0, 10, 20]


@pytest.mark.parametrize(
    "document, words",
    [
        pytest.param({"count": 3}, "has no list at things: got nothing", id="no-list"),
        pytest.param({"things": {"a": 1}, "count": 3}, "has no list at things: got dict", id="object-not-list"),
        pytest.param({"things": "abc", "count": 3}, "has no list at things: got str", id="string-not-list"),
        pytest.param([{"id": 1}], "has no list at things: got nothing", id="document-is-a-list"),
        pytest.param({"things": []}, "no usable total at count (got None)", id="no-total"),
        pytest.param({"things": [], "count": "three"}, "no usable total at count (got 'three')", id="word-total"),
        pytest.param({"things": [], "count": True}, "no usable total at count (got True)", id="bool-total"),
        pytest.param({"things": [], "count": -1}, "no usable total at count (got -1)", id="negative-total"),
        pytest.param({"things": [], "count": 3.0}, "no usable total at count (got 3.0)", id="float-total"),
    ],
)
def test_first_page_without_a_list_or_a_total_fails_with_a_clear_message(document, words):
    calls = []

    def fetch(params):
        calls.append(params)
        return document

    with pytest.raises(PagingError) as caught:
        gather_all_pages(OFFSET_SPEC, fetch)

    assert str(caught.value).startswith("The test_offset_list response has no ")
    assert words in str(caught.value)
    assert len(calls) == 1


def test_missing_nested_list_names_the_dotted_path():
    with pytest.raises(PagingError) as caught:
        gather_all_pages(NESTED_SPEC, lambda params: {"payload": {"page_info": {"total": 1}}})

    assert "has no list at payload.list" in str(caught.value)
    assert "Is the endpoint right?" in str(caught.value)


def test_later_page_that_is_not_a_page_fails_the_whole_gather():
    server = ListServer(records(25))

    def fetch(params):
        return {"count": 25} if params["offset"] == 20 else server(params)

    with pytest.raises(PagingError) as caught:
        gather_all_pages(OFFSET_SPEC, fetch, concurrency=1)

    assert "has no list at things" in str(caught.value)


# --- one page ------------------------------------------------------------------------------------------

def test_named_page_is_complete_regardless_of_the_total():
    server = ListServer(records(95))

    result = fetch_one_page(OFFSET_SPEC, server, {"offset": 20, "limit": 10})

    assert result.items == records(10, start=20)
    assert (result.total, result.pages) == (95, 1)
    assert result.complete is True
    assert result.warning() is None
    assert server.calls == [{"offset": 20, "limit": 10}]


def test_named_page_keeps_the_records_as_served():
    page = [{"id": "a"}, {"id": "a"}]

    result = fetch_one_page(OFFSET_SPEC, lambda params: {"things": page, "count": 2}, {"offset": 0, "limit": 10})

    assert result.items == page
    assert result.complete


def test_whole_list_in_one_request_is_complete_when_the_total_matches():
    rows = records(7)

    result = fetch_one_page(OFFSET_SPEC, lambda params: {"things": rows, "count": 7}, {"is_paged": "false"}, whole_list=True)

    assert result.items == rows
    assert result.complete is True


def test_whole_list_in_one_request_drops_duplicates_and_warns_on_a_total_mismatch():
    rows = records(5) + records(1)

    result = fetch_one_page(OFFSET_SPEC, lambda params: {"things": rows, "count": 6}, {}, whole_list=True)

    assert len(result.items) == 5
    assert result.duplicates == 1
    assert result.complete is False
    assert "Gathered 5 unique records but the API reported a total of 6 across 1 pages (1 duplicates dropped)" in result.warning()


def test_one_page_without_a_list_fails():
    with pytest.raises(PagingError):
        fetch_one_page(OFFSET_SPEC, lambda params: {"count": 1}, {})


# --- through HttpClient against the emulator -------------------------------------------------------------

def hilens_fetch(emulator, client, deployment="dep-large"):
    url = emulator.url + build_path(HILENS_TASKS, project_id=emulator.credentials["project_id"], deployment_id=deployment)
    return lambda params: client.get_json(url, params=params)


def token_client(emulator, **kwargs):
    return HttpClient(auth=StaticTokenAuth(emulator.credentials["static_token"]), timeout=10, **kwargs)


def test_emulator_list_is_gathered_whole_and_identically_with_concurrency_1_and_8(emulator, emu_stats):
    emulator.reset(sizes={"hilens_tasks": 950})
    expected_head = emulator.data["hilens_task_ids"]["dep-large"]
    client = token_client(emulator, pool_size=8)

    sequential = gather_all_pages(HILENS_TASKS, hilens_fetch(emulator, client), concurrency=1)
    concurrent = gather_all_pages(HILENS_TASKS, hilens_fetch(emulator, client), concurrency=8)

    assert len(sequential.items) == 950
    assert [task["task_id"] for task in sequential.items[:5]] == expected_head
    assert sequential.items == concurrent.items
    assert (sequential.total, sequential.pages, sequential.duplicates) == (950, 10, 0)
    assert sequential.complete and concurrent.complete
    assert emu_stats()["api_requests"] == 20


def test_emulator_list_growing_between_pages_gives_duplicates_changing_totals_and_a_warning(emulator, faults):
    emulator.reset(sizes={"hilens_tasks": 1000})
    # The request for the second page inserts 3 tasks at the head: later pages shift by 3.
    faults({"kind": "mutate_list", "n": 3, "match": "/dep-large/", "after": 1, "times": 1})
    client = token_client(emulator)

    result = gather_all_pages(HILENS_TASKS, hilens_fetch(emulator, client), concurrency=1)

    assert result.duplicates == 3
    assert len(result.items) == 997
    assert result.totals_seen == [1000, 1003]
    assert result.complete is False
    assert "a total of 1000, 1003 across 10 pages (3 duplicates dropped)" in result.warning()


def test_emulator_page_failing_for_good_propagates_the_api_error(emulator, faults, fast_backoff):
    emulator.reset(sizes={"hilens_tasks": 500})
    faults({"kind": "status", "status": 500, "query": {"offset": "300"}, "times": None})
    client = token_client(emulator, retries=1, pool_size=8)

    with pytest.raises(ApiError) as caught:
        gather_all_pages(HILENS_TASKS, hilens_fetch(emulator, client), concurrency=8)

    assert caught.value.status == 500
    assert caught.value.attempts == 2


def test_emulator_page_retried_inside_the_walk_does_not_restart_it(emulator, faults, emu_stats, fast_backoff):
    emulator.reset(sizes={"hilens_tasks": 500})
    faults({"kind": "status", "status": 429, "query": {"offset": "200"}, "times": 2})
    client = token_client(emulator, pool_size=8)

    result = gather_all_pages(HILENS_TASKS, hilens_fetch(emulator, client), concurrency=8)

    assert len(result.items) == 500 and result.complete
    assert emu_stats()["api_requests"] == 7  # 5 pages + 2 throttled retries of one page
    assert client.stats["throttled"] == 2


def test_emulator_answer_of_the_wrong_shape_fails_paging(emulator, faults):
    faults({"kind": "wrong_shape", "shape": "list"})
    client = token_client(emulator)

    with pytest.raises(PagingError) as caught:
        gather_all_pages(HILENS_TASKS, hilens_fetch(emulator, client, "dep-small"))

    assert "has no list at tasks" in str(caught.value)


def test_a_count_sent_as_a_string_of_digits_still_pages(emulator, faults):
    # The schema layer reports it (strict fails, warn warns); paging itself can use it.
    faults({"kind": "wrong_shape", "shape": "string_count"})
    result = gather_all_pages(HILENS_TASKS, hilens_fetch(emulator, token_client(emulator), "dep-small"))

    assert result.total == 3 and len(result.items) == 3 and result.complete


def test_emulator_concurrent_pages_with_password_auth_share_one_token(emulator, emu_stats):
    emulator.reset(sizes={"hilens_tasks": 800})
    creds = emulator.credentials
    auth = PasswordAuth(emulator.url, creds["user_name"], creds["password"], creds["domain_name"], creds["project_id"])
    client = HttpClient(auth=auth, timeout=10, pool_size=8)

    result = gather_all_pages(HILENS_TASKS, hilens_fetch(emulator, client), concurrency=8)

    assert len(result.items) == 800
    assert emu_stats()["iam_token_requests"] == 1


def test_emulator_named_page_is_complete(emulator):
    client = token_client(emulator)

    result = fetch_one_page(HILENS_TASKS, hilens_fetch(emulator, client), {"offset": 100, "limit": 50})

    assert len(result.items) == 50
    assert result.total == 200
    assert result.complete
