# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""docs/vocabulary.md, the table of which option and which result key means what in each module, against
the modules' DOCUMENTATION (with their documentation fragments), argument specs and RETURN.

Every name the table gives exists in that module, with exactly the aliases it gives; a ``-`` is true (the
module has none of the names the other modules have in that row); one name means one thing (one row)
across the modules; and every option and top-level result key of every module is in the table (the
connection options of the common fragment are listed in the page's "Connection options" section)."""

from __future__ import annotations

import importlib
import pathlib
import re

import pytest
import yaml

from ansible_collections.hwcloud.tasks.plugins.doc_fragments.common import ModuleDocFragment

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "vocabulary.md"
MARKER = "<!-- vocabulary table: checked by tests/unit/test_vocabulary.py -->"
# The modules that read an API (report_file, which writes a report, shares none of their vocabulary).
MODULES = sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("*_info.py"))
FRAGMENTS = {
    "hwcloud.tasks.common": ModuleDocFragment.DOCUMENTATION,
    "hwcloud.tasks.common.wait": ModuleDocFragment.WAIT,
    "hwcloud.tasks.common.list": ModuleDocFragment.LIST,
}
CONNECTION_FRAGMENT = "hwcloud.tasks.common"
# A cell: `name`, or `name` (`alias`, `alias`), several separated by ", "; or "-".
ENTRY = r"`(?P<name>[^`]+)`(?: \((?P<aliases>`[^`]+`(?:, `[^`]+`)*)\))?"
CELL = re.compile(r"%s(?:, %s)*" % (ENTRY, ENTRY.replace("?P<name>", "").replace("?P<aliases>", "")))
KINDS = ("option", "return")


def parse_cell(cell):
    if cell == "-":
        return {}
    assert CELL.fullmatch(cell), "cannot read the cell %r (write `name`, `name` (`alias`), several separated by ', ', or -)" % cell
    return dict((match.group("name"), [a.strip("`") for a in match.group("aliases").split(", ")] if match.group("aliases") else [])
                for match in re.finditer(ENTRY, cell))


def split_row(line):
    assert line.startswith("|") and line.endswith("|"), line
    return [cell.strip() for cell in line[1:-1].split("|")]


def read_table():
    """``(modules, rows)``: the module of each column, and per row its meaning, kind and ``{module: {name: aliases}}``."""
    text = PAGE.read_text(encoding="utf-8")
    assert MARKER in text, "docs/vocabulary.md lost its table marker"
    lines = text.split(MARKER, 1)[1].strip().splitlines()
    table = []
    for line in lines:
        if not line.startswith("|"):
            break
        table.append(line.strip())
    header = split_row(table[0])
    assert header[:2] == ["meaning", "kind"], header
    modules = header[2:]
    rows = []
    for line in table[2:]:
        cells = split_row(line)
        assert len(cells) == len(header), "row of %d cells, not %d: %s" % (len(cells), len(header), line)
        if not cells[1] and all(not cell for cell in cells[2:]):
            continue  # a section heading
        assert cells[1] in KINDS, "kind %r: one of %s (%s)" % (cells[1], KINDS, line)
        rows.append({"meaning": cells[0], "kind": cells[1], "names": dict(zip(modules, (parse_cell(cell) for cell in cells[2:])))})
    return modules, rows


MODULE_COLUMNS, ROWS = read_table()
OPTION_ROWS = [row for row in ROWS if row["kind"] == "option"]
RETURN_ROWS = [row for row in ROWS if row["kind"] == "return"]


def row_id(row):
    return "%s: %s" % (row["kind"], row["meaning"])


def load(name):
    return importlib.import_module("ansible_collections.hwcloud.tasks.plugins.modules." + name)


def documented_options(name, connection=True):
    """``{option: aliases}`` of the module's documentation, its fragments included (or without the connection fragment)."""
    documentation = yaml.safe_load(load(name).DOCUMENTATION)
    options = {}
    for fragment in documentation.get("extends_documentation_fragment", []):
        if fragment == CONNECTION_FRAGMENT and not connection:
            continue
        options.update(yaml.safe_load(FRAGMENTS[fragment])["options"])
    options.update(documentation["options"])
    return dict((option, sorted(spec.get("aliases", []))) for option, spec in options.items())


