# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""plugins/filter/ as Galaxy and ansible-doc see it: one filter per file, each with its own documentation in it.

A file that holds several filters makes ansible-doc give all of them the first one's documentation, and
galaxy-importer list the file's name as an undocumented filter; a file that is no filter is listed too; and
documentation in an adjacent NAME.yml makes galaxy-importer list the filter twice (once for the .py it finds, once
for the .yml ansible-doc names as the documentation's file)."""

from __future__ import annotations

import importlib
import json
import os
import pathlib
import subprocess
import sys

import pytest
import yaml

FILTER_DIR = pathlib.Path(__file__).resolve().parents[4] / "plugins" / "filter"
FILTERS = sorted(path.stem for path in FILTER_DIR.glob("*.py"))
# ansible-doc of the interpreter that runs the tests, against the collection the tests import.
ANSIBLE_DOC = pathlib.Path(sys.executable).parent / "ansible-doc"
COLLECTIONS = FILTER_DIR.parents[4]


def documentation(name):
    """DOCUMENTATION, EXAMPLES (as text) and RETURN of the filter's own file."""
    module = importlib.import_module("ansible_collections.hwcloud.tasks.plugins.filter." + name)
    return {"DOCUMENTATION": yaml.safe_load(module.DOCUMENTATION), "EXAMPLES": module.EXAMPLES, "RETURN": yaml.safe_load(module.RETURN)}


def ansible_doc(*args):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), ANSIBLE_NOCOLOR="1")
    done = subprocess.run([str(ANSIBLE_DOC), "-t", "filter", *args], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_every_file_is_a_filter_and_holds_its_documentation():
    assert sorted(path.name for path in FILTER_DIR.iterdir() if path.suffix != ".py" and path.name != "__pycache__") == []


@pytest.mark.parametrize("name", FILTERS)
def test_each_file_holds_one_filter_of_its_own_name(name):
    module = importlib.import_module("ansible_collections.hwcloud.tasks.plugins.filter." + name)
    assert list(module.FilterModule().filters()) == [name]


@pytest.mark.parametrize("name", FILTERS)
def test_each_filter_documents_itself(name):
    docs = documentation(name)
    assert docs["DOCUMENTATION"]["name"] == name
    assert docs["DOCUMENTATION"]["short_description"] and docs["RETURN"]["_value"]["description"]
    assert "hwcloud.tasks.%s" % name in docs["EXAMPLES"]


def test_ansible_doc_lists_each_filter_once():
    listed = [line.split()[0] for line in ansible_doc("-l", "hwcloud.tasks").splitlines() if line.strip()]
    assert listed == ["hwcloud.tasks.%s" % name for name in FILTERS]


@pytest.mark.parametrize("name", FILTERS)
def test_ansible_doc_gives_each_filter_its_own_documentation(name):
    shown = json.loads(ansible_doc("--json", "hwcloud.tasks.%s" % name))["hwcloud.tasks.%s" % name]
    assert shown["doc"]["name"] == name
    assert shown["doc"]["short_description"] == documentation(name)["DOCUMENTATION"]["short_description"]
    assert shown["return"] == documentation(name)["RETURN"]
    # The file galaxy-importer lists the filter under is the one it finds: the filter's own .py.
    assert pathlib.Path(shown["doc"]["filename"]).name == name + ".py"
