# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fault matrix: every module under every fault the emulator can inject, through real
``ansible-playbook`` runs over real HTTP.

Each retryable fault gives two rows per module: *transient* (the fault fires fewer
times than the module retries) must succeed with the retries visible in
``api_calls``; *persistent* (the fault never stops) must fail with the HTTP status,
the vendor's error code and message, the request id when the server sent one, the
number of attempts, and no traceback. A non-retryable status (401, 403, 404) must
fail after exactly one request, even when a second request would have succeeded.
The list modules are also walked through 50 pages with a fault on page 37, and under
the emulator's rate limit.

The role ``assert_task_states`` gets two rows (a persistent 500, a transient 503) when it is there.

The runs themselves (fault_matrix_support.py) start in the background when the session starts
(conftest.py) and these rows, ordered last, read what they left.
"""

from __future__ import annotations

import re

import pytest

from fault_matrix_support import FAULTS, LIST_MODULES, MODULES, PAGES_EXPECTED, PATHS, ROLE_CASES, call_key, path_mode, role_exists, run_name
from reliability_support import ID_FIELD, ITEMS_KEY, ROUTES, TOTAL_KEY, no_traceback

REQUEST_ID = re.compile(r"^[0-9a-f]{32}\Z")


def matrix_run(request):
    """The name of the matrix run a row reads (its marker), the path's prefix included."""
    return request.node.get_closest_marker("matrix_run").args[0]


def row(fault, module, mode, path):
    return pytest.param(
        fault, module,
        marks=[pytest.mark.matrix_run(run_name("f_" + fault.key, path)),
               pytest.mark.fault_matrix(module=module, fault=fault.label, mode=path_mode(mode, path), expected=fault.expected(mode))],
        id="%s-%s%s" % (fault.key, module, "" if path == "in_process" else "-module"),
    )


# -- assertions -----------------------------------------------------------------------------------


def assert_clean_failure(run, key, fault, module, attempts):
    result = run[key]
    context = run.describe(key)
    assert result.get("failed") is True, "expected a failure\n" + context
    assert not no_traceback(run, result), "%s\n%s" % (no_traceback(run, result), context)
    message = result.get("msg") or ""
    assert re.search(fault.message, message, re.DOTALL), "the message does not say %r\n%s" % (fault.message, context)
    assert result.get("status") == fault.status, "status %r, expected %r\n%s" % (result.get("status"), fault.status, context)
    if fault.status and fault.status != 200:
        assert message.startswith("GET ") and ("HTTP %d" % fault.status) in message, context
    assert result.get("error_code") == fault.code_for(module), "vendor code %r, expected %r\n%s" % (
        result.get("error_code"), fault.code_for(module), context)
    if fault.code_for(module):
        assert fault.code_for(module) in message, context
    if fault.request_id:
        assert REQUEST_ID.match(result.get("request_id") or ""), "no request id\n" + context
        assert "(request id %s)" % result["request_id"] in message, context
    else:
        assert result.get("request_id") is None, context
    if attempts is None:  # throttled for good: as many attempts as retry_timeout allowed, at least two
        attempts = result.get("attempts") or 0
        assert attempts >= 2, "attempts %r, expected several within retry_timeout\n%s" % (attempts, context)
    assert result.get("attempts") == attempts, "attempts %r, expected %d\n%s" % (result.get("attempts"), attempts, context)
    # A failed result still says what it sent (an IAM token request may come first).
    assert (result.get("api_calls") or {}).get("requests", 0) >= attempts, "api_calls %r\n%s" % (result.get("api_calls"), context)
    if attempts > 1:
        assert "after %d attempts" % attempts in message, context


# -- the rows -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fault, module", [
    row(fault, module, "transient", path) for path in PATHS for fault in FAULTS if fault.retryable for module in MODULES])
def test_transient_fault_is_retried_and_the_call_succeeds(request, fault_matrix, fault, module):
    run, _stats = fault_matrix.get(matrix_run(request))
    key = call_key(module, "transient")
    result = run[key]
    assert not result.get("failed"), run.describe(key)
    assert not no_traceback(run, result), run.describe(key)
    calls = result.get("api_calls") or {}
    assert calls.get("retries", 0) >= 1, "the retries are not visible in api_calls\n" + run.describe(key)
    assert calls["retries"] == fault.times and calls["requests"] == fault.times + 1, run.describe(key)
    if fault.status == 429:
        assert calls.get("throttled") == fault.times, run.describe(key)
    if module in ITEMS_KEY:
        assert result["complete"] is True and len(result[ITEMS_KEY[module]]) == result[TOTAL_KEY[module]] > 0, run.describe(key)
    else:
        assert result["task"]["id"] and result["task"]["phase"], run.describe(key)


@pytest.mark.parametrize("fault, module", [
    row(fault, module, "persistent", path) for path in PATHS for fault in FAULTS if fault.retryable for module in MODULES])
def test_persistent_fault_fails_with_status_code_message_request_id_and_attempts(request, fault_matrix, fault, module):
    run, _stats = fault_matrix.get(matrix_run(request))
    assert_clean_failure(run, call_key(module, "persistent"), fault, module, None if fault.retry_timeout else fault.retries + 1)


@pytest.mark.parametrize("fault, module", [
    row(fault, module, "non-retryable", path) for path in PATHS for fault in FAULTS if not fault.retryable for module in MODULES])
