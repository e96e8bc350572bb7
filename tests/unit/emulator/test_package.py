"""The emulator as an installable package: build the wheel, install it into a fresh
virtualenv, run ``hwcloud-emulator --scenario`` from outside the repository.

Slow (a venv and a pip install from the configured index: tens of seconds).
"""

import ast
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import requests

EMULATOR_DIR = Path(__file__).resolve().parent.parent.parent / "emulator"
ROLLOUT = EMULATOR_DIR / "scenarios" / "rollout.yml"


def run(*command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False, **kwargs)
    assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def clean_env():
    """No PYTHONPATH: the installed package, not the source tree, must be found."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}


def test_sources_parse_as_python_3_9():
    for path in sorted((EMULATOR_DIR / "hwcloud_emulator").rglob("*.py")):
        ast.parse(path.read_text(encoding="utf-8"), str(path), feature_version=(3, 9))


def test_wheel_installs_into_a_fresh_venv_and_serves_a_scenario(tmp_path):
    wheels, venv, work = tmp_path / "wheels", tmp_path / "venv", tmp_path / "work"
    work.mkdir()
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(EMULATOR_DIR))
    (wheel,) = wheels.glob("hwcloud_tasks_emulator-1.0.0-py3-none-any.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "hwcloud_emulator/scenarios/rollout.yml" in names and "hwcloud_emulator/data/tasks.py" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    metadata = zipfile.ZipFile(wheel).read("hwcloud_tasks_emulator-1.0.0.dist-info/METADATA").decode()
    for line in ("Name: hwcloud-tasks-emulator", "Requires-Python: >=3.9", "Requires-Dist: aiohttp",
                 "Requires-Dist: pyyaml", "License-Expression: GPL-3.0-or-later", "Provides-Extra: https"):
        assert line.lower() in metadata.lower(), line

    env = clean_env()
    run(sys.executable, "-m", "venv", str(venv), env=env)
    python, command = venv / "bin" / "python", venv / "bin" / "hwcloud-emulator"
    run(str(python), "-m", "pip", "install", "--quiet", "aiohttp", "PyYAML", env=env)
    run(str(python), "-m", "pip", "install", "--quiet", "--no-index", "--find-links", str(wheels),
        "hwcloud-tasks-emulator", env=env)
    location = run(str(python), "-c", "import hwcloud_emulator; print(hwcloud_emulator.__file__)", cwd=work, env=env)
    assert str(venv) in location and str(EMULATOR_DIR) not in location

    example = run(str(command), "--print-example-scenario", cwd=work, env=env)
    assert example == ROLLOUT.read_text(encoding="utf-8")
    scenario = work / "cloud.yml"
    scenario.write_text(example, encoding="utf-8")
    port_file = work / "url"
    proc = subprocess.Popen([str(command), "--scenario", str(scenario), "--port-file", str(port_file)],
                            cwd=work, env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not port_file.exists():
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        url = port_file.read_text()
        data = requests.get(url + "/_emulator/data", timeout=10).json()
        task_id = data["scenario_ids"]["vias"][1]
        task = requests.get(f"{url}/v2/{data['project_id']}/tasks/{task_id}", timeout=10,
                            headers={"X-Auth-Token": data["credentials"]["static_token"]}).json()
        assert task["id"] == task_id and task["name"] == "helmet-detect-gate-2"
        assert task["state"] in ("PENDING", "STARTING", "RUNNING")
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
        proc.stderr.close()
    shutil.rmtree(venv, ignore_errors=True)