def spec_options(name):
    """``{option: aliases}`` of the argument spec the module really validates."""
    return dict((option, sorted(spec.get("aliases", []))) for option, spec in load(name).DECLARATION.argument_spec().items())


def returned(name):
    return yaml.safe_load(load(name).RETURN)


def resolve(documented, path):
    """Whether a result path (``total``, ``summary.by_phase``, ``tasks[].phase``, ``task.id``) is in RETURN; ``[]`` marks a list."""
    node = None
    segments = path.split(".")
    for position, segment in enumerate(segments):
        key, is_list = (segment[:-2], True) if segment.endswith("[]") else (segment, False)
        if position == 0:
            node = documented.get(key)
        elif isinstance(node.get("contains"), dict) and key in node["contains"]:
            node = node["contains"][key]
        else:
            sample = node.get("sample")
            sample = sample[0] if isinstance(sample, list) and sample else sample
            return isinstance(sample, dict) and key in sample and not is_list and position == len(segments) - 1
        if node is None:
            return False
        last = position == len(segments) - 1
        if (is_list and node.get("type") != "list") or (not is_list and not last and node.get("type") != "dict") or (is_list and last):
            return False  # `items[]` descends into a list's items, `key.` into a dict
    return True


def test_the_table_has_one_column_per_module():
    assert sorted(MODULE_COLUMNS) == MODULES


@pytest.mark.parametrize("row", OPTION_ROWS, ids=row_id)
def test_every_option_of_the_table_exists_with_its_aliases(row):
    for module, names in row["names"].items():
        documented, spec = documented_options(module), spec_options(module)
        for option, aliases in names.items():
            assert option in documented, "%s documents no option %s" % (module, option)
            assert documented[option] == sorted(aliases), "%s: option %s has the aliases %s, the table says %s" % (module, option, documented[option], aliases)
            assert spec.get(option) == sorted(aliases), "%s: the argument spec of %s has the aliases %s" % (module, option, spec.get(option))


@pytest.mark.parametrize("row", RETURN_ROWS, ids=row_id)
def test_every_result_of_the_table_is_documented(row):
    for module, names in row["names"].items():
        documented = returned(module)
        for path, aliases in names.items():
            assert not aliases, "%s: a result key has no aliases" % path
            assert resolve(documented, path), "%s documents no result %s" % (module, path)


@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_a_dash_means_the_module_has_none_of_the_rows_names(row):
    others = set()
    for names in row["names"].values():
        for name, aliases in names.items():
            others.update([name] + aliases)
    for module, names in row["names"].items():
        if names:
            continue
        if row["kind"] == "option":
            found = others & set(spec_options(module)) | others & {a for aliases in spec_options(module).values() for a in aliases}
            assert not found, "%s has %s, the table says -" % (module, sorted(found))
        else:
            found = [path for path in others if resolve(returned(module), path)]
            assert not found, "%s returns %s, the table says -" % (module, found)


@pytest.mark.parametrize("kind", KINDS)
def test_one_name_means_one_thing_in_every_module(kind):
    meanings = {}
    for row in ROWS:
        if row["kind"] != kind:
            continue
        for names in row["names"].values():
            for name, aliases in names.items():
                for word in [name] + aliases:
                    meanings.setdefault(word, set()).add(row["meaning"])
    assert dict((word, sorted(rows)) for word, rows in meanings.items() if len(rows) > 1) == {}


@pytest.mark.parametrize("module", MODULES)
def test_every_option_and_result_of_the_module_is_in_the_table(module):
    options = set(name for row in ROWS if row["kind"] == "option" for name in row["names"].get(module, {}))
    results = set(path.split(".")[0].rstrip("[]") for row in ROWS if row["kind"] == "return" for path in row["names"].get(module, {}))
    assert sorted(set(documented_options(module, connection=False)) - options) == []
    assert sorted(set(returned(module)) - results) == []


def test_the_connection_options_section_lists_the_common_fragment():
    text = PAGE.read_text(encoding="utf-8")
    section = text.split("## Connection options", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"`([a-z_]+)`", section))
    common = set(yaml.safe_load(FRAGMENTS[CONNECTION_FRAGMENT])["options"])
    assert common <= listed, sorted(common - listed)
    for module in MODULES:
        assert common <= set(spec_options(module)), module
