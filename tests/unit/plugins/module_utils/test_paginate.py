# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Paging: overlapping windows, consistent reads of a list that moves, re-reads, max_pages, failures and the emulator."""

from __future__ import annotations

import random
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
    plan_windows,
    unique_by_id,
)

# Small pages keep the lists short: 10 records a page.
OFFSET_SPEC = ApiSpec(
    name="test_offset_list",
    host="hilens",
    path="/v1/{project_id}/things",
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
    """The injected data source: serves ``rows`` as a list API would, slice by slice, and records what was asked.

    ``before(call_number, rows)`` runs before each answer and may change ``rows`` in place (a rollout);
    ``pages`` overrides the records served for a window start, ``totals`` the total reported for one.
    """

    def __init__(self, rows, spec=OFFSET_SPEC, total=None, totals=None, fail_on=None, pages=None, before=None):
        self.rows = rows
        self.spec = spec
        self.fixed_total = total
        self.totals = totals or {}  # window start -> total reported by that window
        self.fail_on = fail_on
        self.pages = pages  # window start -> explicit item list, overrides slicing
        self.before = before
        self.calls = []
        self._lock = threading.Lock()

    def window(self, params):
        paging = self.spec.paging
        size = params[paging.size_param]
        if paging.style == OFFSET:
            return params[paging.start_param], size
        return (params[paging.start_param] - paging.first) * size, size

    def __call__(self, params):
        with self._lock:
            self.calls.append(dict(params))
            if self.before is not None:
                self.before(len(self.calls), self.rows)
            start, size = self.window(params)
            if start == self.fail_on:
                raise ApiError("HTTP 500: the page at %d failed" % start, status=500, attempts=5)
            items = self.pages[start] if self.pages and start in self.pages else self.rows[start:start + size]
            total = self.totals.get(start, len(self.rows) if self.fixed_total is None else self.fixed_total)
            return {"things": list(items), "count": total}


def ids(items):
    return [item["id"] for item in items]


# --- overlapping windows, in order, whole ------------------------------------------------------------------

@pytest.mark.parametrize("concurrency", [1, 8])
def test_offset_windows_overlap_by_one_record_and_join_in_order(concurrency):
    rows = records(95)
    server = ListServer(rows)

    result = gather_all_pages(OFFSET_SPEC, server, concurrency=concurrency)

    assert result.items == rows
    assert (result.total, result.pages, result.reads, result.complete, result.warning()) == (95, 11, 1, True, None)
    # Each window after the first starts on the last record of the one before: 0, 9, 18, ... 90.
    assert sorted(call["offset"] for call in server.calls) == list(range(0, 91, 9))
    assert all(call["limit"] == 10 for call in server.calls)
    assert server.calls[0] == {"offset": 0, "limit": 10}  # the first window is read before the rest


def test_page_number_windows_choose_sizes_whose_pages_overlap():
    rows = records(23)
    server = ListServer(rows, spec=PAGE_SPEC)

    result = gather_all_pages(PAGE_SPEC, server, concurrency=1)

    assert result.items == rows and result.complete
    # [0, 10) size 10; [9, 18) is page 2 of size 9; [16, 24) is page 3 of size 8: each starts inside the one before.
    assert server.calls == [{"page_num": 1, "page_size": 10}, {"page_num": 2, "page_size": 9}, {"page_num": 3, "page_size": 8}]


@pytest.mark.parametrize("spec", [HILENS_TASKS, OCTOPUS_SYSTEM_JOBS, VIAS_BATCH_TASKS], ids=lambda spec: spec.name)
@pytest.mark.parametrize("total", [0, 1, 99, 100, 101, 199, 200, 201, 5000, 10000, 123457])
def test_every_plan_covers_the_list_with_overlapping_windows_the_api_accepts(spec, total):
    paging = spec.paging
    windows = plan_windows(paging, total)

    assert windows[0].start == 0
    assert windows[-1].start + windows[-1].size >= total
    for before, after in zip(windows, windows[1:]):
        assert before.start < after.start <= before.start + before.size - 1  # overlap by at least one record
        assert after.start + after.size > before.start + before.size  # and reach further
    for window in windows:
        assert paging.min_size <= window.size <= paging.max_size
        assert page_params(paging, window.start, window.size) == window.params
        if paging.style == PAGE_NUMBER:
            assert window.start % window.size == 0  # a page number can only start at a multiple of its size
            assert 1 <= window.params["page_num"] <= 10000


def test_overlap_costs_at_most_a_tenth_more_requests_on_the_largest_lists_measured():
    # The benchmarks read 10,000 batch tasks and 5,000 HiLens tasks: 50 pages each without overlap.
    assert len(plan_windows(VIAS_BATCH_TASKS.paging, 10000)) <= 55
    assert len(plan_windows(HILENS_TASKS.paging, 5000)) == 51


def test_page_params_for_each_real_api():
    assert page_params(HILENS_TASKS.paging, 297, 100) == {"offset": 297, "limit": 100}
    assert page_params(OCTOPUS_SYSTEM_JOBS.paging, 0, 100) == {"offset": 0, "limit": 100}
    assert page_params(VIAS_BATCH_TASKS.paging, 0, 200) == {"page_num": 1, "page_size": 200}
    assert page_params(VIAS_BATCH_TASKS.paging, 396, 198) == {"page_num": 3, "page_size": 198}


def test_a_list_that_fits_in_one_window_is_one_request():
    server = ListServer(records(10))

    result = gather_all_pages(OFFSET_SPEC, server, concurrency=1)

    assert (result.pages, len(server.calls), result.complete) == (1, 1, True)


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
    assert (result.pages, result.complete) == (2, True)


@pytest.mark.parametrize("count", [95, 7, 200])
def test_concurrency_1_and_8_give_identical_results(count):
    one = gather_all_pages(OFFSET_SPEC, ListServer(records(count)), concurrency=1)
    eight = gather_all_pages(OFFSET_SPEC, ListServer(records(count)), concurrency=8)

    assert one.items == eight.items == records(count)
    assert (one.total, one.pages, one.complete) == (eight.total, eight.pages, eight.complete)


# --- a list that moves while it is read ------------------------------------------------------------------

def delete_and_append_after_first_answer(index_to_delete, new_id="new-1"):
    """The issue's rollout: right after the first window is served, one record is deleted and one appended."""
    def before(call, rows):
        if call == 2:
            del rows[index_to_delete]
            rows.append({"id": new_id, "n": -1})
    return before


@pytest.mark.parametrize("spec", [OFFSET_SPEC, PAGE_SPEC], ids=["offset", "page-number"])
def test_a_deletion_before_a_boundary_with_an_addition_at_the_end_is_caught_and_read_again(spec):
    rows = records(20)
    server = ListServer(rows, spec=spec, before=delete_and_append_after_first_answer(5))

    result = gather_all_pages(spec, server, concurrency=1)

    # The count stayed 20 and the first read gathered 20 unique records; without the overlap r0010 was lost.
    assert result.complete and result.reads == 2
    assert ids(result.items) == ids(rows)
    assert "r0010" in ids(result.items)


def test_without_overlap_the_same_rollout_loses_a_record_unseen():
    # What the overlap prevents, shown with grid pages (0, 10) and (10, 20) read across the same rollout.
    rows = records(20)
    server = ListServer(rows, before=delete_and_append_after_first_answer(5))
    first = server({"offset": 0, "limit": 10})["things"]
    second = server({"offset": 10, "limit": 10})["things"]

    gathered = ids(first) + ids(second)
    assert len(set(gathered)) == 20 and "r0010" not in gathered


def test_an_insertion_in_the_middle_while_page_two_is_answered_first_is_caught():
    rows = records(30)
    answered = []

    def before(call, current):
        answered.append(call)
        if call == 2:  # after the second window (offset 9) is answered, a record is inserted before it
            current.insert(3, {"id": "ins", "n": -1})

    # Window 1 (offset 9) answered before window 2 (offset 18): served in that order by a sequential walk.
    server = ListServer(rows, before=before)
    result = gather_all_pages(OFFSET_SPEC, server, concurrency=1)

    assert result.complete and result.reads == 2
    assert ids(result.items) == ids(rows)  # the re-read holds the inserted record and every original one


def test_newest_first_list_with_a_new_record_at_the_head_answered_last_is_caught():
    rows = records(30)

    def fetch(params):
        return server(params)

    def before(call, current):
        if call == 3:
            current.insert(0, {"id": "newest", "n": -1})

    server = ListServer(rows, before=before)
    result = gather_all_pages(OFFSET_SPEC, fetch, concurrency=1)

    assert result.complete and result.reads == 2 and ids(result.items)[0] == "newest"


def test_a_list_that_keeps_moving_is_incomplete_after_the_rereads_and_says_it_moved():
    rows = records(30)

    def before(call, current):
        if call % 4 == 2:  # every read: a deletion before the second window's start, an addition at the end
            del current[0]
            current.append({"id": "new-%d" % call, "n": -1})

    server = ListServer(rows, before=before)
    result = gather_all_pages(OFFSET_SPEC, server, concurrency=1)

    assert result.complete is False
    assert result.reads == 3  # the first read and MOVED_LIST_REREADS more
    warning = result.warning()
    assert "the list moved while it was being read, on each of 3 reads" in warning
    assert "the page at record 9 began with" in warning
    assert "came back short" not in warning


def test_a_reread_is_not_made_when_the_caller_has_no_time_for_it():
    server = ListServer(records(20), before=delete_and_append_after_first_answer(5))

    result = gather_all_pages(OFFSET_SPEC, server, concurrency=1, may_reread=lambda: False)

    assert (result.complete, result.reads, len(server.calls)) == (False, 1, 3)


def test_a_short_page_is_reported_as_short_not_as_a_moving_list():
    server = ListServer(records(23), total=25)

    result = gather_all_pages(OFFSET_SPEC, server, concurrency=1)

    assert result.complete is False
    warning = result.warning()
    assert "a page came back short, on each of 3 reads" in warning
    assert "the page at record 18 held 5 records where the total of 25 promised 7" in warning
    assert "moved" not in warning.split("short")[0]


def test_total_changing_between_pages_is_incomplete_and_the_warning_lists_every_total():
    rows = records(25)
    server = ListServer(rows, totals={9: 26, 18: 24})

    result = gather_all_pages(OFFSET_SPEC, server, concurrency=1)

    assert result.complete is False
    assert "the list's total changed while it was being read, on each of 3 reads (24, 25, 26)" in result.warning()


def test_records_listed_twice_outside_the_overlap_are_a_moved_list():
    rows = records(20)
    server = ListServer(rows, pages={9: rows[9:10] + rows[2:3] + rows[11:19]})

    result = gather_all_pages(OFFSET_SPEC, server, concurrency=1)

    assert result.complete is False and "listed at two places" in result.warning()


def test_records_past_the_end_of_the_total_are_not_a_complete_read():
    # Window at 36 was read on the previous total's word and still holds records though the total says 30.
    server = ListServer(records(30), pages={36: records(2, start=500)})

    result = gather_all_pages(OFFSET_SPEC, server, concurrency=8, expected_total=40, may_reread=lambda: False)

    assert result.complete is False
    assert "the page at record 36 held 2 records past the end of the list" in result.warning()


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("spec", [OFFSET_SPEC, PAGE_SPEC], ids=["offset", "page-number"])
def test_a_complete_read_holds_every_record_that_existed_during_the_whole_read(spec, seed):
    """Property: under random rollouts (deletions and insertions anywhere, count kept or not), in any answer
    order, a read called complete holds every record that existed from its first request to its last."""
    chooser = random.Random(seed)
    rows = records(chooser.randrange(15, 60))
    persistent = set(ids(rows))
    created = [0]

    def before(_call, current):
        for _step in range(chooser.choice([0, 0, 1, 2])):
            if current and chooser.random() < 0.5:
                gone = current.pop(chooser.randrange(len(current)))
                persistent.discard(gone["id"])
            created[0] += 1
            current.insert(chooser.randrange(len(current) + 1), {"id": "c%d" % created[0], "n": -1})

    server = ListServer(rows, spec=spec, before=before)
    result = gather_all_pages(spec, server, concurrency=1)

    if result.complete:
        assert persistent <= set(ids(result.items))
        assert result.total == len(result.items)


# --- limits and failures -------------------------------------------------------------------------------

def test_max_pages_exceeded_fails_naming_the_page_count_after_only_the_first_page():
    server = ListServer(records(10), total=1000)

    with pytest.raises(PagingError) as caught:
        gather_all_pages(OFFSET_SPEC, server, concurrency=8, max_pages=5)

    message = str(caught.value)
    assert "1000 records, 111 pages of up to 10, more than max_pages=5" in message
    assert "Raise max_pages" in message
    assert server.calls == [{"offset": 0, "limit": 10}]


def test_max_pages_equal_to_the_page_count_is_allowed():
    server = ListServer(records(46))

    result = gather_all_pages(OFFSET_SPEC, server, max_pages=5)

    assert (result.pages, result.complete) == (5, True)


# --- a known total (a wait polling again): every window in one round trip -----------------------------------

class BarrierServer(ListServer):
    """Answers a page only once ``parties`` requests are in flight together: proof that they were sent at once."""

    def __init__(self, rows, parties, timeout=10.0, **kwargs):
        super().__init__(rows, **kwargs)
        self.barrier = threading.Barrier(parties, timeout=timeout)

    def __call__(self, params):
        self.barrier.wait()  # BrokenBarrierError if fewer than ``parties`` pages were asked for together
        return super().__call__(params)


def test_a_known_total_asks_for_every_window_at_once():
    rows = records(46)
    server = BarrierServer(rows, parties=5)

    result = gather_all_pages(OFFSET_SPEC, server, concurrency=8, expected_total=46)

    assert result.items == rows
    assert (result.total, result.pages, result.complete) == (46, 5, True)
    assert len(server.calls) == 5


def test_without_a_known_total_the_first_page_is_read_alone():
    server = BarrierServer(records(50), parties=2, timeout=0.5)  # page 0 alone can never pass a barrier of two

    with pytest.raises(threading.BrokenBarrierError):
        gather_all_pages(OFFSET_SPEC, server, concurrency=8)


def test_a_list_that_grew_since_the_known_total_reads_the_missing_windows_after():
    rows = records(75)
    server = ListServer(rows)

    result = gather_all_pages(OFFSET_SPEC, server, concurrency=8, expected_total=30)

    assert result.items == rows
    assert (result.total, result.pages, result.complete) == (75, 9, True)
    assert sorted(call["offset"] for call in server.calls) == list(range(0, 73, 9))


def test_a_list_that_shrank_since_the_known_total_drops_the_empty_windows_past_its_end():
    rows = records(25)
    server = ListServer(rows)

    result = gather_all_pages(OFFSET_SPEC, server, concurrency=8, expected_total=60)

    assert result.items == rows
    assert (result.total, result.complete) == (25, True)
    assert len(server.calls) == 7  # asked on the old total's word; the four past the end were empty


def test_a_known_total_still_obeys_max_pages():
    server = ListServer(records(10), total=1000)

    with pytest.raises(PagingError, match="more than max_pages=5"):
        gather_all_pages(OFFSET_SPEC, server, concurrency=8, max_pages=5, expected_total=1000)

    assert len(server.calls) == 5  # never more pages than max_pages, even on the previous total's word


@pytest.mark.parametrize("concurrency", [1, 8])
def test_a_failing_page_propagates_its_error_and_returns_no_result(concurrency):
    server = ListServer(records(95), fail_on=36)
    outcome = []

    with pytest.raises(ApiError) as caught:
        outcome.append(gather_all_pages(OFFSET_SPEC, server, concurrency=concurrency))

    assert outcome == []
    assert caught.value.status == 500
    assert "the page at 36 failed" in caught.value.message


def test_sequential_walk_stops_at_the_failing_page():
    server = ListServer(records(95), fail_on=18)

    with pytest.raises(ApiError):
        gather_all_pages(OFFSET_SPEC, server, concurrency=1)

    assert [call["offset"] for call in server.calls] == [0, 9, 18]


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
        return {"count": 25} if params["offset"] == 18 else server(params)

    with pytest.raises(PagingError) as caught:
        gather_all_pages(OFFSET_SPEC, fetch, concurrency=1)

    assert "has no list at things" in str(caught.value)


def test_unique_by_id_keeps_records_without_an_id_and_non_objects():
    pages = [[{"id": 1}, {"name": "no id"}, "text"], [{"id": 1}, {"name": "no id"}, {"id": None}, {"id": 2}]]

    kept, duplicates = unique_by_id(pages, "id")

    assert kept == [{"id": 1}, {"name": "no id"}, "text", {"name": "no id"}, {"id": None}, {"id": 2}]
    assert duplicates == 1


def test_page_result_complete_when_nothing_is_wrong():
    result = PageResult([{"id": 1}], None, 1)
    assert result.complete
    assert result.warning() is None


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


def test_whole_list_in_one_request_drops_duplicates_and_says_why_it_is_incomplete():
    rows = records(5) + records(1)

    result = fetch_one_page(OFFSET_SPEC, lambda params: {"things": rows, "count": 6}, {}, whole_list=True)

    assert len(result.items) == 5
    assert result.complete is False
    assert "1 record(s) were listed twice" in result.warning()


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
    assert (sequential.total, sequential.pages, sequential.reads) == (950, 10, 1)
    assert sequential.complete and concurrent.complete
    assert emu_stats()["api_requests"] == 20


def test_emulator_list_growing_at_the_head_between_pages_is_read_again_whole(emulator, faults):
    emulator.reset(sizes={"hilens_tasks": 1000})
    # The request for the second page inserts 3 tasks at the head: later pages shift by 3.
    faults({"kind": "mutate_list", "n": 3, "match": "/dep-large/", "after": 1, "times": 1})
    client = token_client(emulator)

    result = gather_all_pages(HILENS_TASKS, hilens_fetch(emulator, client), concurrency=1)

    assert (result.reads, result.total, len(result.items), result.complete) == (2, 1003, 1003, True)
    assert len(set(task["task_id"] for task in result.items)) == 1003


def test_emulator_list_moving_on_every_read_is_incomplete(emulator, faults):
    emulator.reset(sizes={"hilens_tasks": 300})
    faults({"kind": "mutate_list", "n": 1, "match": "/dep-large/", "after": 1, "times": None})
    client = token_client(emulator)

    result = gather_all_pages(HILENS_TASKS, hilens_fetch(emulator, client), concurrency=1)

    assert (result.reads, result.complete) == (3, False)
    assert "the list's total changed while it was being read, on each of 3 reads" in result.warning()


def test_emulator_page_failing_for_good_propagates_the_api_error(emulator, faults, fast_backoff):
    emulator.reset(sizes={"hilens_tasks": 500})
    faults({"kind": "status", "status": 500, "query": {"offset": "297"}, "times": None})
    client = token_client(emulator, retries=1, pool_size=8)

    with pytest.raises(ApiError) as caught:
        gather_all_pages(HILENS_TASKS, hilens_fetch(emulator, client), concurrency=8)

    assert caught.value.status == 500
    assert caught.value.attempts == 2


def test_emulator_page_retried_inside_the_walk_does_not_restart_it(emulator, faults, emu_stats, fast_backoff):
    emulator.reset(sizes={"hilens_tasks": 500})
    faults({"kind": "status", "status": 429, "query": {"offset": "198"}, "times": 2})
    client = token_client(emulator, pool_size=8)

    result = gather_all_pages(HILENS_TASKS, hilens_fetch(emulator, client), concurrency=8)

    assert len(result.items) == 500 and result.complete
    assert emu_stats()["api_requests"] == 8  # 6 overlapping windows + 2 throttled retries of one window
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
