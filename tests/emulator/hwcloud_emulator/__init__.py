"""A loopback HTTP(S) emulator of the five Huawei Cloud query APIs that the
``hwcloud.tasks`` collection wraps (HiLens, VIAS, VAS, Octopus, VIAS batch
tasks), with IAM tokens, AK/SK signature checks, fault injection and
scheduled state changes for tests.

Run it with ``python -m hwcloud_emulator`` or ``start_emulator()``; the
pytest fixtures live in ``hwcloud_emulator.pytest_plugin``.
"""

from .config import EmulatorConfig
from .credentials import Credentials
from .server import EmulatorHandle, start_emulator

__all__ = ["Credentials", "EmulatorConfig", "EmulatorHandle", "start_emulator"]
