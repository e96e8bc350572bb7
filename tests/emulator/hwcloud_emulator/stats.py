"""Request counters and the optional per-second rate limit."""

import collections
import time


class Stats:
    """What ``GET /_emulator/stats`` reports; only API and IAM requests count."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.api_requests = 0
        self.by_route = collections.Counter()
        self.by_status = collections.Counter()
        self.iam_token_requests = 0

    def record(self, route, status):
        """Count one finished request; ``status`` is an HTTP code or "reset"."""
        if route == "iam_tokens":
            self.iam_token_requests += 1
            return
        self.api_requests += 1
        self.by_route[route] += 1
        self.by_status[str(status)] += 1

    def as_dict(self):
        return {"api_requests": self.api_requests, "by_route": dict(self.by_route),
                "by_status": dict(self.by_status), "iam_token_requests": self.iam_token_requests}


class RateLimiter:
    """Sliding one-second window: at most ``limit`` accepted API requests.

    Refused requests do not enter the window, so a client that backs off gets
    through again within a second.
    """

    def __init__(self, limit):
        self.limit = limit
        self._accepted = collections.deque()

    def reset(self):
        self._accepted.clear()

    def allow(self):
        if not self.limit:
            return True
        now = time.monotonic()
        while self._accepted and now - self._accepted[0] >= 1.0:
            self._accepted.popleft()
        if len(self._accepted) >= self.limit:
            return False
        self._accepted.append(now)
        return True
