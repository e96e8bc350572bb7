# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Gather every page of a list API as one consistent read, even while the list moves.

None of these APIs can serve a snapshot (nothing like Kubernetes' resourceVersion), and
a rollout deletes and creates tasks while we read. Plain offset paging then loses a task
with every count still matching: delete task 5 after page 1 is served and append a task,
and page 2 starts one record later, so the task that was first on page 2 is never seen.

So the reader proves each read instead of trusting it. Its pages are *windows that
overlap*: each window after the first starts on the last record of the window before
(offset paging: offsets 0, 99, 198, ... with limit 100; page-number paging: a page_size
and page_num chosen so that the window's first record is one the window before also
holds). Two neighbouring windows, each a contiguous slice of the list as it was when it
was served, agree on the records they share only if no record was inserted or deleted
before that boundary between the two reads. When every boundary agrees, every window
holds what it should (none short, none long), and all report the same total, then every
record that existed during the whole read is in it, in whatever order the pages were
answered: a record between two windows' shared records would have to be in one of them.
This assumes the list keeps its records in a stable order (by creation time, as these
APIs list them); a record whose position changes is a deletion and an insertion.

A read that fails the proof is read again, a bounded number of times (``MOVED_LIST_REREADS``);
one that keeps failing is returned incomplete with the reason, never as complete.

Each page is one request with its own retries (in the HTTP layer), so a throttle on
page 40 never restarts the walk from page 1. A page that still fails ends the whole
gather: a partial list is never returned as if it were complete.
"""

from __future__ import annotations

from collections import namedtuple
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.hwcloud.tasks.plugins.module_utils.apis import OFFSET, dig
from ansible_collections.hwcloud.tasks.plugins.module_utils.errors import HwcloudTasksError

# A total beyond this many records is not a count any of these services keeps: it is refused
# before any arithmetic (and before a message prints all of its digits).
PLAUSIBLE_TOTAL = 10 ** 12
# A list that moved while it was read is read again this many times before the read is called incomplete.
MOVED_LIST_REREADS = 2
# Why a read is not complete (PageResult.problem): the list moved between windows, a window held
# fewer (or more) records than the total promised, or the total itself changed while it was read.
MOVED, SHORT, TOTAL_CHANGED = "moved", "short", "total_changed"

Window = namedtuple("Window", "start size params")


class PagingError(HwcloudTasksError, ValueError):
    """A list response that cannot be paged through (another read may be a proper page)."""

    retryable = True


class TooManyPagesError(PagingError):
    """A list longer than max_pages allows: another read will not make it shorter."""

    retryable = False


class PageResult:
    """What a gather produced: the items, the API's total, and why the read is not complete (or None)."""

    def __init__(self, items, total, pages, problem=None, detail=None, whole_list=True, reads=1):
        self.first_problem = None  # what made the first read inconsistent, when it was read again
        self.items = items
        self.total = total
        self.pages = pages
        self.problem = problem
        self.detail = detail
        self.whole_list = whole_list
        self.reads = reads

    @property
    def complete(self):
        if not self.whole_list:  # one named page: the total describes the list, not this page
            return True
        return self.problem is None

    def problem_text(self):
        """What made this read inconsistent, in a few words with the evidence (None when it is complete)."""
        if self.complete:
            return None
        reads = "" if self.reads == 1 else ", on each of %d reads" % self.reads
        if self.problem == MOVED:
            return "the list moved while it was being read%s: %s" % (reads, self.detail)
        if self.problem == TOTAL_CHANGED:
            return "the list's total changed while it was being read%s (%s)" % (reads, self.detail)
        return "a page came back short%s: %s" % (reads, self.detail)

    def warning(self):
        """A sentence for the user when the read is not complete, else None: what was wrong, then what to do."""
        if self.complete:
            return None
        return (
            "Gathered %d records of the %s the API reported across %d pages, not a complete list: %s. "
            "Run again for a consistent view, or filter the query to a stable set."
            % (len(self.items), self.total, self.pages, self.problem_text())
        )

    def reread_note(self):
        """For a complete read that took more than one: why the first was read again (None otherwise)."""
        if not self.complete or self.reads == 1:
            return None
        return ("The first read of the list was not consistent (%s); read %d times in all, the last read is consistent and is "
                "the one returned." % (self.first_problem, self.reads))


def page_params(paging, window_start, size):
    """Query parameters for the window of ``size`` records that starts at record ``window_start`` (0-based)."""
    start = window_start if paging.style == OFFSET else paging.first + window_start // size
    return {paging.start_param: start, paging.size_param: size}


def next_window_start(paging, end):
    """(start, size) of the window after one that ends (exclusive) at ``end``: it starts on that window's last
    record or before, and reaches as far as it can. Offset paging starts anywhere; page-number paging only
    at a multiple of the page size, so a size is chosen that divides a start close to ``end``."""
    largest = paging.max_size
    if paging.style == OFFSET:
        return end - 1, largest
    smallest = getattr(paging, "min_size", 1) or 1
    best = None
    reach = end  # a window must end past ``end`` to add a record
    for start in range(end - 1, max(end - largest, 0) - 1, -1):
        if start + largest <= reach:
            break
        for size in range(largest, smallest - 1, -1):
            if start + size <= reach:
                break
            if start % size == 0:
                best, reach = (start, size), start + size
                break
    if best is None:  # unreachable while largest >= 2: start = end - 1 with size 1 divides it
        raise PagingError("no overlapping page can follow record %d with page sizes %d-%d" % (end, smallest, largest))
    return best


def plan_windows(paging, total):
    """The overlapping windows that cover a list of ``total`` records (one window for an empty list)."""
    windows = [Window(0, paging.max_size, page_params(paging, 0, paging.max_size))]
    while windows[-1].start + windows[-1].size < total:
        start, size = next_window_start(paging, windows[-1].start + windows[-1].size)
        windows.append(Window(start, size, page_params(paging, start, size)))
    return windows


def read_page(spec, document):
    """(items, total) of one page, or PagingError when the document is not a page of ``spec``."""
    items = dig(document, spec.items_path)
    total = dig(document, spec.total_path)
    if isinstance(total, str) and total.strip().isdigit() and total.strip().isascii():
        total = int(total)  # a count sent as a string; schema_validation strict has already said so
    if not isinstance(items, list):
        raise PagingError(
            "The %s response has no list at %s: got %s. Is the endpoint right?"
            % (spec.name, ".".join(spec.items_path), type(items).__name__ if items is not None else "nothing")
        )
    if isinstance(total, bool) or not isinstance(total, int) or total < 0 or total > PLAUSIBLE_TOTAL:
        if isinstance(total, int) and not isinstance(total, bool) and total > PLAUSIBLE_TOTAL:
            shown = "a %d-digit number, more records than any account holds" % len(str(total))
        else:
            shown = repr(total)[:80]
        raise PagingError(
            "The %s response has no usable total at %s (got %s); cannot tell how many pages to read"
            % (spec.name, ".".join(spec.total_path), shown)
        )
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise PagingError(
                "The %s response holds a %s, not an object, at %s[%d]: it is not a list of %s records, so they cannot be "
                "identified, phased or waited for. Is the endpoint right?"
                % (spec.name, type(item).__name__, ".".join(spec.items_path), index, spec.name.replace("_list", ""))
            )
    return items, total


def record_key(item, id_field):
    """What identifies a record when windows are compared: its id, else the whole record."""
    key = item.get(id_field) if isinstance(item, dict) else None
    if key is None or isinstance(key, (list, dict)):  # no id, or an id of the wrong type (schema_validation off)
        return repr(item) if key is None else repr(key)
    return key


def unique_by_id(pages, id_field):
    """Concatenate pages in order, keeping the first record of each id; return (records, duplicates)."""
    seen = set()
    records = []
    duplicates = 0
    for items in pages:
        for item in items:
            key = item.get(id_field) if isinstance(item, dict) else None
            if isinstance(key, (list, dict)):  # an id of the wrong type (schema_validation off) must still compare
                key = repr(key)
            if key is not None:
                if key in seen:
                    duplicates += 1
                    continue
                seen.add(key)
            records.append(item)
    return records, duplicates


def join_windows(spec, windows, pages, total):
    """(records, problem, detail): the windows' records joined on their shared records, and why they do not
    make one consistent list (None when they do)."""
    totals = sorted(set(page_total for _items, page_total in pages))
    if len(totals) > 1:
        return unique_by_id([items for items, _total in pages], spec.id_field)[0], TOTAL_CHANGED, ", ".join(map(str, totals))
    records = []
    problem = detail = None
    end = 0  # the list position after the last record joined so far
    for window, (items, _total) in zip(windows, pages):
        expected = max(0, min(window.size, total - window.start))
        if window.start >= total:  # read on a previous total's word, past this list's end: rightly empty, or the list moved
            if items and problem != MOVED:
                problem, detail = MOVED, "the page at record %d held %d records past the end of the list" % (window.start, len(items))
            continue
        if len(items) != expected:
            problem, detail = problem or SHORT, detail or (
                "the page at record %d held %d records where the total of %d promised %d" % (window.start, len(items), total, expected))
        shared = max(0, min(end - window.start, len(items)))
        joined_tail = records[len(records) - shared:] if shared else []
        here = [record_key(item, spec.id_field) for item in items[:shared]]
        if problem != MOVED and here != [record_key(item, spec.id_field) for item in joined_tail]:
            problem, detail = MOVED, boundary_text(spec, window, items[:shared], joined_tail)
        records.extend(items[shared:])
        end = max(end, window.start + len(items))
    keys = [record_key(item, spec.id_field) for item in records]
    if problem is None and len(set(keys)) != len(keys):
        problem, detail = MOVED, "%d record(s) were listed at two places" % (len(keys) - len(set(keys)))
    if problem is None and len(records) != total:
        problem, detail = SHORT, "the pages held %d records where the total promised %d" % (len(records), total)
    return unique_by_id([records], spec.id_field)[0], problem, detail


def boundary_text(spec, window, shared_here, shared_before):
    def first(items):
        return "%s" % items[0].get(spec.id_field) if items else "nothing"

    return ("the page at record %d began with %s where the page before held %s at that place (records were inserted or deleted "
            "before it between the two reads)" % (window.start, first(shared_here), first(shared_before)))


def gather_all_pages(spec, fetch_page, concurrency=8, max_pages=1000, expected_total=None, may_reread=None):
    """Read every page of ``spec`` as one consistent read; ``fetch_page(params)`` returns one page's parsed document.

    Without ``expected_total`` the first window is read alone, to learn the total, then the rest
    concurrently. With it (the total of the previous read of the same query, when a wait polls
    again) every window that total implies is asked for at once, which saves a round trip per poll.
    A read that is not consistent is read again (at most MOVED_LIST_REREADS times, and only while
    ``may_reread()`` allows it, when given); the last read is returned, complete or not.
    """
    reads = 0
    first_problem = None
    while True:
        reads += 1
        result = _read_once(spec, fetch_page, concurrency, max_pages, expected_total)
        first_problem = first_problem or result.problem_text()
        result.reads, result.first_problem = reads, first_problem
        if result.complete or reads > MOVED_LIST_REREADS or (may_reread is not None and not may_reread()):
            return result
        expected_total = result.total


def _read_once(spec, fetch_page, concurrency, max_pages, expected_total):
    paging = spec.paging

    def fetch(window):
        return read_page(spec, fetch_page(dict(window.params)))

    def fetch_all(windows):
        windows = list(windows)
        if concurrency <= 1 or len(windows) <= 1:
            return [fetch(window) for window in windows]
        with ThreadPoolExecutor(max_workers=min(concurrency, len(windows))) as pool:
            futures = [pool.submit(fetch, window) for window in windows]
            try:
                return [future.result() for future in futures]
            except BaseException:
                # One page failed for good: stop asking for pages nobody will use.
                for future in futures:
                    future.cancel()
                raise

    guessed = plan_windows(paging, 0 if expected_total is None else expected_total)[:max_pages]
    if expected_total is None:
        guessed = guessed[:1]
    pages = fetch_all(guessed)
    total = pages[0][1]
    windows = plan_windows(paging, total)
    if len(windows) > max_pages:
        raise TooManyPagesError(
            "The API reports %d records, %d pages of up to %d, more than max_pages=%d. "
            "Raise max_pages, or narrow the query with filters." % (total, len(windows), paging.max_size, max_pages)
        )
    # Windows are the same for every total (only their number differs): those read on the previous total's word
    # are kept, the missing ones read now.
    pages += fetch_all(windows[len(guessed):])
    read = list(windows) + guessed[len(windows):]
    records, problem, detail = join_windows(spec, read, pages, total)
    return PageResult(records, total, len(pages), problem, detail)


def fetch_one_page(spec, fetch_page, params, whole_list=False):
    """One request: the page the user named (the API's total reported as is), or, with
    ``whole_list``, a query that asked the API for every record at once."""
    items, total = read_page(spec, fetch_page(params))
    if whole_list:
        records, duplicates = unique_by_id([items], spec.id_field)
        if len(records) != total:
            problem = MOVED if duplicates else SHORT
            detail = "%d record(s) were listed twice" % duplicates if duplicates else \
                "the answer held %d records where the total promised %d" % (len(records), total)
            return PageResult(records, total, 1, problem, detail)
        return PageResult(records, total, 1)
    return PageResult(items, total, 1, whole_list=False)
