"""Helpers of the release tests (a module name of its own, so that it never collides
with another test tree's ``conftest`` when several run at once)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
NAMESPACE, NAME = "hwcloud", "tasks"


def tool(name):
    """A tool of the running virtualenv (the pinned one); else whatever PATH finds."""
    local = BIN / name
    return str(local) if local.exists() else name


def collections_root(tmp_dir):
    """A collections root holding hwcloud.tasks: ANSIBLE_COLLECTIONS_PATH's when it has one, else a fresh copy."""
    for root in os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep):
        if root and (Path(root) / "ansible_collections" / NAMESPACE / NAME / "galaxy.yml").is_file():
            return Path(root).resolve()
    target = Path(tmp_dir) / "collections"
    subprocess.run([sys.executable, str(ROOT / "tools" / "sync_view.py"), str(target)], check=True, capture_output=True)
    return target


def env_fallbacks(spec_name="COMMON_ARGUMENT_SPEC"):
    """``{option: {"env": [names], "no_log": bool}}`` of an argument spec in module_utils/declaration.py, read without importing it."""
    tree = ast.parse((ROOT / "plugins" / "module_utils" / "declaration.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(target, ast.Name) and target.id == spec_name for target in node.targets):
            return {keyword.arg: _option(keyword.value) for keyword in node.value.keywords}
    raise AssertionError("%s not found in plugins/module_utils/declaration.py" % spec_name)


def _option(call):
    option = {"env": [], "no_log": False}
    for keyword in call.keywords:
        if keyword.arg == "no_log":
            option["no_log"] = ast.literal_eval(keyword.value)
        elif keyword.arg == "fallback":
            function, names = keyword.value.elts
            assert isinstance(function, ast.Name) and function.id == "env_fallback", ast.dump(function)
            option["env"] = list(ast.literal_eval(names))
    return option
