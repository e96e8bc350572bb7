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
VIEW = ROOT / "build" / "collections" / "ansible_collections" / "hwcloud" / "tasks"
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
    wanted = source_files()
    VIEW.mkdir(parents=True, exist_ok=True)
    if not (VIEW / ".git").is_dir():
        subprocess.run(["git", "init", "--quiet", str(VIEW)], check=True)
    for name in wanted:
        source, target = ROOT / name, VIEW / name
        if target.exists() and filecmp.cmp(source, target, shallow=False):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    wanted_set = set(wanted)
    for dirpath, dirnames, filenames in os.walk(VIEW, topdown=False):
        if (Path(dirpath).relative_to(VIEW).as_posix() + "/").startswith(KEEP):
            continue
        for filename in filenames:
            relative = Path(dirpath, filename).relative_to(VIEW).as_posix()
            if relative not in wanted_set and not relative.startswith(KEEP):
                os.unlink(os.path.join(dirpath, filename))
        if dirpath != str(VIEW) and not os.listdir(dirpath):
            os.rmdir(dirpath)
    print("collection view: %s (%d files)" % (VIEW, len(wanted)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
