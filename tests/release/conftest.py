"""Fixtures of the release tests: the collection ansible uses and the API emulator."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
for _path in (HERE, HERE.parents[1] / "tests" / "emulator"):  # also under --import-mode=importlib
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

# pylint: disable=wrong-import-position
from release_support import collections_root  # noqa: E402


@pytest.fixture(scope="session")
def collections_dir(tmp_path_factory):
    """A collections root with hwcloud.tasks (ANSIBLE_COLLECTIONS_PATH's, or a copy made for the session)."""
    return collections_root(tmp_path_factory.mktemp("release"))


@pytest.fixture(scope="session")
def emulator():
    """One API emulator on loopback for the session, started in this process."""
    from hwcloud_emulator.pytest_plugin import start_emulator  # pylint: disable=import-outside-toplevel

    with start_emulator() as handle:
        yield handle
