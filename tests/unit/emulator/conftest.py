"""Emulator self-tests: put tests/emulator on sys.path and expose its fixtures."""

import os
import sys

import pytest
import requests

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "emulator")))

from hwcloud_emulator.pytest_plugin import emulator, emulator_options, emulator_server  # noqa: F401  pylint: disable=unused-import


@pytest.fixture
def api(emulator):  # noqa: F811 (the fixture imported above)
    """GET an API path (``{project}`` is filled in) with the static token unless headers are given;
    other keyword arguments go to ``requests`` (``stream``, ``allow_redirects``)."""
    session = requests.Session()

    def get(path, params=None, headers=None, **kwargs):
        url = emulator.url + path.format(project=emulator.credentials["project_id"])
        if headers is None:
            headers = {"X-Auth-Token": emulator.credentials["static_token"]}
        return session.get(url, params=params, headers=headers, timeout=kwargs.pop("timeout", 30), **kwargs)

    yield get
    session.close()


@pytest.fixture
def generated_data_after(emulator_server):  # noqa: F811 (the fixture imported above)
    """The session emulator goes back to its generated data after the test (a reset keeps a loaded scenario)."""
    yield
    emulator_server.admin("DELETE", "scenario")
