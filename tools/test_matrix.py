"""Run the integration suite under every supported ansible-core release.

    python tools/test_matrix.py [--versions 2.16,2.17,2.18,2.19] [--jobs N] [--targets T ...]

For each version it creates (once; reused while its inputs do not change) a
virtualenv ``build/matrix/<version>/venv`` with ``ansible-core==<version>.*``
and requirements.txt, copies the collection to
``build/matrix/<version>/collections/ansible_collections/hwcloud/tasks``
(tools/sync_view.py) and runs there what ``make integration`` runs, with that
virtualenv's ansible-test and Python: the API emulator on loopback
(tools/with_emulator.py, same data sizes) and ``ansible-test integration
--python 3.11``, with ``--continue-on-error`` so that the table names every
target that fails under a version, not only the first. Every run gets its own copy and its own emulator, so
``--jobs`` can run versions side by side.

The output of each run goes to ``build/matrix/<version>/integration.log``; the
script prints one table (version, ansible-core installed, result, seconds) and
exits 1 when any version failed. The supported range is ``requires_ansible``
in meta/runtime.yml; keep VERSIONS in step with it.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MATRIX = ROOT / "build" / "matrix"
VERSIONS = ("2.16", "2.17", "2.18", "2.19")
PYTHON_VERSION = "%d.%d" % sys.version_info[:2]
# The same emulator data as the Makefile's `integration` recipe.
EMULATOR_ARGS = ["--tasks", "200", "--hilens-tasks", "5000", "--batch-tasks", "5000"]
# One version's whole run (venv, copy, suite); a hung run fails instead of blocking the matrix.
RUN_TIMEOUT = 3600


def log_to(path, text):
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)


def run_logged(command, log, env=None, cwd=None, timeout=RUN_TIMEOUT):
    """Run ``command`` with its output appended to ``log``; return the exit code."""
    log_to(log, "\n$ %s\n" % " ".join(str(part) for part in command))
    with open(log, "ab") as handle:
        try:
            return subprocess.run(
                [str(part) for part in command], stdout=handle, stderr=subprocess.STDOUT, env=env, cwd=cwd, timeout=timeout, check=False
            ).returncode
        except subprocess.TimeoutExpired:
            handle.write(b"\n*** timed out after %d s\n" % timeout)
            return 124


def venv_inputs(version):
    """What the virtualenv of ``version`` is made of: rebuilt when this changes."""
    digest = hashlib.sha256()
    digest.update(("%s %s\n" % (version, sys.version)).encode())
    digest.update((ROOT / "requirements.txt").read_bytes())
    return digest.hexdigest()


def ensure_venv(version, workdir, log):
    """The virtualenv of ``version`` (created or refreshed as needed); returns its bin directory or None."""
    venv = workdir / "venv"
    bindir = venv / "bin"
    stamp = venv / ".matrix-installed"
    wanted = venv_inputs(version)
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == wanted and (bindir / "ansible-test").exists():
        log_to(log, "reusing %s\n" % venv)
        return bindir
    if run_logged([sys.executable, "-m", "venv", "--clear", venv], log) != 0:
        return None
    pip = [bindir / "python", "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    if run_logged(pip + ["ansible-core==%s.*" % version, "-r", ROOT / "requirements.txt"], log) != 0:
        return None
    stamp.write_text(wanted, encoding="utf-8")
    return bindir


def installed_core(bindir):
    result = subprocess.run(
        [str(bindir / "python"), "-c", "import ansible.release; print(ansible.release.__version__)"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() or "?"


def run_version(version, targets):
    """Create the venv and the copy, run the suite; returns a result row."""
    started = time.monotonic()
    workdir = MATRIX / version
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "integration.log"
    log.write_text("ansible-core %s on Python %s\n" % (version, PYTHON_VERSION), encoding="utf-8")

    bindir = ensure_venv(version, workdir, log)
    if bindir is None:
        return dict(version=version, core="-", result="FAILED (venv)", seconds=time.monotonic() - started, log=log)
    core = installed_core(bindir)

    collections = workdir / "collections"
    if run_logged([sys.executable, ROOT / "tools" / "sync_view.py", collections], log) != 0:
        return dict(version=version, core=core, result="FAILED (copy)", seconds=time.monotonic() - started, log=log)
    view = collections / "ansible_collections" / "hwcloud" / "tasks"

    env = dict(os.environ)
    env.pop("ANSIBLE_COLLECTIONS_PATHS", None)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=str(collections),
        ANSIBLE_PYTHON_INTERPRETER=str(bindir / "python"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        PATH=os.pathsep.join([str(bindir), env.get("PATH", "")]),
        VIRTUAL_ENV=str(bindir.parent),
    )
    # The emulator runs on this interpreter (it needs aiohttp, from requirements-dev.txt);
    # ansible-test and the modules run on the version's virtualenv.
    command = (
        [sys.executable, ROOT / "tools" / "with_emulator.py"]
        + EMULATOR_ARGS
        + ["--integration-config", view / "tests" / "integration" / "integration_config.yml", "--"]
        + [bindir / "ansible-test", "integration", "--python", PYTHON_VERSION, "--color", "no", "--continue-on-error"]
        + list(targets)
    )
    code = run_logged(command, log, env=env, cwd=view)
    if code == 0:
        result = "passed"
    else:
        failed = failed_targets(log.read_text(encoding="utf-8", errors="replace"))
        result = "FAILED: %s" % ", ".join(failed) if failed else "FAILED (rc %d)" % code
    return dict(version=version, core=core, result=result, seconds=time.monotonic() - started, log=log)


def failed_targets(output):
    """The targets ansible-test lists at the end of a run with --continue-on-error."""
    match = re.search(r"integration test\(s\) listed below .*?failed[^\n]*\n((?:[ \t]*\S+[ \t]*\n?)+)", output)
    return match.group(1).split() if match else []


def table(rows):
    lines = ["| ansible-core | installed | integration | seconds |", "| --- | --- | --- | ---: |"]
    for row in rows:
        lines.append("| %s | %s | %s | %.0f |" % (row["version"], row["core"], row["result"], row["seconds"]))
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--versions", default=",".join(VERSIONS), help="comma-separated ansible-core minor versions (default: %(default)s)")
    parser.add_argument("--jobs", type=int, default=1, help="versions run at once (default: 1)")
    parser.add_argument("--targets", nargs="*", default=[], help="integration targets (default: all)")
    options = parser.parse_args(argv)
    versions = [version.strip() for version in options.versions.split(",") if version.strip()]

    rows = []
    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        futures = [pool.submit(run_version, version, options.targets) for version in versions]
        for future in futures:
            row = future.result()
            rows.append(row)
            print("ansible-core %s: %s (%.0f s, log %s)" % (row["version"], row["result"], row["seconds"], row["log"].relative_to(ROOT)), flush=True)
    print()
    print(table(rows))
    failed = [row["version"] for row in rows if row["result"] != "passed"]
    if failed:
        print("\nfailed: %s (see build/matrix/<version>/integration.log)" % ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
