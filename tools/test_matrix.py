"""Run the integration suite and the module examples under every supported ansible-core release, in both paths.

    python tools/test_matrix.py [--versions 2.16,...,2.21] [--jobs N] [--targets T ...] [--no-sanity] [--steps S,...]

For each release it makes (once; reused while its inputs do not change) a
virtualenv with ``ansible-core==<version>.*``, requirements.txt and the test
tools the examples need (pytest and aiohttp, pinned as in
requirements-dev.txt), a copy of the collection
(``.../collections/ansible_collections/hwcloud/tasks``, tools/sync_view.py),
and runs there, with that virtualenv's ansible-test and Python:

1. the unit test of the in-process path's adapter to ansible-core's internals
   (tests/unit/plugins/plugin_utils/test_core_adapter.py);
2. ``ansible-test integration --continue-on-error`` against the API emulator
   (tools/with_emulator.py, the data of ``make integration``), in process;
3. the same with ``hwcloud_tasks_in_process: false`` in the integration
   config, as the Makefile's ``integration`` recipe does (shipped modules);
4. tests/examples (every module's EXAMPLES, the example playbooks, the
   README's playbook, ansible-doc) in process;
5. the same tests that run a playbook, with ``HWCLOUD_TASKS_IN_PROCESS=0``;
6. for the newest release only, ``ansible-test sanity`` (no ignore file), with
   ansible-test's pip bootstrap seeded (tools/seed_ansible_test_pip.py).

Releases this machine's Python can run (MINIMUM_PYTHON) run here, in
``build/matrix/<version>/``; the others run inside a Debian 13 root with
Python 3.13 that tools/debian_root.py makes with debootstrap and caches under
``build/debian-13/root`` (their files in ``build/debian-13/root/matrix/<version>/``).
The emulator of the integration runs always runs here, on loopback, which the
root shares. Every release gets its own copy and its own emulators, so
``--jobs`` can run releases side by side.

The output of each release goes to ``build/matrix/<version>/matrix.log``; the
script prints one table (release, ansible-core installed, Python, the result
and seconds of each step) and exits 1 when any step failed. The supported
range is ``requires_ansible`` in meta/runtime.yml; keep VERSIONS in step with it.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
import debian_root  # noqa: E402  pylint: disable=wrong-import-position

ROOT = Path(__file__).resolve().parent.parent
MATRIX = ROOT / "build" / "matrix"
VERSIONS = ("2.16", "2.17", "2.18", "2.19", "2.20", "2.21")
# The oldest controller Python of a release, where it is newer than this machine's may be.
MINIMUM_PYTHON = {"2.20": (3, 12), "2.21": (3, 12)}
# The same emulator data as the Makefile's `integration` recipe.
EMULATOR_ARGS = ["--tasks", "200", "--hilens-tasks", "5000", "--batch-tasks", "5000"]
# The test tools tests/examples needs besides ansible-core, at the versions requirements-dev.txt pins.
TEST_TOOLS = ("pytest", "aiohttp")
# One step (a suite in one path, a virtualenv); a hung step fails instead of blocking the matrix.
STEP_TIMEOUT = 3600
PATHS = ("in process", "module")
INTEGRATION_CONFIG = "tests/integration/integration_config.yml"
ADAPTER_TEST = "tests/unit/plugins/plugin_utils/test_core_adapter.py"
# tests/examples: every test in process; in the module path, the tests that run a playbook (not ansible-doc's).
EXAMPLES_SELECTION = {"in process": "not test_examples_run or in_process", "module": "not in_process and not test_ansible_doc"}


def log_to(path, text):
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)


def run_logged(command, log, env=None, cwd=None, timeout=STEP_TIMEOUT):
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


def test_tool_pins():
    """``name==version`` of TEST_TOOLS from requirements-dev.txt."""
    pins = []
    for line in (ROOT / "requirements-dev.txt").read_text(encoding="utf-8").splitlines():
        name = re.split(r"[<>=!~;\[ ]", line.strip(), maxsplit=1)[0].lower()
        if name in TEST_TOOLS:
            pins.append(line.split("#", 1)[0].strip())
    return pins


class Host:
    """Runs a release with this machine's Python, in build/matrix/<version>."""

    name = "host"

    def __init__(self, version):
        self.workdir = MATRIX / version
        self.python = "%d.%d" % sys.version_info[:2]

    def identity(self):
        return sys.version

    def inside(self, path):
        return str(path)

    def command(self, command, cwd, env):
        """(argv, env, cwd) that run ``command`` with ``env`` added to this process's environment."""
        merged = dict(os.environ)
        merged.pop("ANSIBLE_COLLECTIONS_PATHS", None)
        merged.update(env)
        merged["PATH"] = os.pathsep.join([env["PATH"], os.environ.get("PATH", "")]) if "PATH" in env else os.environ.get("PATH", "")
        return [str(part) for part in command], merged, str(cwd)

    def venv_command(self, venv):
        return [sys.executable, "-m", "venv", "--clear", str(venv)]


