"""The mutable state of one emulator, shared by the gateway, routes and admin API."""

from aiohttp import web

from .data import Store
from .faults import FaultStore
from .stats import RateLimiter, Stats
from .tokens import TokenStore


class EmulatorState:
    """Everything a reset clears, kept on the app as ``app[STATE]``."""

    def __init__(self, config):
        self.config = config
        self.credentials = config.credentials
        self.tokens = TokenStore(self.credentials, config.token_ttl)
        self.faults = FaultStore()
        self.stats = Stats()
        self.limiter = RateLimiter(config.rate_limit)
        self.reset()

    def reset(self, seed=None, sizes=None):
        self.store = Store(self.config.seed if seed is None else seed, self.config.resolved_sizes(sizes),
                           self.credentials.project_id, self.credentials.user_name)
        self.tokens.reset()
        self.faults.clear()
        self.stats.reset()
        self.limiter.reset()
        self.clock_skew = 0.0


STATE = web.AppKey("state", EmulatorState)
