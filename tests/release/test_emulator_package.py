"""The API emulator as a user installs it: its wheel (tools/build_emulator_wheel.py) and the collection
tarball go into a fresh virtualenv with the pinned ansible-core, and the CI job of
docs/testing-without-a-cloud.md runs there: the same playbook passes against one scenario and fails
against another, writing its JUnit report both times. The guide shows the files of docs/examples/ci
verbatim (checked here)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import venv
import xml.etree.ElementTree as ET
import zipfile

import pytest
import yaml

from release_support import ROOT, tool

EXAMPLES = ROOT / "docs" / "examples" / "ci"
GUIDE = ROOT / "docs" / "testing-without-a-cloud.md"
PLAYBOOK = EXAMPLES / "verify-rollout.yml"
RUNNER = EXAMPLES / "run-against-emulator.sh"
WORKFLOW = EXAMPLES / "github-actions.yml"
# In the guide, a file shown verbatim: this marker, then one fenced code block with the file's text.
SHOWN_FILE = re.compile(r"<!-- file: (?P<path>[^ ]+) -->\n+```[a-z]*\n(?P<text>.*?)```\n", re.S)

_spec = importlib.util.spec_from_file_location("build_emulator_wheel", ROOT / "tools" / "build_emulator_wheel.py")
build_emulator_wheel = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_emulator_wheel)


def pinned(name):
    """The version requirements-dev.txt pins ``name`` to."""
    for line in (ROOT / "requirements-dev.txt").read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"%s==(\S+)" % re.escape(name), line.strip())
        if match:
            return match.group(1)
    raise AssertionError("requirements-dev.txt pins no %s" % name)


def run(command, **kwargs):
    kwargs.setdefault("timeout", 600)
    result = subprocess.run([str(part) for part in command], check=False, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, "%s failed (%d):\n%s%s" % (command, result.returncode, result.stdout, result.stderr)
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    return build_emulator_wheel.build(tmp_path_factory.mktemp("emulator-wheel"))


@pytest.fixture(scope="module")
def tarball(tmp_path_factory, collections_dir):
    dest = tmp_path_factory.mktemp("collection-tarball")
    run([tool("ansible-galaxy"), "collection", "build", "--output-path", dest, collections_dir / "ansible_collections" / "hwcloud" / "tasks"])
    return next(dest.glob("hwcloud-tasks-*.tar.gz"))


@pytest.fixture(scope="module")
def user_venv(tmp_path_factory, wheel, tarball):
    """A fresh virtualenv as the guide's CI job makes it: the wheel, ansible-core, the modules' Python
    requirements, and the collection installed from its tarball."""
    root = tmp_path_factory.mktemp("user-venv")
    venv.EnvBuilder(with_pip=True).create(root / "venv")
    bin_dir = root / "venv" / "bin"
    run([bin_dir / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel,
         "ansible-core==%s" % pinned("ansible-core"), "-r", ROOT / "requirements.txt"])
    collections = root / "collections"
    run([bin_dir / "ansible-galaxy", "collection", "install", "--offline", "-p", collections, tarball], env=user_env(bin_dir, root, collections))
    return {"bin": bin_dir, "root": root, "collections": collections}


def user_env(bin_dir, home, collections, **extra):
    """What a CI job's shell has: that virtualenv first on PATH, and nothing of this test run's environment."""
    env = {"PATH": "%s:/usr/bin:/bin" % bin_dir, "HOME": str(home), "LANG": "C.UTF-8", "ANSIBLE_COLLECTIONS_PATH": str(collections),
           "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0", "ANSIBLE_RETRY_FILES_ENABLED": "0"}
    env.update(extra)
    return env


def env_of(user_venv, **extra):
    return user_env(user_venv["bin"], user_venv["root"], user_venv["collections"], **extra)


def account(scenario):
    """The environment variables that give the modules the scenario's account (as the guide's job sets them)."""
    document = yaml.safe_load(scenario.read_text(encoding="utf-8"))
    return {"HW_PROJECT_ID": document["project_id"], "HW_ACCESS_KEY": document["credentials"]["access_key"],
            "HW_SECRET_KEY": document["credentials"]["secret_key"]}


def test_wheel_carries_the_package_the_example_scenario_and_the_command(wheel):
    assert build_emulator_wheel.check(wheel) == []
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))).decode("utf-8")
    assert "Name: hwcloud-tasks-emulator" in metadata
    requires = [line.split(":", 1)[1].strip().lower() for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert any(r.startswith("aiohttp") for r in requires) and any(r.startswith("pyyaml") for r in requires), requires


def test_installed_command_prints_the_shipped_example_scenario(user_venv):
    result = run([user_venv["bin"] / "hwcloud-emulator", "--print-example-scenario"], env=env_of(user_venv))
    assert result.stdout == (ROOT / "tests" / "emulator" / "scenarios" / "rollout.yml").read_text(encoding="utf-8")


def test_installed_command_refuses_an_invalid_scenario_naming_the_entry(user_venv, tmp_path):
    scenario = tmp_path / "typo.yml"
    scenario.write_text("vias_tasks:\n  - {state: RUNNNING}\n", encoding="utf-8")
    result = subprocess.run([str(user_venv["bin"] / "hwcloud-emulator"), "--scenario", str(scenario), "--port", "0"], check=False, capture_output=True,
                            text=True, timeout=60, env=env_of(user_venv))
    assert result.returncode == 2
    assert "vias_tasks[0].state" in result.stderr


@pytest.mark.parametrize(("scenario", "passes"), [("scenario-pass.yml", True), ("scenario-fail.yml", False)])
def test_the_guides_job_passes_and_fails_the_same_playbook_and_keeps_the_junit_report(user_venv, tmp_path, scenario, passes):
    junit = tmp_path / "reports" / "junit-rollout.xml"
    junit.parent.mkdir()
    env = env_of(user_venv, **account(EXAMPLES / scenario))
    result = subprocess.run(["sh", str(RUNNER), str(EXAMPLES / scenario), str(PLAYBOOK), "-e", "junit_path=%s" % junit],
                            cwd=tmp_path, env=env, check=False, capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert (result.returncode == 0) is passes, output
    assert "emulator listening on http://127.0.0.1:" in output
    suites = ET.parse(junit).getroot()
    assert suites.get("tests") == "3", ET.tostring(suites, encoding="unicode")
    failed = [case.get("name") for case in suites.iter("testcase") if case.find("failure") is not None]
    if passes:
        assert failed == [], output
        assert "all 3 HiLens task(s) running" in output
    else:
        assert len(failed) == 1 and failed[0].startswith("gate-3 "), failed
        assert "reached a forbidden phase (failed)" in output
        assert "gate-3" in output


def test_the_guide_shows_every_example_file_as_it_is():
    guide = GUIDE.read_text(encoding="utf-8")
    shown = {match.group("path"): match.group("text") for match in SHOWN_FILE.finditer(guide)}
    files = sorted("docs/examples/ci/" + path.name for path in EXAMPLES.iterdir() if path.is_file())
    assert sorted(shown) == files
    for path, text in shown.items():
        assert text == (ROOT / path).read_text(encoding="utf-8"), "%s in docs/testing-without-a-cloud.md differs from the file" % path


def test_the_github_actions_job_uses_the_example_files_and_the_pinned_ansible_core():
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    job = workflow["jobs"]["verify"]
    scenarios = [entry["scenario"] for entry in job["strategy"]["matrix"]["include"]]
    assert sorted(scenarios) == ["scenario-fail.yml", "scenario-pass.yml"]
    assert {entry["expect"] for entry in job["strategy"]["matrix"]["include"]} == {"pass", "fail"}
    script = "\n".join(step.get("run", "") for step in job["steps"])
    assert "ansible-core==%s" % pinned("ansible-core") in script
    for name in ("verify-rollout.yml", "hwcloud-emulator --scenario", "ansible-galaxy collection install", "hwcloud_tasks_emulator-"):
        assert name in script, name
    for variable in account(EXAMPLES / "scenario-pass.yml"):
        assert variable in job["env"], variable
    assert account(EXAMPLES / "scenario-pass.yml") == account(EXAMPLES / "scenario-fail.yml")
    assert any(step.get("uses", "").startswith("actions/upload-artifact") and step.get("if") == "always()" for step in job["steps"])
