"""The mutable state of one emulator, shared by the gateway, routes and admin API."""

from aiohttp import web

from .chaos import Chaos
from .churn import Churn
from .data import SIZE_KEYS, Store
from .faults import FaultStore
from .quota import Quota
from .stats import Stats
from .tokens import TokenStore

KEEP = object()


class EmulatorState:
    """Everything a reset clears, kept on the app as ``app[STATE]``.

    A scenario (``scenario.Scenario``), once loaded, is part of what a reset
    returns to: its records, transitions (timed from the reset), faults,
    quota, chaos and churn come back, so each test starts from the same cloud.
    """

    def __init__(self, config):
        self.config = config
        self.faults = FaultStore()
        self.stats = Stats()
        self.quota = Quota()
        self.chaos = Chaos()
        self.churn = Churn()
        self.scenario = None
        self.reset(scenario=config.loaded_scenario())

    def reset(self, seed=None, sizes=None, scenario=KEEP):
        """Rebuild the store and clear everything tests changed.

        With ``scenario`` (KEEP: the current one) its data goes into a new
        store first, so an invalid scenario leaves the state as it was.
        """
        scenario = self.scenario if scenario is KEEP else scenario
        credentials = self.config.credentials if scenario is None else scenario.credentials(self.config.credentials)
        if scenario is None:
            store = Store(self.config.seed if seed is None else seed, self.config.resolved_sizes(sizes),
                          credentials.project_id, credentials.user_name)
        else:
            base = {key: 0 for key in SIZE_KEYS}
            base.update(scenario.sizes or {})
            base.update(sizes or {})
            store = Store(scenario.seed(self.config.seed) if seed is None else seed, base,
                          credentials.project_id, credentials.user_name,
                          fixed_deployments=scenario.sizes is not None or bool(sizes))
            scenario.populate(store)
        self.scenario = scenario
        self.credentials = credentials
        self.store = store
        self.tokens = TokenStore(credentials, self.config.token_ttl)
        self.faults.clear()
        self.stats.reset()
        self.quota.configure(**self.config.quota_settings())
        self.chaos.stop()
        self.churn.stop()
        self.clock_skew = 0.0
        if scenario is not None:
            scenario.arm(self)


STATE = web.AppKey("state", EmulatorState)
