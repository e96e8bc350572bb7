# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Waiter's loop, with time supplied by a clock the test controls (no real sleeping)."""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.tasks.plugins.module_utils.errors import ReadIntegrityError
from ansible_collections.hwcloud.tasks.plugins.module_utils.http_client import ApiError
from ansible_collections.hwcloud.tasks.plugins.module_utils.kinds import KINDS
from ansible_collections.hwcloud.tasks.plugins.module_utils.waiter import FINAL_POLL_ROOM, WaitCondition, Waiter

PHASE_OF = {"PENDING": "pending", "RUNNING": "running", "FAILED": "failed"}


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

    def poll(_pending, deadline):
        starts.append(round(clock.now - 100.0, 6))
        assert deadline is not None  # every read of a wait is bounded by its deadline
        clock.now += took
        state = states_by_poll[min(len(starts), len(states_by_poll)) - 1]
        if isinstance(state, Exception):
            raise state
        return [task("t1", state)]

    return poll, starts


def task(task_id, state):
    return {"id": task_id, "state": state, "phase": PHASE_OF[state]}


def run(poll, clock, timeout=60, sleep=5, **options):
    condition = WaitCondition(wanted_phases=["running"], forbidden_phases=["failed"])
    waiter = Waiter(KINDS["vias"], condition, timeout, sleep, full_polls=True, clock=clock.clock, pause=clock.pause, **options)
    return waiter.run(poll)


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


def test_the_last_poll_starts_in_time_to_end_by_the_deadline():
    clock = Clock()
    poll, starts = poller(clock, ["PENDING"], took=0.1)
    outcome = run(poll, clock, timeout=12, sleep=5)
    assert outcome.reason == "timeout"
    # The beat at 15 s falls after the deadline: the last poll starts FINAL_POLL_ROOM (more than 1.5 times the
    # longest poll) before it instead, so that it ends by the deadline and nothing runs after it.
    assert starts == [0.0, 5.0, 10.0, 12 - FINAL_POLL_ROOM]
    assert 11.89 <= clock.now - 100.0 <= 12.0
    assert outcome.polls == 4
    assert "within wait_timeout=12 s (watched 11.9 s)" in outcome.message()


def test_a_slow_poll_makes_the_last_one_start_earlier():
    clock = Clock()
    poll, starts = poller(clock, ["PENDING"], took=1.0)
    outcome = run(poll, clock, timeout=12, sleep=5)
    # Polls take 1 s: the last may start no later than 10.5 s; the one at 10 s ends at 11 s, past that.
    assert starts == [0.0, 5.0, 10.0]
    assert clock.now - 100.0 == 11.0
    assert outcome.reason == "timeout"


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


@pytest.mark.parametrize("error", [
    ApiError("connection failed: [Errno 111] Connection refused", attempts=5),
    ApiError("connection failed: Failed to resolve 'vias.nowhere'", category="name_resolution"),
    ApiError("no complete answer within timeout=30s"),
], ids=["refused", "no-such-host", "no-answer-in-time"])
def test_a_first_read_that_got_no_answer_ends_the_wait_at_once_as_unreachable(error):
    clock = Clock()
    poll, starts = poller(clock, [error, "RUNNING"], took=0.5)
    outcome = run(poll, clock, timeout=600)
    assert (outcome.reason, outcome.succeeded, outcome.polls, outcome.failed_polls) == ("unreachable", False, 1, 1)
    assert starts == [0.0] and clock.pauses == []
    assert outcome.message() == "no answer from the service to the first read of the VIAS tasks, so nothing was checked: " + str(error)
    assert outcome.to_result()["last_poll_error"] == str(error)


@pytest.mark.parametrize("error", [
    ApiError("no complete answer within timeout=2s", answered=True),
    ApiError("the server sent a gzip body that does not inflate", answered=True),
    ApiError("connection failed: Connection broken: IncompleteRead", answered=True),
    ApiError("no complete answer within timeout=1.5s", category="deadline"),
], ids=["dripped-body", "garbled-body", "cut-off-body", "cut-short-by-the-wait"])
def test_a_first_read_the_server_began_to_answer_is_polled_again_not_unreachable(error):
    clock = Clock()
    poll, _starts = poller(clock, [error, "RUNNING"], took=0.5)
    outcome = run(poll, clock)
    assert outcome.succeeded and outcome.failed_polls == 1


def test_an_outage_after_a_good_read_is_tolerated_until_the_deadline():
    clock = Clock()
    refused = ApiError("connection failed: [Errno 111] Connection refused", attempts=5)
    poll, starts = poller(clock, ["PENDING", refused, refused, "RUNNING"], took=0.5)
    outcome = run(poll, clock, timeout=60)
    assert outcome.succeeded
    assert (outcome.polls, outcome.failed_polls) == (4, 2)