class DebianRoot:
    """Runs a release with the Python 3.13 of the Debian 13 root (tools/debian_root.py)."""

    name = "Debian 13 root"

    def __init__(self, version, root):
        self.root = root
        self.workdir = root / "matrix" / version
        self.python = "3.13"

    def identity(self):
        return (self.root / debian_root.STAMP).read_text(encoding="utf-8")

    def inside(self, path):
        return debian_root.in_root(self.root, path)

    def command(self, command, cwd, env):
        path = debian_root.PATH_IN_ROOT
        env = dict(env, PATH=os.pathsep.join([env["PATH"], path]) if "PATH" in env else path)
        return debian_root.run_command(self.root, command, cwd=self.inside(cwd), env=env), None, None

    def venv_command(self, venv):
        return debian_root.run_command(self.root, ["python3", "-m", "venv", "--clear", self.inside(venv)])


class Release:
    """One release's virtualenv, copy and steps on its runner."""

    def __init__(self, version, runner, log):
        self.version, self.runner, self.log = version, runner, log
        self.venv = runner.workdir / "venv"
        self.collections = runner.workdir / "collections"
        self.view = self.collections / "ansible_collections" / "hwcloud" / "tasks"
        self.bindir = runner.inside(self.venv / "bin")

    def run(self, command, env=None, cwd=None, wrap=()):
        """Run ``command`` (paths as the runner sees them) on the runner, in the copy, with the release's tools;
        ``wrap`` is a host command put before it (the emulator)."""
        settings = dict(
            ANSIBLE_COLLECTIONS_PATH=self.runner.inside(self.collections),
            ANSIBLE_PYTHON_INTERPRETER=self.bindir + "/python",
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_FORCE_COLOR="0",
            PATH=self.bindir,
            VIRTUAL_ENV=self.runner.inside(self.venv),
        )
        settings.update(env or {})
        argv, merged, host_cwd = self.runner.command(command, cwd or self.view, settings)
        return run_logged(list(wrap) + argv, self.log, env=merged, cwd=host_cwd if host_cwd else self.view)

    def inputs(self):
        digest = hashlib.sha256()
        digest.update(("%s %s\n" % (self.version, self.runner.identity())).encode())
        digest.update((ROOT / "requirements.txt").read_bytes())
        digest.update(" ".join(test_tool_pins()).encode())
        return digest.hexdigest()

    def ensure_venv(self):
        """The virtualenv (created or refreshed as needed); False when it cannot be made."""
        stamp = self.venv / ".matrix-installed"
        wanted = self.inputs()
        if stamp.is_file() and stamp.read_text(encoding="utf-8") == wanted and (self.venv / "bin" / "ansible-test").exists():
            log_to(self.log, "reusing %s\n" % self.venv)
            return True
        self.venv.parent.mkdir(parents=True, exist_ok=True)
        if run_logged(self.runner.venv_command(self.venv), self.log) != 0:
            return False
        pip = [self.bindir + "/python", "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
        requirements = ["ansible-core==%s.*" % self.version, "-r", self.runner.inside(self.view / "requirements.txt")] + test_tool_pins()
        if self.run(pip + requirements, cwd=self.runner.workdir) != 0:
            return False
        stamp.write_text(wanted, encoding="utf-8")
        return True

    def installed_core(self):
        argv, env, cwd = self.runner.command([self.bindir + "/python", "-c", "import ansible.release; print(ansible.release.__version__)"],
                                             self.runner.workdir, {})
        result = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, check=False)
        return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "?"

    def integration(self, path, targets):
        test = [self.bindir + "/ansible-test", "integration", "--python", self.runner.python, "--color", "no", "--continue-on-error"]
        test += list(targets)
        if path == "module":
            # The Makefile's integration recipe: an extra variable through the config the emulator wrote.
            test = ["sh", "-c", 'echo "hwcloud_tasks_in_process: false" >> %s && exec "$@"' % INTEGRATION_CONFIG, "sh"] + test
        emulator = [sys.executable, ROOT / "tools" / "with_emulator.py"] + EMULATOR_ARGS
        emulator += ["--integration-config", self.view / INTEGRATION_CONFIG, "--"]
        mark = "### integration, %s path" % path
        log_to(self.log, "\n%s\n" % mark)
        started = time.monotonic()
        code = self.run(test, wrap=emulator)
        seconds = time.monotonic() - started
        if code == 0:
            return "passed", seconds
        failed = failed_targets(self.log.read_text(encoding="utf-8", errors="replace").rsplit(mark, 1)[-1])
        return ("FAILED: %s" % ", ".join(failed) if failed else "FAILED (rc %d)" % code), seconds

    def examples(self, path):
        env = {"HWCLOUD_TASKS_IN_PROCESS": "0"} if path == "module" else {}
        mark = "### examples, %s path" % path
        log_to(self.log, "\n%s\n" % mark)
        started = time.monotonic()
        code = self.run([self.bindir + "/python", "-m", "pytest", "tests/examples", "-p", "no:cacheprovider", "-q", "-k",
                         EXAMPLES_SELECTION[path]], env=env)
        seconds = time.monotonic() - started
        return ("passed" if code == 0 else "FAILED: %s" % pytest_summary(self.log.read_text(encoding="utf-8", errors="replace"), mark)), seconds

    def adapter(self):
        """The unit test of the in-process path's adapter to ansible-core's internals."""
        started = time.monotonic()
        code = self.run([self.bindir + "/python", "-m", "pytest", ADAPTER_TEST, "-p", "no:cacheprovider", "-q"],
                        env={"PYTHONPATH": self.runner.inside(self.collections)})
        return ("passed" if code == 0 else "FAILED (rc %d)" % code), time.monotonic() - started

    def sanity(self):
        started = time.monotonic()
        code = self.run([self.bindir + "/python", "tools/seed_ansible_test_pip.py", "--python-version", self.runner.python])
        if code == 0:
            code = self.run([self.bindir + "/ansible-test", "sanity", "--python", self.runner.python, "--color", "no"])
        seconds = time.monotonic() - started
        return ("passed" if code == 0 else "FAILED (rc %d)" % code), seconds


