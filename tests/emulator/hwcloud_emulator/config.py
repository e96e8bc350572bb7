"""Server options, shared by the command line, ``start_emulator`` and the pytest plugin."""

from dataclasses import dataclass, field

from .credentials import Credentials
from .data import SIZE_KEYS


@dataclass
class EmulatorConfig:
    host: str = "127.0.0.1"
    port: int = 0  # 0: any free port
    seed: int = 42
    tasks: int = 200  # size of every list data set unless overridden in ``sizes``
    sizes: dict = field(default_factory=dict)  # e.g. {"batch_tasks": 5000}; keys from SIZE_KEYS
    latency_ms: float = 0
    rate_limit: int = 0  # API requests per second; 0: unlimited
    token_ttl: float = 86400
    https: bool = False
    cert_dir: str = None  # where ca.pem is written; a temporary directory when None
    log_file: str = None
    credentials: Credentials = field(default_factory=Credentials)

    def __post_init__(self):
        unknown = set(self.sizes) - set(SIZE_KEYS)
        if unknown:
            raise ValueError(f"unknown size key(s) {sorted(unknown)}; known: {SIZE_KEYS}")

    def resolved_sizes(self, overrides=None):
        sizes = {key: self.tasks for key in SIZE_KEYS}
        sizes.update({k: v for k, v in self.sizes.items() if v is not None})
        sizes.update(overrides or {})
        return sizes