def test_a_first_read_the_server_answered_with_an_error_is_polled_again():
    clock = Clock()
    poll, _starts = poller(clock, [ApiError("HTTP 503: busy", status=503), "RUNNING"], took=0.5)
    outcome = run(poll, clock)
    assert outcome.succeeded and outcome.failed_polls == 1


def test_a_wait_whose_every_poll_was_answered_with_errors_says_so_with_balanced_brackets():
    clock = Clock()
    poll, _starts = poller(clock, [ApiError("HTTP 503: busy", status=503, attempts=5)], took=0.5)
    outcome = run(poll, clock, timeout=12)
    message = outcome.message()
    assert message.startswith("no read of the VIAS tasks succeeded within wait_timeout=12 s (watched ")
    assert " poll(s)); the last failed with: HTTP 503: busy after 5 attempts" in message
    assert message.count("(") == message.count(")")


def incomplete(items=()):
    return ReadIntegrityError("Gathered 100 unique records but the API reported a total of 300", "incomplete", items=items)


def test_an_incomplete_read_is_a_failed_poll_never_a_success():
    clock = Clock()
    # Every item served is running, but the list does not add up to its total: no verdict from it.
    poll, starts = poller(clock, [incomplete([task("t1", "RUNNING")]), "PENDING", "RUNNING"], took=0.5)
    outcome = run(poll, clock)
    assert outcome.succeeded
    assert (outcome.polls, outcome.failed_polls) == (3, 1)
    assert starts == [0.0, 5.0, 10.0]


def test_a_wait_whose_reads_stay_incomplete_ends_incomplete_at_the_deadline_not_reached():
    clock = Clock()
    poll, _starts = poller(clock, [incomplete([task("t1", "RUNNING")])], took=0.5)
    outcome = run(poll, clock, timeout=12)
    assert outcome.reason == "incomplete"
    assert not outcome.succeeded
    assert outcome.polls == outcome.failed_polls
    assert "no complete read of the VIAS tasks within wait_timeout=12 s" in outcome.message()
    assert "total of 300" in outcome.message()


def test_a_forbidden_item_in_an_incomplete_read_still_ends_the_wait():
    clock = Clock()
    poll, _starts = poller(clock, [incomplete([task("t1", "FAILED")])], took=0.5)
    outcome = run(poll, clock)
    assert outcome.reason == "forbidden"
    assert [offender["id"] for offender in outcome.offenders] == ["t1"]


def test_another_objects_answer_is_a_failed_poll_and_never_counted():
    clock = Clock()
    foreign = ReadIntegrityError("asked for VIAS task t1, the service answered with VIAS task t9", "foreign")
    poll, _starts = poller(clock, [foreign, "RUNNING"], took=0.5)
    outcome = run(poll, clock)
    assert outcome.succeeded
    assert outcome.failed_polls == 1
    assert [item["id"] for item in outcome.items] == ["t1"]


@pytest.mark.parametrize("kind", ["redirect", "too_large"])
def test_a_redirect_or_an_oversized_answer_ends_the_wait_at_once(kind):
    clock = Clock()
    poll, _starts = poller(clock, [ApiError("no", category=kind)], took=0.1)
    with pytest.raises(ApiError):
        run(poll, clock)


def test_progress_lines_come_at_most_every_interval_with_the_counts_by_phase():
    clock = Clock()
    lines = []
    poll, _starts = poller(clock, ["PENDING"] * 6 + ["RUNNING"], took=0.5)
    outcome = run(poll, clock, sleep=5, progress=lines.append, progress_interval=10)
    assert outcome.succeeded
    assert lines == ["10 s of 60 s: pending=1", "20 s of 60 s: pending=1"]


def test_the_outcome_carries_its_headline_offenders_with_raw_states_and_the_items_not_reached():
    clock = Clock()

    def poll(_pending, _deadline):
        clock.now += 0.5
        return [task("t1", "RUNNING"), dict(task("t2", "FAILED"), error={"code": "VIAS.20002", "message": "no resources"}),
                task("t3", "PENDING")]

    outcome = run(poll, clock).to_result()
    assert outcome["reason"] == "forbidden"
    assert outcome["headline"] == "1 of 3 VIAS task(s) reached a forbidden phase (failed) after 0.5 s"
    assert outcome["offenders"] == [{"id": "t2", "name": None, "state": "FAILED", "states": ["FAILED"], "phase": "failed",
                                     "reason": "VIAS.20002: no resources", "watched_seconds": 0.5}]
    assert outcome["not_reached"] == ["t2", "t3"]
    assert outcome["message"].startswith(outcome["headline"] + ": t2: state FAILED")
