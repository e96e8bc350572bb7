# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""report_file: whole files and marked blocks, written atomically with their mode, or refused with why."""

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.hwcloud.tasks.plugins.module_utils.report_file import ReportFileError, parse_mode, write_report


def test_a_new_file_is_written_with_its_mode_and_again_is_unchanged(tmp_path):
    path = str(tmp_path / "report.xml")
    assert write_report(path, "<testsuites/>\n", "0600") == (True, 14)
    with open(path, encoding="utf-8") as handle:
        assert handle.read() == "<testsuites/>\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert write_report(path, "<testsuites/>\n", "0600") == (False, 14)
    assert write_report(path, "<testsuites/>\n", 0o644)[0] is True  # the mode alone changed
    assert os.listdir(str(tmp_path)) == ["report.xml"]  # no temporary file left behind


def test_check_mode_says_what_would_change_and_writes_nothing(tmp_path):
    path = str(tmp_path / "report.md")
    assert write_report(path, "# ok\n", check_mode=True)[0] is True
    assert not os.path.exists(path)


def test_a_marked_block_is_appended_then_replaced_and_the_rest_kept(tmp_path):
    path = tmp_path / "summary.md"
    path.write_text("# Deployment\n", encoding="utf-8")
    write_report(str(path), "step 1: passed\n", marker="step 1")
    write_report(str(path), "step 2: failed\n", marker="step 2")
    write_report(str(path), "step 1: failed\n", marker="step 1")
    assert path.read_text(encoding="utf-8") == (
        "# Deployment\n"
        "<!-- BEGIN step 1 -->\nstep 1: failed\n<!-- END step 1 -->\n"
        "<!-- BEGIN step 2 -->\nstep 2: failed\n<!-- END step 2 -->\n")


@pytest.mark.parametrize("mode", ["rw-r--r--", "0999", "", True, -1, None])
def test_a_mode_that_is_not_octal_is_refused_by_name(mode):
    with pytest.raises(ReportFileError, match="mode must be an octal string"):
        parse_mode(mode)


def test_a_missing_directory_and_a_bad_marker_are_refused_with_what_to_do(tmp_path):
    with pytest.raises(ReportFileError, match="does not exist; create it first"):
        write_report(str(tmp_path / "nowhere" / "report.xml"), "x")
    with pytest.raises(ReportFileError, match="marker must be one line"):
        write_report(str(tmp_path / "report.md"), "x", marker="a -- b")
