# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wait, inside one call, until a selection of items reaches the phases wanted.

The selection is judged as a whole: one deadline for all items, success when
every item is in a wanted phase (or raw state) and at least ``min_count``
items exist, failure as soon as any item is in a forbidden phase.

A verdict of success needs a read that is complete and about the items asked
for. A poll that fails in a way another poll may fix (throttling, a server
error, a dropped connection, an answer that is garbled, a list that does not
add up to its total, another task's answer) is counted and retried at the next
beat, never taken for success. At the deadline the wait ends as ``timeout``,
or as ``incomplete`` when the last read could not be trusted to be whole.

A wait whose first read got no answer at all (connection refused, a host that does
not resolve, TLS, no answer in time) after that read's retries ends at once as
``unreachable``: an endpoint that never answered is a wrong endpoint or an outage,
and waiting out the whole timeout would only hide it. Once a read has succeeded, the
wait tolerates an outage until its deadline.

The outcome carries everything a report shows: its headline and message, the
offenders with their raw states, and the items not reached; the roles and
the report filters render it and work nothing out again.
"""

from __future__ import annotations

from datetime import datetime, timezone
import difflib
import time
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence

from ansible_collections.hwcloud.tasks.plugins.module_utils.api_error import seconds_text
from ansible_collections.hwcloud.tasks.plugins.module_utils.errors import HwcloudTasksError, ReadIntegrityError
from ansible_collections.hwcloud.tasks.plugins.module_utils.http_client import ApiError
from ansible_collections.hwcloud.tasks.plugins.module_utils.phase import PHASE_BY_STATE, PHASES

if TYPE_CHECKING:  # pragma: no cover - names for the type hints only
    from ansible_collections.hwcloud.tasks.plugins.module_utils.kinds import ItemKind

# One poll: (ids still pending or None on the first poll, the deadline) -> the items read, with their phase.
Poll = Callable[[Optional[List[Any]], float], List[Dict[str, Any]]]

# Offenders listed in a failure message; the result carries all of them.
MESSAGE_OFFENDERS = 20
# The last poll starts early enough before the deadline to finish by then: half again as long as the
# longest poll so far took, and never less than this.
FINAL_POLL_ROOM = 0.2


def nothing_answered(exc):
    """Whether a poll failed without any answer from the service: the connection was refused, the host name did not
    resolve, TLS failed, or no status line came within the timeout, after the HTTP layer's own retries. A server that
    began an answer (then cut it off, dripped it, sent it garbled) did answer, and an attempt cut short by the wait's
    own deadline says nothing of the server."""
    return (isinstance(exc, ApiError) and exc.status is None and not exc.answered
            and exc.category not in ("redirect", "too_large", "deadline"))


def poll_can_be_retried(exc):
    """Whether another poll may fix what made this one fail (else the wait ends with the error at once)."""
    return isinstance(exc, HwcloudTasksError) and exc.retryable


class WaitCondition:
    """What the wait wants: phases (or raw states) every item must reach, phases none may reach, a minimum count."""

    def __init__(self, wanted_phases: Sequence[str] = (), wanted_states: Sequence[str] = (),
                 forbidden_phases: Sequence[str] = ("failed",), min_count: int = 0) -> None:
        self.wanted_phases = list(wanted_phases or [])
        self.wanted_states = [state.upper() for state in wanted_states or []]
        self.forbidden_phases = list(forbidden_phases or [])
        self.min_count = min_count or 0

    @property
    def active(self):
        return bool(self.wanted_phases or self.wanted_states)

    def is_wanted(self, kind, item):
        if item["phase"] in self.wanted_phases:
            return True
        states = set(kind.raw_states(item))
        return bool(self.wanted_states) and bool(states) and states <= set(self.wanted_states)

    def is_forbidden(self, item):
        return item["phase"] in self.forbidden_phases


def wait_problems(kind: ItemKind, wanted_phases: Sequence[str], wanted_states: Sequence[str], forbidden_phases: Sequence[str],
                  names: Sequence[str] = ("wait_for", "wait_for_states", "fail_on")) -> list[str]:
    """What makes a wait impossible before it starts, worded with the names the caller gives its three options (a
    module's, or a role's variables): raw states the kind does not have, a phase both wanted and forbidden, a wanted
    state whose phase is forbidden."""
    phases_name, states_name, fail_on_name = names
    problems = []
    unknown = [state for state in wanted_states if state not in kind.states]
    if unknown:
        nearest = difflib.get_close_matches(unknown[0], kind.states, n=1)
        problems.append("%s has state(s) %s that %ss do not have%s; their states: %s. Or wait for a phase with %s" % (
            states_name, ", ".join(unknown), kind.title, " (did you mean %s?)" % nearest[0] if nearest else "",
            ", ".join(kind.states), phases_name))
    overlap = sorted(set(wanted_phases) & set(forbidden_phases))
    if overlap:
        problems.append("%s and %s both name %s: a phase cannot be wanted and forbidden" % (phases_name, fail_on_name, ", ".join(overlap)))
    forbidden_states = [state for state in wanted_states if state in PHASE_BY_STATE and PHASE_BY_STATE[state].phase in forbidden_phases]
    if forbidden_states:
        problems.append("%s names %s, whose phase %s forbids (%s): set %s to the phases that should end the wait" % (
            states_name, ", ".join(forbidden_states), fail_on_name, ", ".join(forbidden_phases), fail_on_name))
    return problems


def wanted_words(phases: Sequence[str], states: Sequence[str]) -> str:
    """What a wait waits for, as its messages and reports word it: ``running or state STOPPED``."""
    return " or ".join(list(phases) + ["state %s" % state for state in states])


def render_headline(title, wait, timeout_name, timeout, watched):
    """The one sentence that says how a wait ended, from its fields (a ``wait`` result): the waiter words its own
    outcome with it, and the role words the same outcome with its own timeout and the time it watched."""
    count = wait["count"]
    offenders = len(wait["offenders"])
    within = "within %s=%s s (watched %.1f s)" % (timeout_name, seconds_text(timeout), watched)
    wanted = wanted_words(wait["wanted_phases"], wait["wanted_states"])
    reason = wait["reason"]
    if reason == "reached":
        return "all %d %s(s) %s after %.1f s" % (count, title, wanted, watched)
    if reason == "forbidden":
        return "%d of %d %s(s) reached a forbidden phase (%s) after %.1f s" % (
            offenders, count, title, ", ".join(wait["forbidden_phases"]), watched)
    if reason == "incomplete":
        return "no complete read of the %ss %s: %s; an incomplete list gives no verdict" % (title, within, wait["last_poll_error"])
    if reason == "unreachable":
        return "no answer from the service to the first read of the %ss, so nothing was checked: %s" % (
            title, wait["last_poll_error"])
    if wait["polls"] == wait["failed_polls"]:
        return "no read of the %ss succeeded %s, %d poll(s)); the last failed with: %s" % (
            title, within[:-1], wait["polls"], wait["last_poll_error"])
    if reason == "too_few":
        return "at least %d %s(s) wanted, %d found %s" % (wait["min_count"], title, count, within)
    return "%d of %d %s(s) not %s %s" % (offenders, count, title, wanted, within)


def counts_text(items):
    """``running=12 pending=3``: the phases present, most first."""
    counts = dict.fromkeys(PHASES, 0)
    for item in items:
        counts[item.get("phase", "unknown")] = counts.get(item.get("phase", "unknown"), 0) + 1
    present = sorted(((phase, count) for phase, count in counts.items() if count), key=lambda pair: (-pair[1], PHASES.index(pair[0])))
    return " ".join("%s=%d" % pair for pair in present) or "no items"


class WaitOutcome:
    """How a wait ended, in the shape the modules return under ``wait``."""

    def __init__(self, kind, items, reason, waited, timeout, polls, failed_polls, transitions, offenders, not_reached, condition,
                 last_error=None):
        self.kind = kind
        self.items = items
        self.reason = reason
        self.waited = waited
        self.timeout = timeout
        self.polls = polls
        self.failed_polls = failed_polls
        self.transitions = transitions
        self.offenders = offenders
        self.not_reached = not_reached
        self.condition = condition
        self.last_error = last_error

    @property
    def succeeded(self):
        return self.reason == "reached"

    def to_result(self):
        return {
            "succeeded": self.succeeded,
            "reason": self.reason,
            "headline": self.headline(),
            "message": self.message(),
            "waited": round(self.waited, 3),
            "timeout": self.timeout,
            "polls": self.polls,
            "failed_polls": self.failed_polls,
            "count": len(self.items),
            "wanted_phases": self.condition.wanted_phases,
            "wanted_states": self.condition.wanted_states,
            "forbidden_phases": self.condition.forbidden_phases,
            "min_count": self.condition.min_count,
            "transitions": self.transitions,
            "offenders": self.offenders,
            "not_reached": self.not_reached,
            "last_poll_error": self.last_error,
        }

    def headline(self):
        """One sentence that says how the wait ended, without the list of offenders."""
        return render_headline(self.kind.title, self.to_fields(), "wait_timeout", self.timeout, self.waited)

    def to_fields(self):
        return {
            "reason": self.reason, "count": len(self.items), "offenders": self.offenders, "polls": self.polls,
            "failed_polls": self.failed_polls, "last_poll_error": self.last_error, "wanted_phases": self.condition.wanted_phases,
            "wanted_states": self.condition.wanted_states, "forbidden_phases": self.condition.forbidden_phases,
            "min_count": self.condition.min_count,
        }

    def message(self):
        """The headline, then each offender (at most MESSAGE_OFFENDERS) with its state and the API's reason."""
        head = self.headline()
        if self.failed_polls and self.polls != self.failed_polls and self.reason != "incomplete":
            head += " (%d of %d polls failed and were retried; the last with: %s)" % (self.failed_polls, self.polls, self.last_error)
        lines = [
            "%s%s: state %s, phase %s%s" % (
                offender["id"], " (%s)" % offender["name"] if offender["name"] else "", offender["state"],
                offender["phase"], " - %s" % offender["reason"] if offender["reason"] else "")
            for offender in self.offenders[:MESSAGE_OFFENDERS]
        ]
        if len(self.offenders) > MESSAGE_OFFENDERS:
            lines.append("and %d more (see wait.offenders)" % (len(self.offenders) - MESSAGE_OFFENDERS))
        return head + (": " + "; ".join(lines) if lines else "")


class Waiter:
    """Polls until the condition holds, an item is forbidden, or the one deadline passes.

    ``progress(text)``, when given, is called at most every ``progress_interval`` seconds with a line
    such as ``42 s of 600 s: running=12 pending=3``.
    """

    def __init__(self, kind: ItemKind, condition: WaitCondition, timeout: float, sleep: float, full_polls: bool,
                 clock: Callable[[], float] = time.monotonic, pause: Callable[[float], None] = time.sleep,
                 progress: Callable[[str], None] | None = None, progress_interval: float = 0) -> None:
        self.kind = kind
        self.full_polls = full_polls  # each poll returns the whole selection (list APIs)
        self.condition = condition
        self.timeout = timeout
        self.sleep = sleep
        self.clock = clock
        self.pause = pause
        self.progress = progress if progress_interval else None
        self.progress_interval = progress_interval

    def run(self, poll: Poll) -> WaitOutcome:
        """``poll(pending_ids, deadline)`` returns the current items (with ``phase``); ``pending_ids`` is None on
        the first poll. Every read it makes must end by ``deadline`` (a ``clock()`` value).

        An item that reached a wanted phase is settled and not asked for again by
        pollers that read one object per id; list pollers read everything each time.
        """
        started = self.clock()
        deadline = started + self.timeout
        state = _WaitState()
        pending = None
        next_progress = started + self.progress_interval
        while True:
            state.polls += 1
            poll_started = self.clock()
            items = self._poll_once(poll, pending, deadline, state)
            elapsed = self.clock() - started
            if items is None and state.polls == state.failed_polls and state.nothing_answered:
                return self._outcome([], "unreachable", started, state, [])
            if items is not None:
                self._record(items, state, elapsed)
            current = state.current()
            forbidden = [item for item in (items if items is not None else state.partial) if self.condition.is_forbidden(item)]
            if forbidden:
                return self._outcome(current or forbidden, "forbidden", started, state, forbidden)
            if items is not None:
                waiting = [item for item in current if not self.condition.is_wanted(self.kind, item)]
                if not waiting and len(current) >= self.condition.min_count:
                    return self._outcome(current, "reached", started, state, [])
                pending = [self.kind.id_of(item) for item in waiting]
            if self.progress is not None and self.clock() >= next_progress:
                while next_progress <= self.clock():  # on the interval's beat, however long a poll took
                    next_progress += self.progress_interval
                self.progress(self._progress_text(current, started, state))
            now = self.clock()
            state.longest_poll = max(state.longest_poll, now - poll_started)
            last_start = deadline - min(self.sleep, max(FINAL_POLL_ROOM, 1.5 * state.longest_poll))
            if poll_started >= last_start or now >= last_start:
                return self._final_outcome(started, state)
            # A fixed cadence: one poll every ``sleep`` seconds from start to start, so the time a poll takes
            # (pages, retries) does not stretch the interval; the last one starts in time to end by the deadline.
            self.pause(max(0.0, min(poll_started + self.sleep, last_start) - now))

    def _poll_once(self, poll, pending, deadline, state):
        try:
            items = poll(pending, deadline)
        except Exception as exc:  # pylint: disable=broad-except  # sorted below: only some are worth another poll
            if not poll_can_be_retried(exc):
                raise
            state.failed_polls += 1  # a throttled, failed or untrustworthy poll proves nothing: poll again
            state.last_error = str(exc)
            state.nothing_answered = nothing_answered(exc)
            state.last_incomplete = isinstance(exc, ReadIntegrityError) and exc.reason == "incomplete"
            # What an untrustworthy read served is still true of those items: a forbidden one ends the wait.
            state.partial = list(getattr(exc, "items", None) or [])
            return None
        state.last_incomplete = False
        state.partial = []
        return items

    def _final_outcome(self, started, state):
        current = state.current()
        waiting = [item for item in current if not self.condition.is_wanted(self.kind, item)]
        if state.last_incomplete:
            reason = "incomplete"
        elif not waiting and state.polls > state.failed_polls:
            reason = "too_few"
        else:
            reason = "timeout"
        return self._outcome(current, reason, started, state, waiting if reason != "incomplete" else [])

    def _progress_text(self, current, started, state):
        text = "%d s of %s s: %s" % (self.clock() - started, seconds_text(self.timeout), counts_text(current))
        if state.failed_polls:
            text += " (%d of %d polls failed; the last with: %s)" % (state.failed_polls, state.polls, state.last_error)
        return text

    def _record(self, items, state, elapsed):
        if self.full_polls:  # an item gone from the list is no longer part of the selection
            state.latest.clear()
            del state.order[:]
        for item in items:
            key = self.kind.id_of(item)
            if key not in state.latest:
                state.order.append(key)
            state.latest[key] = item
            before = state.phases_seen.get(key)
            if before is not None and before != item["phase"]:
                state.transitions.append({
                    "id": key,
                    "from": before,
                    "to": item["phase"],
                    "state": self.kind.state_text(item),
                    "at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                    "after_seconds": round(elapsed, 3),
                })
            state.phases_seen[key] = item["phase"]

    def _outcome(self, items, reason, started, state, offenders):
        elapsed = self.clock() - started
        described = []
        for item in offenders:
            entry = self.kind.describe(item, phase=item["phase"])
            entry["watched_seconds"] = round(elapsed, 3)
            described.append(entry)
        not_reached = [self.kind.id_of(item) for item in items if not self.condition.is_wanted(self.kind, item)]
        return WaitOutcome(self.kind, items, reason, elapsed, self.timeout, state.polls, state.failed_polls, state.transitions,
                           described, not_reached, self.condition, state.last_error)


class _WaitState:
    """What the polls of one wait have seen so far."""

    def __init__(self):
        self.latest = {}
        self.order = []
        self.phases_seen = {}
        self.transitions = []
        self.polls = 0
        self.failed_polls = 0
        self.last_error = None
        self.last_incomplete = False
        self.nothing_answered = False
        self.partial = []
        self.longest_poll = 0.0

    def current(self):
        return [self.latest[key] for key in self.order]
