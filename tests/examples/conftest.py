"""Fixtures of the documentation tests: the collection ansible uses, the emulator, runners.

The collection must be importable by ansible as ``hwcloud.tasks``: the tests read
the collections root from ``ANSIBLE_COLLECTIONS_PATH`` (``make view`` writes a copy
to build/collections; ``python tools/sync_view.py DIR`` anywhere else). The
documentation itself (EXAMPLES, README) is read from the sources; a test checks
that the copy ansible runs is the same as the sources.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
for _path in (HERE, HERE.parent / "emulator", HERE.parent / "support"):  # also under --import-mode=importlib
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

# pylint: disable=wrong-import-position
from ansible_env_support import ansible_environment, collections_root_from_env  # noqa: E402
from examples_support import (  # noqa: E402
    EXAMPLE_CREDENTIALS,
    NAME,
    NAMESPACE,
    RECAP_FIELDS,
    find_tool,
    play_recap,
    strip_ansi,
)
from hwcloud_emulator.server import start_emulator  # noqa: E402

RUN_TIMEOUT = 180


@pytest.fixture(scope="session")
def collections_root():
    """The first root of ANSIBLE_COLLECTIONS_PATH that holds hwcloud.tasks."""
    value = os.environ.get("ANSIBLE_COLLECTIONS_PATH") or os.environ.get("ANSIBLE_COLLECTIONS_PATHS")
    if not value:
        pytest.fail("set ANSIBLE_COLLECTIONS_PATH to a collections root holding hwcloud.tasks "
                    "(make view, or python tools/sync_view.py DIR and ANSIBLE_COLLECTIONS_PATH=DIR)")
    root = collections_root_from_env()
    if root is None:
        pytest.fail("no ansible_collections/%s/%s/galaxy.yml under ANSIBLE_COLLECTIONS_PATH=%s" % (NAMESPACE, NAME, value))
    return root


@pytest.fixture(scope="session")
def collection_dir(collections_root):
    return collections_root / "ansible_collections" / NAMESPACE / NAME


@pytest.fixture(scope="session")
def ansible_env(collections_root, tmp_path_factory):
    """Environment of every ansible command: this collection only, no colour, no stray credentials."""
    return ansible_environment(collections_root, tmp_path_factory.mktemp("ansible-home"))


@pytest.fixture(scope="session")
def run_ansible(ansible_env):
    """Run an ansible tool (``ansible-doc``, ``ansible-playbook``); returns the CompletedProcess."""

    def run(tool, *args, env=None, cwd=None):
        merged = dict(ansible_env)
        merged.update(env or {})
        return subprocess.run([find_tool(tool)] + [str(arg) for arg in args], env=merged, cwd=cwd,
                              capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False)

    return run


@pytest.fixture(scope="session")
def examples_emulator():
    """One emulator for the session whose account matches the literal values of the examples."""
    with start_emulator(credentials=EXAMPLE_CREDENTIALS) as handle:
        yield handle


@pytest.fixture
def run_playbook(run_ansible, tmp_path):
    """Run a playbook on localhost (local connection); assert that it passed and that every task ran ok."""
    inventory = tmp_path / "inventory.ini"
    inventory.write_text("localhost ansible_connection=local\n", encoding="utf-8")

    def run(playbook, expected_ok, extra_vars=None, env=None, expected_changed=0):
        args = ["-i", inventory, playbook]
        if extra_vars is not None:
            extra = tmp_path / "extra_vars.json"
            extra.write_text(json.dumps(extra_vars), encoding="utf-8")
            args += ["-e", "@%s" % extra]
        result = run_ansible("ansible-playbook", *args, env=env, cwd=tmp_path)
        output = strip_ansi(result.stdout + result.stderr)
        assert result.returncode == 0, "ansible-playbook exited %d:\n%s" % (result.returncode, output)
        recap = play_recap(output)
        assert list(recap) == ["localhost"], "no PLAY RECAP for localhost alone:\n" + output
        expected = dict.fromkeys(RECAP_FIELDS, 0)
        expected["ok"] = expected_ok
        expected["changed"] = expected_changed
        assert recap["localhost"] == expected, "not every task ran ok (expected %s):\n%s" % (expected, output)
        return output

    return run