def test_non_retryable_status_fails_after_exactly_one_request(request, fault_matrix, fault, module):
    run, stats = fault_matrix.get(matrix_run(request))
    assert_clean_failure(run, call_key(module, "non-retryable"), fault, module, 1)
    # Each module was called once: one request on its route, although a second one would have succeeded.
    assert stats["by_route"].get(ROUTES[module]) == 1, "requests by route: %s" % stats["by_route"]


def paging_row(module, mode, expected, path="in_process"):
    return pytest.param(
        module,
        marks=[pytest.mark.matrix_run(run_name("paging_" + mode, path)),
               pytest.mark.fault_matrix(module=module, fault="503 on page 37 of 50", mode=path_mode(mode, path), expected=expected)],
        id=module + ("" if path == "in_process" else "-module"),
    )


@pytest.mark.parametrize("module", [paging_row(module, "persistent", "failed, no items returned", path) for path in PATHS for module in LIST_MODULES])
def test_persistent_fault_on_page_37_of_50_fails_the_whole_call_without_items(request, fault_matrix, module):
    run, _stats = fault_matrix.get(matrix_run(request))
    key = call_key(module, "persistent")
    result = run[key]
    assert result.get("failed") is True, run.describe(key)
    assert not no_traceback(run, result), run.describe(key)
    # Never the 36 (or 49) pages that were read, as if they were the list.
    assert ITEMS_KEY[module] not in result and "complete" not in result and "pages" not in result, run.describe(key)
    assert result.get("status") == 503 and "HTTP 503" in result["msg"], run.describe(key)
    assert result.get("attempts") == 2, run.describe(key)


@pytest.mark.parametrize("module", [paging_row(module, "transient", "ok, 50 pages, each id once", path) for path in PATHS for module in LIST_MODULES])
def test_transient_fault_on_page_37_of_50_still_returns_every_page_and_each_id_once(request, fault_matrix, module):
    run, _stats = fault_matrix.get(matrix_run(request))
    key = call_key(module, "transient")
    result = run[key]
    assert not result.get("failed"), run.describe(key)
    items = result[ITEMS_KEY[module]]
    ids = [item[ID_FIELD[module]] for item in items]
    assert result["pages"] == PAGES_EXPECTED, run.describe(key)
    assert result["complete"] is True and len(ids) == result[TOTAL_KEY[module]], run.describe(key)
    assert len(set(ids)) == len(ids), "an id came back twice"
    assert result["api_calls"]["retries"] == 2 and result["api_calls"]["requests"] == PAGES_EXPECTED + 2, run.describe(key)


@pytest.mark.parametrize("module", [
    pytest.param(module, id=module, marks=[
        pytest.mark.matrix_run("rate_limit"),
        pytest.mark.fault_matrix(module=module, fault="rate limit 10/s, page_concurrency 8", mode="throttled",
                                 expected="ok, 50 pages, throttles retried")])
    for module in LIST_MODULES])
def test_fifty_page_gather_under_a_rate_limit_completes_without_failures(fault_matrix, module):
    run, stats = fault_matrix.get("rate_limit")
    key = call_key(module, "rate_limited")
    result = run[key]
    assert not result.get("failed"), run.describe(key)
    ids = [item[ID_FIELD[module]] for item in result[ITEMS_KEY[module]]]
    assert result["pages"] == PAGES_EXPECTED and result["complete"] is True, run.describe(key)
    assert len(ids) == len(set(ids)) == result[TOTAL_KEY[module]], run.describe(key)
    assert result["api_calls"]["throttled"] == result["api_calls"]["retries"], run.describe(key)
    # Every 429 the limiter sent was retried by one of the three gathers (visible in api_calls).
    throttled = sum(run[call_key(other, "rate_limited")].get("api_calls", {}).get("throttled", 0) for other in LIST_MODULES)
    assert stats["by_status"].get("429", 0) >= 1, "the rate limit never bit: %s" % stats
    assert throttled == stats["by_status"]["429"], "throttled %d, emulator 429s %s" % (throttled, stats)


def role_row(name):
    _rule, expected = ROLE_CASES[name]
    mode = "persistent" if "persistent" in name else "transient"
    fault = "500" if "500" in name else "503"
    return pytest.param(name, id=name, marks=[
        pytest.mark.matrix_run(name),
        pytest.mark.fault_matrix(module="role assert_task_states", fault=fault, mode=mode, expected=expected),
        pytest.mark.skipif(not role_exists(), reason="the role assert_task_states is not there yet"),
    ])


@pytest.mark.parametrize("name", [role_row("role_persistent_500")])
def test_role_under_a_persistent_500_fails_with_a_message_that_names_the_error(fault_matrix, name):
    run, left = fault_matrix.get(name)
    failure = left.get("failure") or {}
    assert failure.get("failed") is True, "the role did not fail: %s\n%s" % (left, run.output[-3000:])
    assert not no_traceback(run, failure), run.output[-3000:]
    message = failure.get("msg") or ""
    # Every poll was answered 500: the message must say so, not only that nothing reached the phase.
    assert "HTTP 500" in message, "the role's message hides the API error: %r" % message
    assert (left.get("result") or {}).get("succeeded") is False, left


@pytest.mark.parametrize("name", [role_row("role_transient_503")])
def test_role_under_a_transient_503_succeeds(fault_matrix, name):
    run, left = fault_matrix.get(name)
    assert not left.get("failure"), "the role failed: %s\n%s" % (left, run.output[-3000:])
    result = left.get("result") or {}
    assert result.get("succeeded") is True and int(result.get("count", 0)) == 3, left
