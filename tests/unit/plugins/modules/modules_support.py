# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers of the module tests (a module name of its own, never ``conftest``): the modules' real ``main()`` run in-process against an in-process emulator.

``run_module(name, args)`` exposes ``args`` with ``patch_module_args`` (ansible-core 2.19),
calls ``main()``, catches the ``SystemExit`` of ``exit_json``/``fail_json`` and decodes the
JSON the module printed. Every request the module sends is recorded on the client side
(``HTTPAdapter.send``), so that a test sees where it went even when the emulator has no
route for it; the emulator's own counters say which route answered.

The collection is imported as ``ansible_collections.hwcloud.tasks``: from PYTHONPATH
(``make units``), else from the first root of ANSIBLE_COLLECTIONS_PATH that holds it.
"""

from __future__ import annotations

import collections
import contextlib
import importlib
import io
import json
import os
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
EMULATOR_DIR = ROOT / "tests" / "emulator"
if str(EMULATOR_DIR) not in sys.path:
    sys.path.insert(0, str(EMULATOR_DIR))


def _importable_collection():
    """Put a collections root holding hwcloud.tasks on sys.path unless the collection already imports."""
    try:
        importlib.import_module("ansible_collections.hwcloud.tasks.plugins.module_utils.module")
        return
    except ImportError:
        pass
    roots = [part for part in (os.environ.get("ANSIBLE_COLLECTIONS_PATH") or "").split(os.pathsep) if part]
    if ROOT.parent.name == "hwcloud" and ROOT.parent.parent.name == "ansible_collections":
        roots.append(str(ROOT.parents[2]))
    for root in roots:
        if (Path(root) / "ansible_collections" / "hwcloud" / "tasks" / "galaxy.yml").is_file():
            sys.path.insert(0, root)
            for name in [name for name in sys.modules if name == "ansible_collections" or name.startswith("ansible_collections.")]:
                del sys.modules[name]
            return


_importable_collection()

# pylint: disable=wrong-import-position
import requests.adapters  # noqa: E402
from ansible.module_utils import _internal as module_internal  # noqa: E402
from ansible.module_utils.common import warnings as module_warnings  # noqa: E402
from ansible.module_utils.testing import patch_module_args  # noqa: E402

from ansible_collections.hwcloud.tasks.plugins.module_utils import retry_policy, waiter  # noqa: E402
from hwcloud_emulator import start_emulator  # noqa: E402,F401  # pylint: disable=unused-import

MODULE_PACKAGE = "ansible_collections.hwcloud.tasks.plugins.modules."


class Outcome:
    """One run of a module: its decoded result (None if it printed no JSON object), raw output,
    the exception that escaped ``main()`` (None when it exited), the requests sent and the
    emulator's per-route counts for this run."""

    def __init__(self, result, output, error, sent, routes):
        self.result = result
        self.output = output
        self.error = error
        self.sent = sent
        self.routes = routes

    @property
    def failed(self):
        return bool(self.result and self.result.get("failed"))

    @property
    def warnings(self):
        """The warning texts (ansible-core 2.19 returns WarningSummary objects in-process)."""
        texts = []
        for warning in (self.result or {}).get("warnings") or []:
            texts.append(warning["event"]["msg"] if isinstance(warning, dict) and "event" in warning else str(warning))
        return texts

    @property
    def msg(self):
        return str((self.result or {}).get("msg") or "")

    def __repr__(self):
        return "Outcome(error=%r, sent=%r, routes=%r, output=%s)" % (self.error, self.sent, dict(self.routes), self.output[:1500])


class RequestLog:
    """Every (method, url) sent through requests while it is installed."""

    def __init__(self):
        self.sent = []
        self._lock = threading.Lock()
        self._original = requests.adapters.HTTPAdapter.send

    def __enter__(self):
        log = self
        original = self._original

        def send(adapter, request, *args, **kwargs):
            with log._lock:  # pylint: disable=protected-access
                log.sent.append((request.method, request.url))
            return original(adapter, request, *args, **kwargs)

        requests.adapters.HTTPAdapter.send = send
        return self

    def __exit__(self, *exc_info):
        requests.adapters.HTTPAdapter.send = self._original


class FakeClock:
    """The waiter's clock and pause: a wait of any length takes no wall time (the polls are real)."""

    def __init__(self):
        self.now = 1000.0
        self._lock = threading.Lock()

    def clock(self):
        with self._lock:
            return self.now

    def pause(self, seconds):
        with self._lock:
            self.now += max(seconds, 0)


@contextlib.contextmanager
def fast_timing():
    """Shrink retry backoff and make waits instant: timing only, the loops themselves are untouched."""
    saved = (retry_policy.BACKOFF_BASE, retry_policy.BACKOFF_CAP, retry_policy.THROTTLE_DELAY, waiter.Waiter.__init__.__defaults__)
    fake = FakeClock()
    retry_policy.BACKOFF_BASE = 0.0005
    retry_policy.BACKOFF_CAP = 0.005
    retry_policy.THROTTLE_DELAY = (0.001, 0.002)
    waiter.Waiter.__init__.__defaults__ = (fake.clock, fake.pause) + saved[3][2:]  # (clock, pause, progress, ...)
    try:
        yield
    finally:
        retry_policy.BACKOFF_BASE, retry_policy.BACKOFF_CAP, retry_policy.THROTTLE_DELAY, waiter.Waiter.__init__.__defaults__ = saved


def argument_spec(name):
    """The whole argument spec of module ``name`` (its own options, the shared ones, aliases), as both front-ends
    validate against it."""
    return importlib.import_module(MODULE_PACKAGE + name).DECLARATION.argument_spec()


def route_counts(emulator):
    return collections.Counter(emulator.state.stats.by_route)


def run_module(emulator, name, args):
    """Run module ``name`` with ``args`` in-process; return an Outcome."""
    module = importlib.import_module(MODULE_PACKAGE + name)
    before = route_counts(emulator)
    # A module process starts with no warnings; in-process runs share ansible's global list.
    module_warnings._global_warnings.clear()  # pylint: disable=protected-access
    module_warnings._global_deprecations.clear()  # pylint: disable=protected-access
    output = io.StringIO()
    error = None
    # A module runs as a module even after other tests imported controller code (which would
    # send its warnings to the controller's display instead of the result).
    was_controller = module_internal.is_controller
    module_internal.is_controller = False
    with RequestLog() as log, patch_module_args(args), contextlib.redirect_stdout(output):
        try:
            module.main()
        except SystemExit:
            pass
        except Exception as exc:  # pylint: disable=broad-except  # what the tests look for
            error = exc
        finally:
            module_internal.is_controller = was_controller
    text = output.getvalue()
    try:
        result = json.loads(text)
    except ValueError:
        result = None
    if not isinstance(result, dict):
        result = None
    routes = route_counts(emulator) - before
    return Outcome(result, text, error, list(log.sent), routes)
