# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Gather every page of a list API: the first page tells the total, the rest come concurrently.

Each page is one request with its own retries (in the HTTP layer), so a throttle
on page 40 never restarts the walk from page 1. A page that still fails ends the
whole gather: a partial list is never returned as if it were complete.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.hwcloud.tasks.plugins.module_utils.apis import OFFSET, dig

# A total beyond this many records is not a count any of these services keeps: it is refused
# before any arithmetic (and before a message prints all of its digits).
PLAUSIBLE_TOTAL = 10 ** 12


class PagingError(ValueError):
    """A list response that cannot be paged through."""


class TooManyPagesError(PagingError):
    """A list longer than max_pages allows: another read will not make it shorter."""


class PageResult:
    """What a gather produced: the items, the API's total, and whether they agree."""

    def __init__(self, items, total, pages, duplicates=0, totals_seen=(), whole_list=True):
        self.whole_list = whole_list
        self.items = items
        self.total = total
        self.pages = pages
        self.duplicates = duplicates
        self.totals_seen = sorted(set(totals_seen))

    @property
    def complete(self):
        if not self.whole_list:  # one named page: the total describes the list, not this page
            return True
        return self.total is None or (len(self.items) == self.total and len(self.totals_seen) <= 1)

    def warning(self):
        """A sentence for the user when the list changed while it was being paged, else None."""
        if self.complete:
            return None
        totals = ", ".join(str(total) for total in self.totals_seen)
        return (
            "Gathered %d unique records but the API reported a total of %s across %d pages "
            "(%d duplicates dropped): the list changed while it was being read. "
            "Run again for a consistent view, or filter the query to a stable set."
            % (len(self.items), totals, self.pages, self.duplicates)
        )


def page_params(paging, index, size):
    """Query parameters for the ``index``-th page (0-based) of ``size`` records."""
    start = index * size if paging.style == OFFSET else paging.first + index
    return {paging.start_param: start, paging.size_param: size}


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


def gather_all_pages(spec, fetch_page, concurrency=8, max_pages=1000, expected_total=None):
    """Read every page of ``spec``; ``fetch_page(params)`` returns one page's parsed document.

    Without ``expected_total`` the first page is read alone, to learn the
    total, then the rest concurrently. With it (the total of the previous read
    of the same query, when a wait polls again) every page that total implies
    is asked for at once, which saves a round trip per poll; pages the first
    page's total shows to be missing are read after, and pages it shows to be
    past the end are kept only if they hold records (the list changed).
    """
    paging = spec.paging
    size = paging.max_size

    def fetch(index):
        return read_page(spec, fetch_page(page_params(paging, index, size)))

    def fetch_all(indexes):
        indexes = list(indexes)
        if concurrency <= 1 or len(indexes) <= 1:
            return [fetch(index) for index in indexes]
        with ThreadPoolExecutor(max_workers=min(concurrency, len(indexes))) as pool:
            futures = [pool.submit(fetch, index) for index in indexes]
            try:
                return [future.result() for future in futures]
            except BaseException:
                # One page failed for good: stop asking for pages nobody will use.
                for future in futures:
                    future.cancel()
                raise

    def pages_for(total):
        return max(1, -(-total // size))  # integers only: a float of a huge total overflows

    guessed = 1 if expected_total is None else min(pages_for(expected_total), max_pages)
    results = fetch_all(range(guessed))
    total = results[0][1]
    page_count = pages_for(total)
    if page_count > max_pages:
        raise TooManyPagesError(
            "The API reports %d records, %d pages of %d, more than max_pages=%d. "
            "Raise max_pages, or narrow the query with filters." % (total, page_count, size, max_pages)
        )
    results += fetch_all(range(guessed, page_count))
    # Pages read on the previous total's word beyond this total's end: empty unless the list changed.
    results = results[:page_count] + [page for page in results[page_count:] if page[0]]

    records, duplicates = unique_by_id([page[0] for page in results], spec.id_field)
    return PageResult(records, total, len(results), duplicates, [page[1] for page in results])


def fetch_one_page(spec, fetch_page, params, whole_list=False):
    """One request: the page the user named (the API's total reported as is), or, with
    ``whole_list``, a query that asked the API for every record at once."""
    items, total = read_page(spec, fetch_page(params))
    if whole_list:
        records, duplicates = unique_by_id([items], spec.id_field)
        return PageResult(records, total, 1, duplicates, [total])
    return PageResult(items, total, 1, totals_seen=[total], whole_list=False)
