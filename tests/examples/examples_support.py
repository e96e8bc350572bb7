"""Helpers of the documentation tests (a module name of its own, so that it never
collides with another directory's ``conftest`` when several test trees run at once)."""

from __future__ import annotations

import ast
import re
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
for _path in (ROOT / "tests" / "emulator", ROOT / "tests" / "support"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

# pylint: disable=wrong-import-position
from ansible_env_support import EXECUTION_PATHS, NAME, NAMESPACE, strip_ansi, venv_tool  # noqa: E402,F401  pylint: disable=unused-import
from hwcloud_emulator.credentials import Credentials  # noqa: E402

COLLECTION = NAMESPACE + "." + NAME
MODULES = sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("*.py") if path.stem != "__init__")
# Each filter is a file of its own, named for it, with its documentation inside.
FILTER_FILES = sorted(path.stem for path in (ROOT / "plugins" / "filter").glob("*.py") if path.stem != "__init__")
FILTERS = FILTER_FILES

# The account the emulator serves: the literal values the examples use
# (user_name: deploy-bot, domain_name: my-company) must be accepted as written.
EXAMPLE_CREDENTIALS = Credentials(user_name="deploy-bot", domain_name="my-company", password="Examples-Pa55word!")

# The data every run starts from, and the HiLens deployment the examples read.
SIZES = {"vias_tasks": 200, "vas_tasks": 200, "hilens_tasks": 50, "octopus_jobs": 200, "batch_tasks": 200}
HILENS_DEPLOYMENT = "dep-large"

RECAP = re.compile(r"^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)"
                   r"\s+skipped=(\d+)\s+rescued=(\d+)\s+ignored=(\d+)", re.MULTILINE)
RECAP_FIELDS = ("ok", "changed", "unreachable", "failed", "skipped", "rescued", "ignored")


def read_docs(module):
    """DOCUMENTATION, EXAMPLES and RETURN of a module's source, without importing it."""
    tree = ast.parse((ROOT / "plugins" / "modules" / (module + ".py")).read_text(encoding="utf-8"))
    docs = {}
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id in ("DOCUMENTATION", "EXAMPLES", "RETURN")):
            docs[node.targets[0].id] = ast.literal_eval(node.value)
    return docs


def find_tool(name):
    """The ansible tool next to this Python first (the venv), else the one on PATH."""
    found = venv_tool(name) or shutil.which(name)
    if not found:
        pytest.fail("%s not found next to %s or on PATH" % (name, sys.executable))
    return found


def play_recap(output):
    """{host: {ok: n, changed: n, ...}} from the PLAY RECAP of ansible-playbook's output."""
    _head, marker, tail = strip_ansi(output).rpartition("PLAY RECAP")
    if not marker:
        return {}
    return dict((match.group(1), dict(zip(RECAP_FIELDS, (int(n) for n in match.groups()[1:]))))
                for match in RECAP.finditer(tail))


def count_tasks(tasks):
    """Tasks a task list runs, counting the tasks inside blocks (a rescue is not expected to run)."""
    total = 0
    for task in tasks or ():
        if "block" in task:
            total += count_tasks(task["block"]) + count_tasks(task.get("always"))
        else:
            total += 1
    return total


def prepare_emulator(emulator):
    """Reset the emulator, move the states the examples assert on, and return values for every variable.

    A healthy account: the HiLens deployment's tasks all RUNNING, every VIAS batch
    running; the VIAS task read one by one and the rollout's tasks are running ones.
    """
    emulator.reset(seed=42, sizes=SIZES)
    emulator.admin("POST", "schedule", {"service": "hilens", "deployment_id": HILENS_DEPLOYMENT,
                                        "steps": [{"after": 0, "state": "RUNNING"}]})
    emulator.admin("POST", "schedule", {"service": "vias_batch", "count": SIZES["batch_tasks"],
                                        "steps": [{"after": 0, "state": "running"}]})
    emulator.admin("POST", "schedule", {"service": "vas", "count": SIZES["vas_tasks"],
                                        "steps": [{"after": 0, "state": "RUNNING"}]})
    emulator.admin("POST", "stats/reset")
    data = emulator.data
    running = data["vias_task_ids_by_state"]["RUNNING"]
    # /_emulator/data names no workspace: take the one of a package import from the live data.
    imports = [job for job in emulator.state.store.octopus.records if job["job_type"] == "PACKAGE_IMPORT"]
    credentials = data["credentials"]
    return {
        "project_id": data["project_id"],
        "vias_task_id": running[0],
        "vias_task_ids": data["vias_task_ids"][:5],
        "rollout_task_ids": running[:3],
        "vas_task_id": data["vas_wrapped_task_ids"][0],
        "vas_task_ids": data["vas_task_ids"][:4],
        "hilens_deployment_id": HILENS_DEPLOYMENT,
        "vas_rollout_name": "gate",
        "workspace_id": imports[0]["workspace_id"],
        "vault_hwcloud_password": credentials["password"],
        "vault_hwcloud_secret_key": credentials["secret_key"],
        "vault_hwcloud_security_token": credentials["security_token"],
    }


def module_defaults(emulator):
    """Where every module of the group sends its requests, and as whom (IAM password, as in the examples).

    Not AK/SK: it would take precedence over the user_name and password an example sets.
    """
    credentials = emulator.credentials
    return {
        "endpoint": emulator.url,
        "iam_endpoint": emulator.url,
        "project_id": credentials["project_id"],
        "user_name": credentials["user_name"],
        "password": credentials["password"],
        "domain_name": credentials["domain_name"],
    }
