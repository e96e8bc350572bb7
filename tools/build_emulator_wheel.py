"""Build the API emulator's wheel (tests/emulator, package hwcloud-tasks-emulator) beside the
collection tarball.

    python tools/build_emulator_wheel.py [--dest build/dist]

Runs ``pip wheel --no-deps`` on tests/emulator (pip fetches the build backend, hatchling, into
an isolated build environment; nothing is added to the virtualenv), replaces any older
emulator wheel in DEST, checks that the wheel carries the package, the example scenario and
the ``hwcloud-emulator`` command, and prints the wheel's path.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "tests" / "emulator"
DEFAULT_DEST = ROOT / "build" / "dist"
DISTRIBUTION = "hwcloud_tasks_emulator"
MUST_SHIP = ("hwcloud_emulator/__main__.py", "hwcloud_emulator/scenario.py", "hwcloud_emulator/scenarios/rollout.yml")
ENTRY_POINT = "hwcloud-emulator = hwcloud_emulator.__main__:main"


def check(wheel):
    """Problems of a built wheel (an empty list when it is as expected)."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        problems = ["missing: %s" % name for name in MUST_SHIP if name not in names]
        problems += ["must not ship: %s" % name for name in names if "__pycache__" in name or name.endswith(".pyc")]
        entry_points = [name for name in names if name.endswith(".dist-info/entry_points.txt")]
        if not entry_points or ENTRY_POINT not in archive.read(entry_points[0]).decode("utf-8"):
            problems.append("no console script %r" % ENTRY_POINT)
    return problems


def build(dest=DEFAULT_DEST):
    """Build the wheel into ``dest`` (older emulator wheels there are removed); returns its path."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="emulator-wheel-") as scratch:
        # A copy of the sources: a build must leave no build/ or *.egg-info in tests/emulator.
        source = Path(scratch) / "emulator"
        shutil.copytree(SOURCE, source, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "build", "dist", "*.egg-info"))
        out = Path(scratch) / "wheel"
        result = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "--quiet", "--wheel-dir", str(out), str(source)],
            check=False,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise SystemExit("pip wheel failed:\n%s%s" % (result.stdout, result.stderr))
        built = sorted(out.glob(DISTRIBUTION + "-*.whl"))
        if len(built) != 1:
            raise SystemExit("pip wheel made %s, not one %s wheel" % ([p.name for p in out.iterdir()], DISTRIBUTION))
        problems = check(built[0])
        if problems:
            raise SystemExit("%s:\n  %s" % (built[0].name, "\n  ".join(problems)))
        for old in dest.glob(DISTRIBUTION + "-*.whl"):
            old.unlink()
        target = dest / built[0].name
        shutil.copy2(built[0], target)
    return target


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dest", default=str(DEFAULT_DEST), help="directory of the wheel (default: build/dist)")
    options = parser.parse_args(argv)
    print(build(options.dest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
