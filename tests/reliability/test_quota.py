# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Held under the account's quota: ten hosts, one account-wide limit, every host completes.

Ten hosts (forks 10) each read a 2,000-task HiLens deployment (21 overlapping windows of 100) from one emulator whose
account quota lets 25 requests a second through and answers the rest 429 APIGW.0308, once with
``Retry-After: 1`` and once without. ``Retry-After`` is the least wait, never the exact one: with
jitter the hosts' retries do not come back in one wave, and throttled requests have a budget in
time (``retry_timeout``), not a small count. Every host must complete, every 429 must be seen as
a throttle in ``api_calls``, and the run's pace is reported against the ideal (pages / rate).
"""

from __future__ import annotations

import pytest

from reliability_support import connection, run_hosts
from hwcloud_emulator import start_emulator

HOSTS = 10
TASKS = 2000
RATE = 25
# The reader's windows of 100 overlap by one record (offsets 0, 99, 198, ...): 1 + ceil((2000 - 100) / 99) = 21.
PAGES = 1 + -(-(TASKS - 100) // 99)


@pytest.mark.parametrize("retry_after", [1, None], ids=["retry_after_1", "no_retry_after"])
def test_ten_hosts_under_one_account_quota_all_complete(ansible_env, tmp_path, retry_after):
    with start_emulator(tasks=20, sizes={"hilens_tasks": TASKS}) as emulator:
        emulator.admin("POST", "quota", {"rate": RATE, "burst": RATE, "retry_after": retry_after})
        hosts = dict(("host%02d" % index, {"connection": connection(emulator),
                                           "calls": {"gather": {"deployment_id": "dep-large", "fields": ["task_id"]}}})
                     for index in range(HOSTS))
        run, results = run_hosts(ansible_env, hosts, [("gather", "hilens_task_info")], tmp_path, forks=HOSTS)
        quota = emulator.admin("GET", "quota")
    failed = dict((host, result["gather"].get("msg")) for host, result in results.items() if result["gather"].get("failed"))
    assert not failed, "%d of %d hosts failed: %s" % (len(failed), HOSTS, failed)
    throttled = 0
    for result in results.values():
        gathered = result["gather"]
        assert gathered["complete"] is True and len(gathered["tasks"]) == gathered["count"] == TASKS, result.describe("gather")
        assert gathered["pages"] == PAGES, result.describe("gather")
        calls = gathered["api_calls"]
        assert calls["requests"] == PAGES + calls["retries"] and calls["retries"] == calls["throttled"], result.describe("gather")
        throttled += calls["throttled"]
    # The quota bit, and every 429 it sent was retried by one of the hosts.
    assert quota["throttled"] >= 1 and throttled == quota["throttled"], (throttled, quota)
    assert quota["accepted"] == HOSTS * PAGES, quota
    ideal = HOSTS * PAGES / float(RATE)
    print("\nquota %s: %d hosts complete, %d requests accepted, %d throttled; run %.1f s, ideal %.1f s" % (
        "Retry-After %s" % retry_after if retry_after else "without Retry-After", HOSTS, quota["accepted"], quota["throttled"],
        run.seconds, ideal))
