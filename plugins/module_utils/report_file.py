# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write a report file atomically: the whole file, or one marked block of it (module report_file)."""

from __future__ import annotations

import os
import re
import tempfile

from ansible_collections.hwcloud.tasks.plugins.module_utils.errors import HwcloudTasksError
MODE_PATTERN = re.compile(r"^0?[0-7]{3,4}\Z")


class ReportFileError(HwcloudTasksError):
    """The report cannot be written: the message says why and what to change."""


def parse_mode(mode):
    """An octal mode given as a string (V(0644)) or as the integer YAML made of it; ReportFileError otherwise."""
    if isinstance(mode, int) and not isinstance(mode, bool):
        if 0 <= mode <= 0o7777:
            return mode
    elif isinstance(mode, str) and MODE_PATTERN.match(mode.strip()):
        return int(mode.strip(), 8)
    raise ReportFileError("mode must be an octal string such as '0644', not %r" % (mode,))


def markers(marker):
    return "<!-- BEGIN %s -->" % marker, "<!-- END %s -->" % marker


def with_block(current, content, marker):
    """``current`` with the block of ``marker`` replaced by ``content`` (or appended when there is none)."""
    begin, end = markers(marker)
    block = "%s\n%s\n%s\n" % (begin, content.rstrip("\n"), end)
    lines = current.splitlines(True)
    starts = [i for i, line in enumerate(lines) if line.rstrip("\r\n") == begin]
    for start in starts:
        for stop in range(start + 1, len(lines)):
            if lines[stop].rstrip("\r\n") == end:
                return "".join(lines[:start]) + block + "".join(lines[stop + 1:])
    if current and not current.endswith("\n"):
        current += "\n"
    return current + block


def write_report(path, content, mode="0644", marker=None, check_mode=False):
    """Write ``content`` to ``path`` (or its marked block); (changed, size). Raises ReportFileError."""
    if not isinstance(path, str) or not path:
        raise ReportFileError("path must be a file name, not %r" % (path,))
    if not isinstance(content, str):
        raise ReportFileError("content must be text, not %s" % type(content).__name__)
    if marker is not None and (not isinstance(marker, str) or not marker or "\n" in marker or "--" in marker):
        raise ReportFileError("marker must be one line of text without '--', not %r" % (marker,))
    permissions = parse_mode(mode)
    path = os.path.expanduser(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise ReportFileError("cannot write %s: the directory %s does not exist; create it first" % (path, directory))
    try:
        with open(path, encoding="utf-8") as handle:
            current = handle.read()
        existed = True
    except FileNotFoundError:
        current, existed = "", False
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportFileError("cannot read %s: %s" % (path, exc)) from None
    wanted = content if marker is None else with_block(current, content, marker)
    mode_changed = existed and (os.stat(path).st_mode & 0o7777) != permissions
    changed = not existed or wanted != current or mode_changed
    if changed and not check_mode:
        try:
            handle, temporary = tempfile.mkstemp(dir=directory, prefix=".%s." % os.path.basename(path))
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(wanted)
            os.chmod(temporary, permissions)
            os.replace(temporary, path)
        except OSError as exc:
            raise ReportFileError("cannot write %s: %s" % (path, exc)) from None
    return changed, len(wanted.encode("utf-8"))
