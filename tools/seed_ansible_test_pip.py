"""Seed ansible-test's pip bootstrap cache so that sanity tests run air-gapped.

ansible-test creates a virtual environment per sanity test and bootstraps pip
into it with a ``get-pip`` script that it downloads from a host that air-gapped
and restricted CI machines cannot reach.  It looks in its cache first
(``~/.ansible/test/cache/get_pip_<version>.py``), so we put a small script
there that installs pip from the wheel CPython bundles with ``ensurepip`` and
hands every remaining argument (``pip==<version>`` and friends) to
``pip install``, which then uses the package index the machine is configured
for.

Run it with the Python that has ansible-core installed (``make setup`` does).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from types import SimpleNamespace

# The script ansible-test runs in a fresh venv, as ``python get_pip.py ARGS``.
BOOTSTRAP_SCRIPT = '''\
"""pip bootstrap for ansible-test, written by hwcloud.tasks tools/seed_ansible_test_pip.py.

Installs pip from CPython's bundled ensurepip wheel instead of downloading
get-pip.py, then runs ``pip install`` with the arguments ansible-test gave.
"""
import glob
import os
import sys

# get-pip.py options that ``pip install`` does not know.
GET_PIP_ONLY_OPTIONS = {"--no-setuptools", "--no-wheel", "--no-pip"}


def bundled_pip_wheel():
    import ensurepip
    bundled = os.path.join(os.path.dirname(ensurepip.__file__), "_bundled")
    wheels = sorted(glob.glob(os.path.join(bundled, "pip-*.whl")))
    if not wheels:
        sys.exit("no pip wheel bundled with ensurepip in %s" % bundled)
    return wheels[-1]


def main():
    sys.path.insert(0, bundled_pip_wheel())
    from pip._internal.cli.main import main as pip_main
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
    return pip_main(["install"] + args)


if __name__ == "__main__":
    sys.exit(main())
'''


def bootstrap_pip_version(python_version: str) -> str:
    """Ask ansible-test which pip version it bootstraps for this Python."""
    from ansible_test._internal.python_requirements import get_venv_packages

    return get_venv_packages(SimpleNamespace(version=python_version))["pip"]


def cache_path(pip_version: str) -> Path:
    # Same name ansible-test's bootstrap() builds: get_pip_<version with _>.py
    return Path(os.path.expanduser("~/.ansible/test/cache")) / ("get_pip_%s.py" % pip_version.replace(".", "_"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--python-version",
        action="append",
        help="Python version(s) the sanity venvs use (default: this interpreter's)",
    )
    args = parser.parse_args()
    versions = args.python_version or ["%d.%d" % sys.version_info[:2]]

    for pip_version in sorted({bootstrap_pip_version(version) for version in versions}):
        target = cache_path(pip_version)
        if target.exists() and target.read_text(encoding="utf-8") == BOOTSTRAP_SCRIPT:
            print("ansible-test pip %s bootstrap already seeded: %s" % (pip_version, target))
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(BOOTSTRAP_SCRIPT, encoding="utf-8")
        print("seeded ansible-test pip %s bootstrap: %s" % (pip_version, target))
    return 0


if __name__ == "__main__":
    sys.exit(main())
