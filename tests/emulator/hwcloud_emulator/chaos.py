"""Chaos mode: a seeded share of API requests misbehaves, each in one random way.

It shakes out retry, paging and validation code the way a flaky cloud does,
but reproducibly: the same seed and the same sequence of requests give the
same faults.  It never lies about what it serves: a short or foreign page
holds real records in their real current state, a foreign id is another
real task; the other faults serve errors, broken bodies or nothing.
Explicit fault rules are consulted first; chaos only sees requests that
no rule decided.
"""

import collections
import random

from . import checks
from .faults import KINDS, FaultRule
from .shapes import LIST_ROUTES, OBJECT_ROUTES

ANY_ROUTE = frozenset(LIST_ROUTES) | OBJECT_ROUTES
#: chaos kind -> (fault kind, options, routes it fits)
MENU = {
    "status_500": ("status", {"status": 500}, ANY_ROUTE),
    "status_502": ("status", {"status": 502}, ANY_ROUTE),
    "status_503": ("status", {"status": 503}, ANY_ROUTE),
    "status_504": ("status", {"status": 504}, ANY_ROUTE),
    "throttle": ("status", {"status": 429}, ANY_ROUTE),
    "throttle_retry_after": ("status", {"status": 429, "retry_after": 1}, ANY_ROUTE),
    "short_page": ("short_page", {}, frozenset(LIST_ROUTES)),
    "lying_total": ("lying_total", {}, frozenset(LIST_ROUTES)),
    "foreign_page": ("foreign_page", {}, frozenset(LIST_ROUTES)),
    "foreign_id": ("foreign_id", {}, OBJECT_ROUTES),
    "truncated": ("truncated", {}, ANY_ROUTE),
    "html": ("html", {"status": 502}, ANY_ROUTE),
    "drip": ("drip", {}, ANY_ROUTE),
    "reset": ("reset", {}, ANY_ROUTE),
}
#: A chaos drip delivers the whole body in at most DRIP_PIECES pieces, drip_ms apart,
#: and within about DRIP_SECONDS: slow enough to matter, never a timeout by itself.
DRIP_PIECES = 10
DRIP_SECONDS = 2.0


class Chaos:
    def __init__(self):
        self.stop()

    def stop(self):
        self.enabled = False
        self.settings = {}
        self.requests = 0
        self.applied = collections.Counter()
        self._rng = None

    def start(self, seed=0, share=0.3, kinds=None, drip_ms=200):
        self.stop()
        self.enabled = True
        self.settings = {"seed": seed, "share": share, "kinds": list(kinds or MENU), "drip_ms": drip_ms}
        self._rng = random.Random(seed)

    def pick(self, route):
        """The fault rule for this API request, or None (most requests)."""
        if not self.enabled or route not in ANY_ROUTE:
            return None
        self.requests += 1
        if self._rng.random() >= self.settings["share"]:
            return None
        fitting = [name for name in self.settings["kinds"] if route in MENU[name][2]]
        if not fitting:
            return None
        name = self._rng.choice(fitting)
        self.applied[name] += 1
        kind, options, _routes = MENU[name]
        options = {**KINDS[kind], **options}
        if kind == "drip":
            interval_ms = self.settings["drip_ms"]
            options.update(interval_ms=interval_ms, max_seconds=DRIP_SECONDS + 1,
                           fit_seconds=min(DRIP_SECONDS, DRIP_PIECES * interval_ms / 1000))
        return FaultRule(kind=kind, match="", times=None, options=options, seen=1, applied=1)

    def as_dict(self):
        return {"enabled": self.enabled, **self.settings, "requests": self.requests,
                "applied": dict(self.applied), "applied_total": sum(self.applied.values())}


def parse(body, path="chaos"):
    """``{"seed", "share", "kinds", "drip_ms"}`` -> keyword arguments of ``Chaos.start``."""
    checks.mapping(body, path, ("seed", "share", "kinds", "drip_ms"))
    kinds = body.get("kinds")
    if kinds is not None:
        kinds = [checks.choice(kind, checks.join(checks.join(path, "kinds"), i), list(MENU))
                 for i, kind in enumerate(checks.sequence(kinds, checks.join(path, "kinds")))]
        if not kinds:
            raise checks.SpecError(checks.join(path, "kinds"), f"list at least one of {', '.join(MENU)}")
    return {"seed": checks.number(body.get("seed", 0), checks.join(path, "seed"), integer=True),
            "share": checks.number(body.get("share", 0.3), checks.join(path, "share"), minimum=0, maximum=1),
            "kinds": kinds,
            "drip_ms": checks.number(body.get("drip_ms", 200), checks.join(path, "drip_ms"), minimum=1, maximum=2000)}