def pytest_summary(output, mark):
    """pytest's closing counts (``2 failed, 40 passed``) of the run logged after ``mark``."""
    tail = output.rsplit(mark, 1)[-1]
    counts = re.findall(r"^=*\s*(\d+ (?:failed|errors?)[^=\n]*?)\s*=*$", tail, flags=re.MULTILINE)
    return counts[-1] if counts else "see the log"


def failed_targets(output):
    """The targets ansible-test lists at the end of a run with --continue-on-error."""
    match = re.search(r"integration test\(s\) listed below .*?failed[^\n]*\n((?:[ \t]*\S+[ \t]*\n?)+)", output)
    return match.group(1).split() if match else []


def runner_for(version, root):
    minimum = MINIMUM_PYTHON.get(version)
    if minimum is None or sys.version_info[:2] >= minimum:
        return Host(version)
    return DebianRoot(version, root)


def run_version(version, targets, steps, root):
    """The venv, the copy and the ``steps`` (names of STEPS) of one release; returns its row."""
    started = time.monotonic()
    logdir = MATRIX / version
    logdir.mkdir(parents=True, exist_ok=True)
    log = logdir / "matrix.log"
    runner = runner_for(version, root)
    log.write_text("ansible-core %s on Python %s (%s)\n" % (version, runner.python, runner.name), encoding="utf-8")
    row = dict(version=version, core="-", python=runner.python, steps={}, log=log)
    release = Release(version, runner, log)
    run_step = dict(adapter=release.adapter, sanity=release.sanity)
    for path in PATHS:
        run_step["integration " + path] = lambda path=path: release.integration(path, targets)
        run_step["examples " + path] = lambda path=path: release.examples(path)
    try:
        if run_logged([sys.executable, ROOT / "tools" / "sync_view.py", release.collections], log) != 0:
            row["steps"]["setup"] = ("FAILED (copy)", 0)
        elif not release.ensure_venv():
            row["steps"]["setup"] = ("FAILED (venv)", 0)
        else:
            row["core"] = release.installed_core()
            for step in STEPS:
                if step in steps:
                    row["steps"][step] = run_step[step]()
    finally:
        row["seconds"] = time.monotonic() - started
    return row


