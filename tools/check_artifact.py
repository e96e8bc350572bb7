"""Check a built collection tarball: what must ship does, what must not doesn't.

    python tools/check_artifact.py build/dist/hwcloud-tasks-X.Y.Z.tar.gz
"""

from __future__ import annotations

import sys
import tarfile

MUST_SHIP = (
    "MANIFEST.json",
    "meta/runtime.yml",
    "plugins/modules/vias_task_info.py",
    "plugins/module_utils/http_client.py",
    "plugins/doc_fragments/common.py",
    "plugins/action/vias_task_info.py",
    "plugins/plugin_utils/in_process.py",
    "extensions/eda/plugins/event_source/task_events.py",
    "extensions/eda/rulebooks/task_failed.yml",
    "README.md",
    "CHANGELOG.rst",
)
MUST_SHIP_PREFIXES = ("schemas/",)
NEVER_SHIP = (
    ".venv/", "build/", "tests/output/", "tests/emulator/", "tests/unit/", "tests/examples/", "tests/release/", "tests/support/",
    "tests/reliability/", "extensions/molecule/", "benchmarks/", ".git/", "tools/",
)


def main(path):
    with tarfile.open(path) as archive:
        names = [name[2:] if name.startswith("./") else name for name in archive.getnames()]
    problems = ["missing: %s" % name for name in MUST_SHIP if name not in names]
    problems += ["missing anything under %s" % prefix for prefix in MUST_SHIP_PREFIXES if not any(n.startswith(prefix) for n in names)]
    problems += ["must not ship: %s" % name for name in names if name.startswith(NEVER_SHIP) or "__pycache__" in name]
    if problems:
        print("%s:\n  %s" % (path, "\n  ".join(problems)))
        return 1
    print("%s: %d files, contents as expected" % (path, len(names)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
