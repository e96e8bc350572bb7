# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One registry of services (plugins/module_utils/kinds.py): no other list of them may drift from it."""

from __future__ import annotations

import ast
import pathlib
import re
import subprocess
import sys

import pytest

from ansible_collections.hwcloud.tasks.plugins.module_utils.kinds import KINDS, SERVICES

ROOT = pathlib.Path(__file__).resolve().parents[2]
REGISTRY = ROOT / "plugins" / "module_utils" / "kinds.py"
SHIPPED_CODE = sorted(path for folder in ("plugins", "extensions") for path in (ROOT / folder).rglob("*.py"))
SHIPPED_TEXT = sorted(
    [path for pattern in ("plugins/**/*.yml", "roles/**/*.yml", "roles/*/README.md", "extensions/eda/**/*.yml", "meta/*.yml",
                          "docs/*.md") for path in ROOT.glob(pattern)] + [ROOT / "README.md"] + SHIPPED_CODE)
NAME = "|".join(sorted((re.escape(service) for service in SERVICES), key=len, reverse=True))
# An enumeration of services in text: a choices list, V(...) markup, `code` or plain words, separated by commas,
# "and" or "or".
SEPARATOR = r"(?:,? (?:and |or )|, )"
ENUMERATIONS = [
    re.compile(r"\[((?:%s)(?:, (?:%s))+)\]" % (NAME, NAME)),
    re.compile(r"(V\((?:%s)\)(?:%sV\((?:%s)\))+)" % (NAME, SEPARATOR, NAME)),
    re.compile(r"(`(?:%s)`(?:%s`(?:%s)`)+)" % (NAME, SEPARATOR, NAME)),
    re.compile(r"\b((?:%s)(?:%s(?:%s))+)\b" % (NAME, SEPARATOR, NAME)),
]
# Text the registry generates itself (docs/phases.md's table: which service documents which state).
GENERATED = [re.compile(r"<!-- phase-table:start -->.*?<!-- phase-table:end -->", re.S)]


def literal_service_lists(path):
    """(line, names) of every list, tuple, set or dict in ``path`` whose literal strings name two services or more."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        elements = node.keys if isinstance(node, ast.Dict) else node.elts if isinstance(node, (ast.List, ast.Tuple, ast.Set)) else []
        names = [element.value for element in elements if isinstance(element, ast.Constant) and element.value in SERVICES]
        if len(names) >= 2:
            found.append((node.lineno, names))
    return found


def test_the_registry_writes_every_literal_copy_and_none_has_drifted():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "sync_registry.py"), "--check"], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("path", [path for path in SHIPPED_CODE if path != REGISTRY], ids=lambda path: str(path.relative_to(ROOT)))
def test_no_code_outside_the_registry_spells_out_a_list_of_services(path):
    assert literal_service_lists(path) == []


def test_the_scan_finds_a_list_of_services_where_there_is_one(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('ITEM_KEYS = {"vias": "tasks", "octopus": "jobs"}\nSERVICES = ("hilens", "vas")\n', encoding="utf-8")
    assert literal_service_lists(sample) == [(1, ["vias", "octopus"]), (2, ["hilens", "vas"])]


@pytest.mark.parametrize("path", SHIPPED_TEXT, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_enumeration_of_all_services_in_shipped_text_is_the_registrys(path):
    """A list naming most services is meant to name them all: it must be the registry's, in its order (a subset
    that names fewer says which services a thing is for, and is held by the tests of that thing)."""
    text = path.read_text(encoding="utf-8")
    for generated in GENERATED:
        text = generated.sub(lambda match: "\n" * match.group(0).count("\n"), text)
    wrong = []
    for pattern in ENUMERATIONS:
        for match in pattern.finditer(text):
            names = re.findall(r"\b(?:%s)\b" % NAME, match.group(1))
            if len(names) >= len(SERVICES) - 1 and names != list(SERVICES):
                wrong.append("line %d: %s" % (text.count("\n", 0, match.start()) + 1, match.group(1)))
    assert wrong == [], "enumerations that are not the registry's %s" % ", ".join(SERVICES)


def test_every_kind_has_its_role_call_file_and_its_module_in_the_action_group():
    runtime = (ROOT / "meta" / "runtime.yml").read_text(encoding="utf-8")
    for kind in KINDS.values():
        assert (ROOT / "roles" / "gather_task_facts" / "tasks" / ("call_%s.yml" % kind.name)).is_file()
        assert re.search(r"^\s+- %s$" % kind.module, runtime, re.M), "%s is not in the action group" % kind.module
