# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""When to try a request again, and how long to wait first.

Throttling (HTTP 429) and server-side failures are worth another attempt; other 4xx are not.
A throttled request is retried until ``retry_timeout`` runs out, waiting at least what the
server asked (Retry-After; the vendor's advice of 2-5 s without it) plus a spread that grows
with each throttle, so that many hosts do not return in one wave; a failed one is retried
``retries`` times with jittered exponential backoff. No attempt starts, and no sleep lasts,
past the caller's deadline (a wait's end): the last error is raised instead, saying why.
"""

from __future__ import annotations

import email.utils
import math
import random
import threading
import time

from ansible_collections.hwcloud.tasks.plugins.module_utils.api_error import TRANSIENT_STATUSES, seconds_text

RETRY_STATUSES = TRANSIENT_STATUSES
REDIRECT_STATUSES = frozenset((301, 302, 303, 307, 308))
# The vendor advises 2-5 s after a throttle (APIGW.0308) that carries no Retry-After.
THROTTLE_DELAY = (2.0, 5.0)
# A throttled request waits at least Retry-After, plus a random share that grows with each
# throttle of the same request, so that the retries of many hosts do not return in one wave.
THROTTLE_SPREAD_BASE = 1.0
THROTTLE_SPREAD_CAP = 30.0
BACKOFF_BASE = 0.5
BACKOFF_CAP = 20.0
DEFAULT_RETRY_TIMEOUT = 120
# An attempt needs some time: none starts in the last half second before the caller's deadline.
MIN_ATTEMPT_SECONDS = 0.5


class RetryableError(Exception):
    """Internal: one attempt failed in a way another attempt may fix.

    ``delay`` is the wait before the next attempt; ``floor`` the part of it the server asked for
    (Retry-After), which may not be shortened.
    """

    def __init__(self, error, delay, throttled=False, floor=0.0):
        super().__init__(str(error))
        self.error = error
        self.delay = delay
        self.throttled = throttled
        self.floor = floor


def retry_after_seconds(value):
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None when unusable.

    Not capped: a long wait is refused against the deadline by the caller, which can say why.
    """
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        parsed = email.utils.parsedate_tz(value)
        if parsed is None:
            return None
        seconds = email.utils.mktime_tz(parsed) - time.time()
    if not math.isfinite(seconds):  # "nan", "inf", "1e400": not a delay we can honour
        return None
    return max(seconds, 0.0)


def backoff_delay(attempt):
    """Exponential backoff with jitter: half fixed, half random, so retries of parallel pages spread out."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** (attempt - 1)))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def throttle_delay(retry_after, throttles):
    """The wait after the ``throttles``-th throttle of one request: at least what the server asked
    (Retry-After; the vendor's 2-5 s without one), plus a random spread that doubles with each throttle."""
    floor = retry_after if retry_after is not None else random.uniform(*THROTTLE_DELAY)
    spread = min(THROTTLE_SPREAD_CAP, THROTTLE_SPREAD_BASE * (2 ** (max(throttles, 1) - 1)))
    return floor + random.uniform(0, spread), floor


class ThrottleGate:
    """Shared by the requests of one run: a throttle seen by one holds back the first attempts of the others until
    the time the server asked for."""

    def __init__(self, clock=time.monotonic, pause=time.sleep):
        self.clock = clock
        self.pause = pause
        self._lock = threading.Lock()
        self._until = 0.0

    def hold_back(self, start_by):
        """Wait while another request is asked to, but no later than ``start_by``, when this request's own budget
        would leave it no time at all."""
        wait = min(self._until, start_by) - self.clock()
        if wait > 0:
            self.pause(wait)

    def note(self, floor):
        with self._lock:
            self._until = max(self._until, self.clock() + floor)


class RetryBudget:
    """The attempts of one logical request: whether another may start, and the sleep before it."""

    def __init__(self, retries, retry_timeout, deadline=None, clock=time.monotonic, pause=time.sleep, gate=None, count=None):
        self.retries = retries
        self.retry_timeout = retry_timeout
        self.deadline = deadline
        self.clock = clock
        self.pause = pause
        self.gate = gate
        self.count = count or (lambda key: None)
        # No attempt starts after this: retry_timeout from the first, and never too close to the caller's end.
        self.retry_deadline = clock() + retry_timeout
        if deadline is not None:
            self.retry_deadline = min(self.retry_deadline, deadline - MIN_ATTEMPT_SECONDS)
        self.attempt = 0
        self.failures = 0
        self.throttles = 0

    def start_attempt(self):
        """Count the next attempt; the first waits at the gate while the run is throttled."""
        self.attempt += 1
        if self.attempt == 1 and self.gate is not None:
            self.gate.hold_back(self.retry_deadline)
        self.count("requests")
        return self.attempt

    def after_failure(self, failure):
        """Sleep before the next attempt, or raise the failure's error when no other attempt may or can start."""
        if failure.throttled:
            self.throttles += 1
            failure.delay, failure.floor = throttle_delay(failure.floor if failure.floor else None, self.throttles)
            if self.gate is not None:
                self.gate.note(failure.floor)
        else:
            self.failures += 1
            if self.failures > self.retries:
                failure.error.attempts = self.attempt
                raise failure.error from None
        now = self.clock()
        error = failure.error
        error.attempts = self.attempt
        if now + failure.floor >= self.retry_deadline:
            left = max(self.retry_deadline - now, 0.0)
            error.category = error.category or "deadline"
            if failure.floor:
                error.message += (
                    "; the server asked to wait %s s before trying again (Retry-After), more than the %.1f s left (%s)"
                    % (seconds_text(failure.floor), left, self.budget_name())
                )
            else:
                error.message += "; no time left to try again (%s)" % self.budget_name()
            raise error from None
        self.count("retries")
        self.pause(min(failure.delay, self.retry_deadline - now))

    def budget_name(self):
        if self.deadline is not None and self.deadline - MIN_ATTEMPT_SECONDS <= self.retry_deadline:
            return "the wait's deadline"
        return "retry_timeout=%s s" % seconds_text(self.retry_timeout)
