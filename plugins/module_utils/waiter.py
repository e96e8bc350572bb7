# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wait, inside one module run, until a selection of items reaches the phases wanted.

The selection is judged as a whole: one deadline for all items, success when
every item is in a wanted phase (or raw state) and at least ``min_count``
items exist, failure as soon as any item is in a forbidden phase. A poll that
fails in a way another poll may fix (throttling, a server error, a dropped
connection, after the HTTP layer's own retries) is counted and retried,
never taken for success. Conditions are data (:class:`WaitCondition`), so the
modules and the role share them.
"""

from __future__ import annotations

from datetime import datetime, timezone
import time

from ansible_collections.hwcloud.tasks.plugins.module_utils.http_client import RETRY_STATUSES, ApiError
from ansible_collections.hwcloud.tasks.plugins.module_utils.phase import raw_state_of

# Offenders listed in a failure message; the result carries all of them.
MESSAGE_OFFENDERS = 20


def raw_states_of(service, item):
    """The set of raw states an item is in (one for a task or job; several for a batch's counts or a HiLens task's pods)."""
    if service == "vias_batch":
        counts = item.get("batch_task_status_info") or {}
        return set(str(state).upper() for state, count in counts.items() if isinstance(count, int) and count > 0)
    if service == "hilens":
        return set(str(pod.get("task_status")).upper() for pod in item.get("task_status") or [] if isinstance(pod, dict))
    return set([str(item.get("status" if service == "octopus" else "state")).upper()])


def reason_of(service, item):
    """Why the API says an item is where it is, when it says (HiLens cause, VIAS/VAS status or error, Octopus msg_error)."""
    if service == "hilens":
        causes = [pod.get("cause") for pod in item.get("task_status") or [] if isinstance(pod, dict) and pod.get("cause")]
        return "; ".join(sorted(set(causes))) or None
    if service == "octopus":
        return item.get("msg_error")
    error = item.get("error")
    if isinstance(error, dict) and (error.get("message") or error.get("code")):
        return ": ".join(str(part) for part in (error.get("code"), error.get("message")) if part)
    return item.get("status") if service in ("vias", "vas") else None


def name_of(service, item):
    if service == "vias_batch":
        return item.get("batch_task_name")
    if service == "octopus":
        return "%s %s" % (item.get("job_type"), item.get("data_id"))
    return item.get("name")


class WaitCondition:
    """What the wait wants: phases (or raw states) every item must reach, phases none may reach, a minimum count."""

    def __init__(self, wanted_phases=(), wanted_states=(), forbidden_phases=("failed",), min_count=0):
        self.wanted_phases = list(wanted_phases or [])
        self.wanted_states = [state.upper() for state in wanted_states or []]
        self.forbidden_phases = list(forbidden_phases or [])
        self.min_count = min_count or 0

    @property
    def active(self):
        return bool(self.wanted_phases or self.wanted_states)

    def is_wanted(self, service, item):
        if item["phase"] in self.wanted_phases:
            return True
        states = raw_states_of(service, item)
        return bool(self.wanted_states) and bool(states) and states <= set(self.wanted_states)

    def is_forbidden(self, item):
        return item["phase"] in self.forbidden_phases

    def describe(self):
        wanted = self.wanted_phases + ["state %s" % state for state in self.wanted_states]
        return "every item %s%s" % (
            " or ".join(wanted),
            ", at least %d of them" % self.min_count if self.min_count else "",
        )


class WaitOutcome:
    """How a wait ended, in the shape the modules return under ``wait``."""

    def __init__(self, items, reason, waited, polls, failed_polls, transitions, offenders, condition, last_error=None):
        self.last_error = last_error
        self.items = items
        self.reason = reason  # reached | forbidden | timeout
        self.waited = waited
        self.polls = polls
        self.failed_polls = failed_polls
        self.transitions = transitions
        self.offenders = offenders
        self.condition = condition

    @property
    def succeeded(self):
        return self.reason == "reached"

    def to_result(self):
        return {
            "succeeded": self.succeeded,
            "reason": self.reason,
            "waited": round(self.waited, 3),
            "polls": self.polls,
            "failed_polls": self.failed_polls,
            "wanted_phases": self.condition.wanted_phases,
            "wanted_states": self.condition.wanted_states,
            "forbidden_phases": self.condition.forbidden_phases,
            "min_count": self.condition.min_count,
            "transitions": self.transitions,
            "offenders": self.offenders,
            "last_poll_error": self.last_error,
        }

    def message(self):
        if self.succeeded:
            return None
        if self.reason == "forbidden":
            head = "%d item(s) reached a forbidden phase (%s) after %.1f s" % (
                len(self.offenders), ", ".join(self.condition.forbidden_phases), self.waited)
        elif self.polls == self.failed_polls:
            head = "Timed out after %.1f s: none of the %d polls succeeded; the last failed with: %s" % (
                self.waited, self.polls, self.last_error)
        elif self.reason == "too_few":
            head = "Timed out after %.1f s waiting for at least %d item(s); %d exist" % (
                self.waited, self.condition.min_count, len(self.items))
        else:
            head = "Timed out after %.1f s waiting for %s; %d item(s) are not there yet" % (
                self.waited, self.condition.describe(), len(self.offenders))
        lines = [
            "%s %s: state %s, phase %s%s" % (
                offender["id"], "(%s)" % offender["name"] if offender["name"] else "", offender["state"],
                offender["phase"], " - %s" % offender["reason"] if offender["reason"] else "")
            for offender in self.offenders[:MESSAGE_OFFENDERS]
        ]
        if len(self.offenders) > MESSAGE_OFFENDERS:
            lines.append("and %d more (see wait.offenders)" % (len(self.offenders) - MESSAGE_OFFENDERS))
        if self.failed_polls and self.polls != self.failed_polls:
            head += " (%d of %d polls failed and were retried; the last with: %s)" % (self.failed_polls, self.polls, self.last_error)
        return head + (": " + "; ".join(lines) if lines else "")


class Waiter:
    """Polls until the condition holds, an item is forbidden, or the one deadline passes."""

    def __init__(self, service, id_field, condition, timeout, sleep, full_polls, clock=time.monotonic, pause=time.sleep):
        self.service = service
        self.full_polls = full_polls  # each poll returns the whole selection (list APIs)
        self.id_field = id_field
        self.condition = condition
        self.timeout = timeout
        self.sleep = sleep
        self.clock = clock
        self.pause = pause

    def run(self, poll):
        """``poll(pending_ids)`` returns the current items (with ``phase``); ``pending_ids`` is None on the first poll.

        An item that reached a wanted phase is settled and not asked for again by
        pollers that read one object per id; list pollers read everything each time.
        """
        started = self.clock()
        deadline = started + self.timeout
        latest = {}
        order = []
        phases_seen = {}
        transitions = []
        polls = failed_polls = 0
        pending = None
        last_error = None
        while True:
            polls += 1
            poll_started = self.clock()
            try:
                items = poll(pending)
            except ApiError as exc:
                if exc.status not in RETRY_STATUSES and exc.status is not None:
                    raise
                failed_polls += 1  # a throttled or failed poll proves nothing: poll again
                last_error = str(exc)
                items = None
            elapsed = self.clock() - started
            if items is not None:
                if self.full_polls:  # an item gone from the list is no longer part of the selection
                    latest.clear()
                    del order[:]
                self._record(items, latest, order, phases_seen, transitions, elapsed)
                current = [latest[key] for key in order]
                forbidden = [item for item in current if self.condition.is_forbidden(item)]
                if forbidden:
                    return self._outcome(current, "forbidden", elapsed, polls, failed_polls, transitions, forbidden, last_error)
                waiting = [item for item in current if not self.condition.is_wanted(self.service, item)]
                if not waiting and len(current) >= self.condition.min_count:
                    return self._outcome(current, "reached", elapsed, polls, failed_polls, transitions, [], last_error)
                pending = [item.get(self.id_field) for item in waiting]
            remaining = deadline - self.clock()
            if remaining <= 0:
                current = [latest[key] for key in order]
                waiting = [item for item in current if not self.condition.is_wanted(self.service, item)]
                reason = "too_few" if not waiting and polls > failed_polls else "timeout"
                return self._outcome(current, reason, self.clock() - started, polls, failed_polls, transitions, waiting, last_error)
            # A fixed cadence: one poll every ``sleep`` seconds from start to start, so the time a poll takes
            # (pages, retries) does not stretch the interval and a change is seen at most ``sleep`` s late.
            self.pause(max(0.0, min(poll_started + self.sleep - self.clock(), remaining)))

    def _record(self, items, latest, order, phases_seen, transitions, elapsed):
        for item in items:
            key = item.get(self.id_field)
            if key not in latest:
                order.append(key)
            latest[key] = item
            before = phases_seen.get(key)
            if before is not None and before != item["phase"]:
                transitions.append({
                    "id": key,
                    "from": before,
                    "to": item["phase"],
                    "state": raw_state_of(self.service, item),
                    "at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                    "after_seconds": round(elapsed, 3),
                })
            phases_seen[key] = item["phase"]

    def _outcome(self, items, reason, elapsed, polls, failed_polls, transitions, offenders, last_error):
        described = [
            {
                "id": item.get(self.id_field),
                "name": name_of(self.service, item),
                "state": raw_state_of(self.service, item),
                "phase": item["phase"],
                "reason": reason_of(self.service, item),
                "watched_seconds": round(elapsed, 3),
            }
            for item in offenders
        ]
        return WaitOutcome(items, reason, elapsed, polls, failed_polls, transitions, described, self.condition, last_error)
