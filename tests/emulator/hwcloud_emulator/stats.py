"""Request counters (the account's quota lives in ``quota``)."""

import collections


class Stats:
    """What ``GET /_emulator/stats`` reports; only API and IAM requests count."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.api_requests = 0
        self.by_route = collections.Counter()
        self.by_status = collections.Counter()
        self.by_host = collections.Counter()
        self.iam_token_requests = 0

    def record(self, route, status, host=None):
        """Count one finished request; ``status`` is an HTTP code or "reset"."""
        if route == "iam_tokens":
            self.iam_token_requests += 1
            return
        self.api_requests += 1
        self.by_route[route] += 1
        self.by_status[str(status)] += 1
        if host:
            self.by_host[host] += 1

    def as_dict(self):
        return {"api_requests": self.api_requests, "by_route": dict(self.by_route),
                "by_status": dict(self.by_status), "by_host": dict(self.by_host),
                "iam_token_requests": self.iam_token_requests}
