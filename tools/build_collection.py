"""Build the collection tarball as it is released, from a copy shaped ansible_collections/hwcloud/tasks.

    python tools/build_collection.py VIEW DEST

The tarball carries the changelog of its version: it is rendered from changelogs/ into the
copy's CHANGELOG.rst (the sources keep CHANGELOG.rst only once a release is cut,
docs/releasing.md) before ``ansible-galaxy collection build`` writes the tarball into DEST,
replacing one of the same version. Prints the tarball's path. ``make build`` and the release
tests (tests/release/test_galaxy_importer.py) build the tarball this one way.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def tarball_name(view):
    meta = yaml.safe_load((Path(view) / "galaxy.yml").read_text(encoding="utf-8"))
    return "%s-%s-%s.tar.gz" % (meta["namespace"], meta["name"], meta["version"])


def build(view, dest):
    """Render the changelog into VIEW, build VIEW into DEST; return the tarball's path."""
    view, dest = Path(view).resolve(), Path(dest).resolve()
    env = dict(os.environ, PATH=os.pathsep.join([str(BIN), os.environ.get("PATH", "")]))
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "check_changelog_fragments.py"), "--preview-only", str(view / "CHANGELOG.rst")],
        check=True, env=env, stdout=subprocess.DEVNULL,
    )
    dest.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(BIN / "ansible-galaxy"), "collection", "build", "--force", "--output-path", str(dest), str(view)],
        check=True, env=env, stdout=subprocess.DEVNULL,
    )
    tarball = dest / tarball_name(view)
    if not tarball.is_file():
        raise SystemExit("ansible-galaxy built no %s" % tarball)
    return tarball


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("view", help="the collection, in a path shaped ansible_collections/hwcloud/tasks")
    parser.add_argument("dest", help="directory of the tarball")
    options = parser.parse_args(argv)
    print(build(options.view, options.dest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
