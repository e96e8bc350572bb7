# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write schemas/<name>.schema.json from SCHEMAS in plugins/module_utils/schemas.py.

The Python dicts are the source; the JSON files are published copies for
users and other tools. ``--check`` exits 1 when the files are out of date.
"""

import argparse
import importlib.util
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCHEMAS_MODULE = ROOT / "plugins" / "module_utils" / "schemas.py"
OUTPUT_DIR = ROOT / "schemas"
SUFFIX = ".schema.json"


def load_schemas():
    # Loaded by path so the tool runs from a plain checkout, without the
    # ansible_collections/ layout; schemas.py imports nothing.
    spec = importlib.util.spec_from_file_location("hwcloud_tasks_schemas", SCHEMAS_MODULE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SCHEMAS


def render(schema):
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def expected_files():
    """{file name: content} of every file schemas/ must hold."""
    return {name + SUFFIX: render(schema) for name, schema in load_schemas().items()}


def problems(expected):
    found = {path.name: path.read_text(encoding="utf-8")
             for path in OUTPUT_DIR.glob("*" + SUFFIX)} if OUTPUT_DIR.is_dir() else {}
    messages = []
    for name, content in sorted(expected.items()):
        if name not in found:
            messages.append("missing: schemas/%s" % name)
        elif found[name] != content:
            messages.append("out of date: schemas/%s" % name)
    messages.extend("not in SCHEMAS: schemas/%s" % name for name in sorted(set(found) - set(expected)))
    return messages


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only report whether schemas/ matches SCHEMAS; exit 1 if not")
    args = parser.parse_args(argv)
    expected = expected_files()
    if args.check:
        messages = problems(expected)
        if messages:
            sys.stderr.write("\n".join(messages)
                             + "\nrun: python tools/export_schemas.py\n")
            return 1
        return 0
    OUTPUT_DIR.mkdir(exist_ok=True)
    # Files of schemas that no longer exist would be published by mistake.
    for stale in OUTPUT_DIR.glob("*" + SUFFIX):
        if stale.name not in expected:
            stale.unlink()
    for name, content in expected.items():
        (OUTPUT_DIR / name).write_text(content, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
