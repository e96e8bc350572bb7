"""The account's API quota: a token bucket in front of the five services.

Huawei's gateway throttles per account; a client that pages with many
requests in parallel must back off when it answers 429 ``APIGW.0308``.  The
bucket holds ``burst`` tokens and refills ``rate`` per second, so on
average at most ``rate`` requests a second are accepted while a short burst
passes at once.  A refused request takes no token, so a client that backs
off gets through again.  ``retry_after`` (seconds), when set, is sent as
``Retry-After``; the vendor documents no such header, so it is off unless
asked for.
"""

import math
import time

from . import checks


def format_seconds(value):
    """``1`` rather than ``1.0`` in a header."""
    return str(int(value)) if float(value).is_integer() else str(value)


class Quota:
    def __init__(self, rate=0, burst=None, retry_after=None):
        self.configure(rate, burst, retry_after)

    def configure(self, rate=0, burst=None, retry_after=None):
        """Replace the settings; the bucket starts full and the counters at zero."""
        self.rate = rate or 0
        self.burst = burst if burst is not None else (max(math.ceil(self.rate), 1) if self.rate else None)
        self.retry_after = retry_after
        self.accepted = self.throttled = 0
        self._tokens = float(self.burst or 0)
        self._stamp = time.monotonic()

    def allow(self):
        """Take a token if one is there; True if the request may pass."""
        if not self.rate:
            self.accepted += 1
            return True
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        if self._tokens < 1:
            self.throttled += 1
            return False
        self._tokens -= 1
        self.accepted += 1
        return True

    def headers(self):
        return {"Retry-After": format_seconds(self.retry_after)} if self.retry_after is not None else None

    def as_dict(self):
        return {"rate": self.rate, "burst": self.burst, "retry_after": self.retry_after,
                "enabled": bool(self.rate), "accepted": self.accepted, "throttled": self.throttled}


def parse(body, path="quota"):
    """``{"rate", "burst", "retry_after"}`` -> keyword arguments of ``Quota.configure``."""
    checks.mapping(body, path, ("rate", "burst", "retry_after"))
    rate = checks.number(body.get("rate"), checks.join(path, "rate"), minimum=0, nullable=True) or 0
    burst = checks.number(body.get("burst"), checks.join(path, "burst"), minimum=1, integer=True, nullable=True)
    retry_after = checks.number(body.get("retry_after"), checks.join(path, "retry_after"), minimum=0, nullable=True)
    return {"rate": rate, "burst": burst if rate else None, "retry_after": retry_after}
