"""Pytest fixtures for the emulator.

Load with ``pytest_plugins = ["hwcloud_emulator.pytest_plugin"]`` in a
root conftest, or import the fixtures into a conftest.  One server runs per
session (``emulator_server``); ``emulator`` resets it before each test so
tests never see each other's faults, schedules, tokens or counters.
Override ``emulator_options`` to start the session server differently.
"""

import pytest

from .server import start_emulator


@pytest.fixture(scope="session")
def emulator_options():
    """Keyword arguments for ``start_emulator`` (EmulatorConfig fields)."""
    return {}


@pytest.fixture(scope="session")
def emulator_server(emulator_options):
    with start_emulator(**emulator_options) as handle:
        yield handle


@pytest.fixture
def emulator(emulator_server):
    emulator_server.reset()
    return emulator_server
