# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the module tests: an in-process emulator and fast retry/wait timing (see modules_support)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # also under --import-mode=importlib
    sys.path.insert(0, str(HERE))

# pylint: disable=wrong-import-position
from modules_support import fast_timing, start_emulator  # noqa: E402


@pytest.fixture(scope="session")
def module_emulator():
    """A tiny data set (3 records of each kind): every list is one page."""
    with start_emulator(tasks=3) as handle:
        yield handle


@pytest.fixture
def emulator(module_emulator):
    module_emulator.reset()
    return module_emulator


@pytest.fixture(scope="module", autouse=True)
def _fast_timing():
    with fast_timing():
        yield
