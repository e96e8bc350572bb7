"""Server options, shared by the command line, ``start_emulator`` and the pytest plugin."""

from dataclasses import dataclass, field

from .credentials import Credentials
from .data import SIZE_KEYS
from .scenario import Scenario, load_file


@dataclass
class EmulatorConfig:
    host: str = "127.0.0.1"
    port: int = 0  # 0: any free port
    seed: int = 42
    tasks: int = 200  # size of every list data set unless overridden in ``sizes``
    sizes: dict = field(default_factory=dict)  # e.g. {"batch_tasks": 5000}; keys from SIZE_KEYS
    latency_ms: float = 0
    rate_limit: float = 0  # the account quota: API requests per second; 0: unlimited
    token_ttl: float = 86400
    https: bool = False
    cert_dir: str = None  # where ca.pem is written; a temporary directory when None
    log_file: str = None
    credentials: Credentials = field(default_factory=Credentials)
    rate_limit_retry_after: float = None  # seconds sent as Retry-After with a quota 429; None: no header
    rate_limit_burst: int = None  # quota bucket capacity; None: rate_limit
    #: a scenario: a file path, the parsed document (dict) or a ``scenario.Scenario``
    scenario: object = None

    def __post_init__(self):
        unknown = set(self.sizes) - set(SIZE_KEYS)
        if unknown:
            raise ValueError(f"unknown size key(s) {sorted(unknown)}; known: {SIZE_KEYS}")

    def resolved_sizes(self, overrides=None):
        sizes = {key: self.tasks for key in SIZE_KEYS}
        sizes.update({k: v for k, v in self.sizes.items() if v is not None})
        sizes.update(overrides or {})
        return sizes

    def quota_settings(self):
        """Keyword arguments of ``Quota.configure`` for the start-up quota."""
        return {"rate": self.rate_limit or 0, "burst": self.rate_limit_burst if self.rate_limit else None,
                "retry_after": self.rate_limit_retry_after}

    def loaded_scenario(self):
        """The scenario as a ``Scenario`` (parsed and validated), or None; raises ``SpecError``."""
        if self.scenario is None or isinstance(self.scenario, Scenario):
            return self.scenario
        if isinstance(self.scenario, dict):
            return Scenario(self.scenario)
        return load_file(self.scenario)
