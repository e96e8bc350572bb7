# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Credentials over time: an IAM token that expires in the middle of a gather is renewed once;
a static token that expires fails clearly; an AK/SK signature from a clock more than 15 minutes
off the server's fails saying so.

The gathers read 50 pages of HiLens tasks, each page slowed down by a latency fault, and a
watcher thread expires the tokens once the emulator has answered 10 pages. One ansible-playbook
run; each scenario is one localhost alias against an emulator of its own.
"""

from __future__ import annotations

import threading
import time

import pytest

from reliability_support import connection, no_traceback, run_hosts
from hwcloud_emulator import start_emulator

PAGES = 50
# 50 windows of the reader: windows of 100 overlapping by one record, at offsets 0, 99, ..., 4851.
TASKS = 4951
EXPIRE_AFTER_PAGES = 10
GATHER = {"deployment_id": "dep-large", "fields": ["task_id"], "page_concurrency": 4}


class ExpireMidGather(threading.Thread):
    """Expires the emulator's tokens once it has counted ``after`` HiLens requests."""

    def __init__(self, emulator, static, after=EXPIRE_AFTER_PAGES):
        super().__init__(daemon=True)
        self.emulator = emulator
        self.static = static
        self.after = after
        self.expired_at = None
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            if self.emulator.state.stats.by_route.get("hilens_tasks", 0) >= self.after:
                self.emulator.admin("POST", "tokens/expire", {"static": self.static})
                self.expired_at = self.emulator.state.stats.by_route.get("hilens_tasks", 0)
                return
            time.sleep(0.005)


def slow_pages(emulator):
    emulator.admin("POST", "faults", {"faults": [{"kind": "latency", "ms": 150, "match": "/deployments/dep-large/", "times": None}]})


@pytest.fixture(scope="module")
def token_runs(ansible_env, tmp_path_factory):
    sizes = {"hilens_tasks": TASKS}
    with start_emulator(tasks=20, sizes=sizes) as password, start_emulator(tasks=20, sizes=sizes) as static, \
            start_emulator(tasks=20) as skewed, start_emulator(tasks=20) as near:
        for emulator in (password, static):
            slow_pages(emulator)
        skewed.admin("POST", "clock", {"skew_seconds": 1200})
        near.admin("POST", "clock", {"skew_seconds": 600})
        watchers = [ExpireMidGather(password, static=False), ExpireMidGather(static, static=True)]
        for watcher in watchers:
            watcher.start()
        hosts = {
            "password_expiry": {"connection": connection(password, auth="password"), "calls": {"gather": GATHER}},
            "static_expiry": {"connection": connection(static, auth="token"), "calls": {"gather": GATHER}},
            "skew_1200": {"connection": connection(skewed, auth="aksk"), "calls": {"read": {"task_id": skewed.data["vias_task_ids"][0]}}},
            "skew_600": {"connection": connection(near, auth="aksk"), "calls": {"read": {"task_id": near.data["vias_task_ids"][0]}}},
        }
        try:
            _run, results = run_hosts(ansible_env, hosts, [("gather", "hilens_task_info"), ("read", "vias_task_info")],
                                      tmp_path_factory.mktemp("tokens"))
        finally:
            for watcher in watchers:
                watcher.stop.set()
        stats = dict((name, emulator.admin("GET", "stats")) for name, emulator in
                     (("password_expiry", password), ("static_expiry", static), ("skew_1200", skewed), ("skew_600", near)))
        yield results, stats, dict(zip(("password_expiry", "static_expiry"), watchers))


def test_password_token_expiring_mid_gather_is_renewed_once_and_the_gather_succeeds(token_runs):
    results, stats, watchers = token_runs
    run = results["password_expiry"]
    result = run["gather"]
    assert watchers["password_expiry"].expired_at is not None, "the tokens were never expired during the gather"
    assert not result.get("failed"), run.describe("gather")
    ids = [task["task_id"] for task in result["tasks"]]
    assert result["complete"] is True and result["pages"] == PAGES and len(ids) == len(set(ids)) == result["count"], run.describe("gather")
    counts = stats["password_expiry"]
    assert counts["by_status"].get("401", 0) >= 1, "no request met the expired token: %s" % counts
    assert counts["iam_token_requests"] == 2, "expected one token and one renewal: %s" % counts


def test_static_token_expiring_mid_run_fails_saying_the_credentials_were_refused(token_runs):
    results, stats, watchers = token_runs
    run = results["static_expiry"]
    result = run["gather"]
    assert watchers["static_expiry"].expired_at is not None, "the static token was never expired during the gather"
    assert result.get("failed") is True, run.describe("gather")
    assert not no_traceback(run, result), run.describe("gather")
    assert result.get("status") == 401 and "expired" in result["msg"] and "credentials were refused" in result["msg"], run.describe("gather")
    assert "tasks" not in result and "complete" not in result, "part of the list came back\n" + run.describe("gather")
    assert result.get("attempts") == 1 and stats["static_expiry"]["iam_token_requests"] == 0, run.describe("gather")


def test_aksk_signature_from_a_clock_skewed_beyond_15_minutes_fails_saying_the_time_is_skewed(token_runs):
    results, stats, _watchers = token_runs
    run = results["skew_1200"]
    result = run["read"]
    assert result.get("failed") is True, run.describe("read")
    assert not no_traceback(run, result), run.describe("read")
    assert result.get("status") == 401 and "skew" in result["msg"].lower(), run.describe("read")
    assert result.get("attempts") == 1 and stats["skew_1200"]["api_requests"] == 1, "a signature refused for the time is not retried"


def test_aksk_signature_from_a_clock_10_minutes_off_is_accepted(token_runs):
    results, _stats, _watchers = token_runs
    run = results["skew_600"]
    assert not run["read"].get("failed"), run.describe("read")
