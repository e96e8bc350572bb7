# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Waiter's loop, with time supplied by a clock the test controls (no real sleeping)."""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.tasks.plugins.module_utils.http_client import ApiError
from ansible_collections.hwcloud.tasks.plugins.module_utils.waiter import WaitCondition, Waiter


class Clock:
    """Monotonic time that moves only when the code under test sleeps or a poll takes time."""

    def __init__(self):
        self.now = 100.0
        self.pauses = []

    def clock(self):
        return self.now

    def pause(self, seconds):
        assert seconds >= 0
        self.pauses.append(round(seconds, 6))
        self.now += seconds


def poller(clock, states_by_poll, took):
    """A poll that takes ``took`` seconds and returns one task in the next state of ``states_by_poll``."""
    starts = []

    def poll(_pending):
        starts.append(round(clock.now - 100.0, 6))
        clock.now += took
        state = states_by_poll[min(len(starts), len(states_by_poll)) - 1]
        if isinstance(state, Exception):
            raise state
        return [{"id": "t1", "state": state, "phase": {"PENDING": "pending", "RUNNING": "running", "FAILED": "failed"}[state]}]

    return poll, starts


def run(poll, clock, timeout=60, sleep=5):
    condition = WaitCondition(wanted_phases=["running"], forbidden_phases=["failed"])
    return Waiter("vias", "id", condition, timeout, sleep, full_polls=True, clock=clock.clock, pause=clock.pause).run(poll)


def test_polls_keep_a_fixed_cadence_however_long_each_takes():
    clock = Clock()
    poll, starts = poller(clock, ["PENDING", "PENDING", "PENDING", "RUNNING"], took=1.5)
    outcome = run(poll, clock)
    assert outcome.succeeded
    # Start to start is the interval: sleeping the interval after each poll would start them at 0, 6.5, 13, 19.5.
    assert starts == [0.0, 5.0, 10.0, 15.0]
    assert clock.pauses == [3.5, 3.5, 3.5]


def test_a_poll_longer_than_the_interval_is_followed_at_once():
    clock = Clock()
    poll, starts = poller(clock, ["PENDING", "PENDING", "RUNNING"], took=7.0)
    assert run(poll, clock).succeeded
    assert starts == [0.0, 7.0, 14.0]
    assert clock.pauses == [0.0, 0.0]


def test_the_deadline_cuts_the_last_pause():
    clock = Clock()
    poll, starts = poller(clock, ["PENDING"], took=1.0)
    outcome = run(poll, clock, timeout=12, sleep=5)
    assert outcome.reason == "timeout"
    # The last pause ends at the deadline, not after it, and one last poll looks at the tasks then.
    assert starts == [0.0, 5.0, 10.0, 12.0]
    assert clock.pauses == [4.0, 4.0, 1.0]
    assert outcome.polls == 4


def test_a_throttled_poll_is_counted_and_retried_at_the_next_beat():
    clock = Clock()
    throttled = ApiError("throttled", status=429)
    poll, starts = poller(clock, ["PENDING", throttled, "RUNNING"], took=0.5)
    outcome = run(poll, clock)
    assert outcome.succeeded
    assert (outcome.polls, outcome.failed_polls) == (3, 1)
    assert starts == [0.0, 5.0, 10.0]
    assert "throttled" in outcome.last_error


def test_a_forbidden_phase_ends_the_wait_without_sleeping():
    clock = Clock()
    poll, _starts = poller(clock, ["FAILED"], took=0.2)
    outcome = run(poll, clock)
    assert outcome.reason == "forbidden"
    assert clock.pauses == []
    assert [offender["id"] for offender in outcome.offenders] == ["t1"]


@pytest.mark.parametrize("status", [400, 404])
def test_a_poll_error_no_retry_can_fix_ends_the_wait(status):
    clock = Clock()
    poll, _starts = poller(clock, [ApiError("refused", status=status)], took=0.1)
    with pytest.raises(ApiError):
        run(poll, clock)
