# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every test tree that runs ansible needs in the same way: the collection copy ansible loads, the tools of
this virtualenv, and a clean environment (a module name of its own, so that it never collides with a test tree's
``conftest`` or helpers when several trees run at once).

The clean environment matters for more than tidiness: the modules read credentials from ``HW_*`` and
``HUAWEICLOUD_SDK_*`` variables, and a developer's own must never reach a test run.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

NAMESPACE, NAME = "hwcloud", "tasks"

# The two front-ends, as the environment of an ansible-playbook run selects them: in process on the
# controller (the default) and the shipped module (plugins/plugin_utils/in_process.py, SWITCH_ENVIRONMENT).
EXECUTION_PATHS = {"in_process": {}, "module": {"HWCLOUD_TASKS_IN_PROCESS": "0"}}

# Environment variables the modules read; the caller's own must never leak into a run.
MODULE_ENVIRONMENT = re.compile(r"^(HW_|HUAWEICLOUD_SDK_)")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def strip_ansi(text):
    return ANSI.sub("", text)


def venv_tool(name):
    """The tool ``name`` next to this Python (the pinned virtualenv's), or None."""
    here = Path(sys.executable).parent / name
    return str(here) if here.is_file() and os.access(here, os.X_OK) else None


def collections_root_from_env():
    """The first root of ANSIBLE_COLLECTIONS_PATH (or the older ..._PATHS) that holds hwcloud.tasks, or None."""
    value = os.environ.get("ANSIBLE_COLLECTIONS_PATH") or os.environ.get("ANSIBLE_COLLECTIONS_PATHS") or ""
    for root in [part for part in value.split(os.pathsep) if part]:
        if (Path(root) / "ansible_collections" / NAMESPACE / NAME / "galaxy.yml").is_file():
            return Path(root).resolve()
    return None


def ansible_environment(root, home, **settings):
    """Environment of an ansible command: the collection under ``root`` only, its own config and home under
    ``home``, no colour, none of the caller's module credentials; ``settings`` adds or overrides variables."""
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    config = home / "ansible.cfg"
    config.write_text("[defaults]\n", encoding="utf-8")
    env = dict((key, value) for key, value in os.environ.items() if not MODULE_ENVIRONMENT.match(key))
    env.pop("ANSIBLE_COLLECTIONS_PATHS", None)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=str(root),
        ANSIBLE_CONFIG=str(config),
        ANSIBLE_HOME=str(home),
        ANSIBLE_LOCAL_TEMP=str(home / "tmp"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_RETRY_FILES_ENABLED="0",
        ANSIBLE_STDOUT_CALLBACK="default",
        PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    )
    env.update(settings)
    return env
