# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The return values every module shares are documented with one text (tools/shared_return_docs.py)."""

from __future__ import annotations

import importlib
import importlib.util
import pathlib
import subprocess
import sys

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
TOOL = ROOT / "tools" / "shared_return_docs.py"
MODULES = sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("*_info.py"))


def load_tool():
    spec = importlib.util.spec_from_file_location("shared_return_docs", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", MODULES)
def test_every_module_documents_the_shared_return_values_with_the_shared_text(name):
    documented = yaml.safe_load(importlib.import_module("ansible_collections.hwcloud.tasks.plugins.modules." + name).RETURN)
    for key, text in load_tool().SHARED.items():
        assert documented[key] == yaml.safe_load(text)[key], "%s: RETURN %s differs from tools/shared_return_docs.py" % (name, key)


def test_the_check_passes_and_would_catch_a_drifted_copy(tmp_path):
    result = subprocess.run([sys.executable, str(TOOL)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    tool = load_tool()
    source = (ROOT / "plugins" / "modules" / "vias_task_info.py").read_text(encoding="utf-8")
    drifted = source.replace("Seconds the module waited.", "Seconds waited.")
    assert drifted != source
    assert tool.with_shared_blocks(drifted, "vias_task_info.py") == source


def test_a_module_without_a_shared_block_is_reported():
    tool = load_tool()
    source = 'DOCUMENTATION = ""\nRETURN = r"""\ncount:\n  description: x\n"""\n'
    with pytest.raises(ValueError, match="RETURN must document 'wait' once"):
        tool.with_shared_blocks(source, "example.py")
