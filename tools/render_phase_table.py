# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Regenerate the phase table of docs/phases.md from plugins/module_utils/phase.py (what each state means) and
kinds.py (which service documents it).

Only the text between the two markers is generated; the rest of the page is
written by hand. ``--check`` exits 1 when the table is out of date.
"""

import argparse
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from collection_import import collection_module  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "phases.md"
START = "<!-- phase-table:start -->"
END = "<!-- phase-table:end -->"


def load_kinds():
    return collection_module("plugins.module_utils.kinds")


def rendered_page(page_text):
    """``page_text`` with the generated table between the markers."""
    head, start, rest = page_text.partition(START)
    end, tail = rest.partition(END)[1:]
    if not start or not end:
        raise ValueError("%s must contain %s and, after it, %s" % (PAGE, START, END))
    table = load_kinds().phase_table_markdown()
    return head + START + "\n" + table + END + tail


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only report whether docs/phases.md is up to date; exit 1 if not")
    args = parser.parse_args(argv)
    current = PAGE.read_text(encoding="utf-8")
    try:
        wanted = rendered_page(current)
    except ValueError as exc:
        sys.stderr.write("%s\n" % exc)
        return 1
    if args.check:
        if wanted != current:
            sys.stderr.write("%s is out of date; run: python tools/render_phase_table.py\n"
                             % PAGE.relative_to(ROOT))
            return 1
        return 0
    PAGE.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
