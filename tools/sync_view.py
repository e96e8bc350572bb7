"""Copy the collection into build/collections/ansible_collections/hwcloud/tasks.

ansible-test only works from a path shaped ``ansible_collections/<namespace>/<name>``.
The sources stay where they are; this copies every file git tracks or would
track (untracked files that .gitignore does not exclude) and removes files that
are gone from the sources. ``tests/output`` of the copy (ansible-test's
results) is kept between runs.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_COLLECTIONS = ROOT / "build" / "collections"
# ansible-test lists a collection's files with git when it finds a .git above
# them; the outer repository ignores build/, so the copy gets a repository of
# its own (ansible-test includes untracked files).
KEEP = (".git/", "tests/output/", "tests/integration/integration_config.yml")


def source_files():
    listing = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    return sorted({name for name in listing.split("\0") if name and (ROOT / name).is_file()})


def main():
    # Another root (``sync_view.py /tmp/other``) lets two checkouts or runs not share one copy.
    collections = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_COLLECTIONS
    view = collections / "ansible_collections" / "hwcloud" / "tasks"
    sync(view)
    return 0


def sync(view):
    wanted = source_files()
    view.mkdir(parents=True, exist_ok=True)
    if not (view / ".git").is_dir():
        subprocess.run(["git", "init", "--quiet", str(view)], check=True)
    for name in wanted:
        source, target = ROOT / name, view / name
        if target.exists() and filecmp.cmp(source, target, shallow=False):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    wanted_set = set(wanted)
    for dirpath, _dirnames, filenames in os.walk(view, topdown=False):
        if (Path(dirpath).relative_to(view).as_posix() + "/").startswith(KEEP):
            continue
        for filename in filenames:
            relative = Path(dirpath, filename).relative_to(view).as_posix()
            if relative not in wanted_set and not relative.startswith(KEEP):
                os.unlink(os.path.join(dirpath, filename))
        if dirpath != str(view) and not os.listdir(dirpath):
            os.rmdir(dirpath)
    print("collection view: %s (%d files)" % (view, len(wanted)))


if __name__ == "__main__":
    sys.exit(main())
