# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""docs/phases.md must show the phase table of phase.py as it is now."""

from __future__ import annotations

import pathlib
import subprocess
import sys

from ansible_collections.hwcloud.tasks.plugins.module_utils.kinds import phase_table_markdown

ROOT = pathlib.Path(__file__).resolve().parents[2]
START = "<!-- phase-table:start -->"
END = "<!-- phase-table:end -->"


def test_phases_page_holds_the_current_table():
    page = (ROOT / "docs" / "phases.md").read_text(encoding="utf-8")
    assert page.count(START) == 1 and page.count(END) == 1
    generated = page.split(START, 1)[1].split(END, 1)[0]
    assert generated == "\n" + phase_table_markdown()


def test_render_tool_check_passes():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "render_phase_table.py"), "--check"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