STEPS = ["adapter", "integration in process", "integration module", "examples in process", "examples module", "sanity"]


def table(rows):
    lines = ["| ansible-core | installed | Python | %s | seconds |" % " | ".join(STEPS),
             "| --- | --- | --- | %s | ---: |" % " | ".join("---" for _step in STEPS)]
    for row in sorted(rows, key=lambda row: tuple(int(part) for part in row["version"].split("."))):
        cells = []
        for step in STEPS:
            result = row["steps"].get(step) or row["steps"].get("setup")
            cells.append("%s, %.0f s" % result if result and result[1] else (result[0] if result else "-"))
        lines.append("| %s | %s | %s | %s | %.0f |" % (row["version"], row["core"], row["python"], " | ".join(cells), row["seconds"]))
    return "\n".join(lines)


def failed(row):
    return any(not result.startswith("passed") for result, _seconds in row["steps"].values()) or not row["steps"]


def steps_of(version, options):
    """The steps ``version`` runs: those asked for, sanity only on the newest release."""
    asked = [step.strip() for step in options.steps.split(",") if step.strip()]
    unknown = sorted(set(asked) - set(STEPS))
    if unknown:
        raise SystemExit("unknown steps %s; the steps are: %s" % (", ".join(unknown), ", ".join(STEPS)))
    return [step for step in asked if step != "sanity" or (version == VERSIONS[-1] and not options.no_sanity)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--versions", default=",".join(VERSIONS), help="comma-separated ansible-core minor versions (default: %(default)s)")
    parser.add_argument("--jobs", type=int, default=1, help="releases run at once (default: 1)")
    parser.add_argument("--targets", nargs="*", default=[], help="integration targets (default: all)")
    parser.add_argument("--no-sanity", action="store_true", help="skip ansible-test sanity of the newest release %s" % VERSIONS[-1])
    parser.add_argument("--steps", default=",".join(STEPS), help="comma-separated steps to run (default: %(default)s)")
    options = parser.parse_args(argv)
    versions = [version.strip() for version in options.versions.split(",") if version.strip()]
    plan = dict((version, steps_of(version, options)) for version in versions)

    root = debian_root.DEBIAN_ROOT
    if any(isinstance(runner_for(version, root), DebianRoot) for version in versions):
        MATRIX.mkdir(parents=True, exist_ok=True)
        log = MATRIX / "debian-root.log"
        log.write_text("", encoding="utf-8")
        started = time.monotonic()
        try:
            debian_root.ensure_root(log=log, root=root)
        except RuntimeError as exc:
            print("the Debian 13 root could not be made: %s" % exc, flush=True)
            return 1
        print("Debian 13 root: %s (%.0f s)" % (root.relative_to(ROOT), time.monotonic() - started), flush=True)

    rows = []
    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        futures = [pool.submit(run_version, version, options.targets, plan[version], root) for version in versions]
        for future in futures:
            row = future.result()
            rows.append(row)
            verdict = "FAILED" if failed(row) else "passed"
            print("ansible-core %s: %s (%.0f s, log %s)" % (row["version"], verdict, row["seconds"], row["log"].relative_to(ROOT)), flush=True)
    print()
    print(table(rows))
    bad = [row["version"] for row in rows if failed(row)]
    if bad:
        print("\nfailed: %s (see build/matrix/<version>/matrix.log)" % ", ".join(bad))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
