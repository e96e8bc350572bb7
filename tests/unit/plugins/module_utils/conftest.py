# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the module_utils tests: the loopback emulator (plain and HTTPS) and a fast backoff."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "emulator")))

# pylint: disable-next=wrong-import-position
from hwcloud_emulator import start_emulator

# pylint: disable-next=wrong-import-position,unused-import
from hwcloud_emulator.pytest_plugin import emulator, emulator_options, emulator_server  # noqa: F401

from ansible_collections.hwcloud.tasks.plugins.module_utils import retry_policy

HILENS_SMALL = "/v3/{project}/ai-mgr/deployments/dep-small/tasks"


@pytest.fixture(scope="session")
def https_emulator_server():
    """A second emulator that serves HTTPS with a throw-away CA (``ca_file``)."""
    with start_emulator(https=True, tasks=20) as handle:
        yield handle


@pytest.fixture
def https_emulator(https_emulator_server):
    https_emulator_server.reset()
    return https_emulator_server


@pytest.fixture
def fast_backoff(monkeypatch):
    """Shrink the retry delays (timing only; the retry loop itself is untouched)."""
    monkeypatch.setattr(retry_policy, "BACKOFF_BASE", 0.01)
    monkeypatch.setattr(retry_policy, "THROTTLE_DELAY", (0.01, 0.02))


@pytest.fixture
def api_url(emulator):  # noqa: F811 (the fixture imported above)
    """``api_url(path)``: the emulator URL of an API path, ``{project}`` filled in."""

    def build(path=HILENS_SMALL, project=None):
        return emulator.url + path.format(project=project or emulator.credentials["project_id"])

    return build


@pytest.fixture
def faults(emulator):  # noqa: F811
    """``faults(rule, ...)``: add fault rules to the emulator."""

    def add(*rules):
        return emulator.admin("POST", "faults", {"faults": list(rules)})

    return add


@pytest.fixture
def emu_stats(emulator):  # noqa: F811
    """``emu_stats()``: the emulator's request counters."""
    return lambda: emulator.admin("GET", "stats")
