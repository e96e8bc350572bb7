# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""schemas/*.schema.json are the published copies of SCHEMAS; they must not drift."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest

from ansible_collections.hwcloud.tasks.plugins.module_utils.schemas import SCHEMAS

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMA_DIR = ROOT / "schemas"


def test_one_file_per_schema_and_no_other():
    assert sorted(path.name for path in SCHEMA_DIR.iterdir()) == sorted(name + ".schema.json" for name in SCHEMAS)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_published_schema_equals_the_python_dict(name):
    text = (SCHEMA_DIR / (name + ".schema.json")).read_text(encoding="utf-8")
    assert json.loads(text) == SCHEMAS[name]
    assert text == json.dumps(SCHEMAS[name], indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_export_tool_check_passes():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "export_schemas.py"), "--check"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
