# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the Event-Driven Ansible source: the loopback emulator, the source loaded as ansible-rulebook loads it
(``runpy`` on the file), and a helper that runs its ``main(queue, args)`` to the end and returns the events."""

from __future__ import annotations

import asyncio
import os
import runpy
import sys

import pytest

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "emulator")))

# pylint: disable-next=wrong-import-position,unused-import
from hwcloud_emulator.pytest_plugin import emulator, emulator_options, emulator_server  # noqa: F401

SOURCE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "..",
                                      "extensions", "eda", "plugins", "event_source", "task_events.py"))


@pytest.fixture(scope="session")
def source():
    """The plugin's globals, as ``runpy.run_path`` gives them to ansible-rulebook."""
    return runpy.run_path(SOURCE)


@pytest.fixture
def connection(emulator):  # noqa: F811 (the fixture imported above)
    """The emulator's address and AK/SK, one attempt per request (a failed request is a failed poll)."""
    creds = emulator.credentials
    return dict(endpoint=emulator.url, project_id=creds["project_id"], access_key=creds["access_key"],
                secret_key=creds["secret_key"], retries=0)


@pytest.fixture
def run_source(source):
    """``run_source(args, during=None)``: run ``main(queue, args)`` until it stops (give ``max_polls`` or
    ``max_run_time``) and return every event it put on the queue, in order. ``during(events_so_far)`` is called
    after each event, in the event loop's thread, so that a test can act on the emulator between polls."""

    def run(args, during=None, timeout=60):
        events = []

        class RecordingQueue(asyncio.Queue):
            async def put(self, item):
                events.append(item)
                if during is not None:
                    await asyncio.to_thread(during, list(events))

        async def go():
            await asyncio.wait_for(source["main"](RecordingQueue(), dict(args)), timeout)

        asyncio.run(go())
        return events

    return run
