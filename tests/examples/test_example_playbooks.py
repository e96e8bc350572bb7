"""The playbooks under playbooks/examples/, run as written against the API emulator.

Each gets the account through the environment (HW_PROJECT_ID, HW_ACCESS_KEY,
HW_SECRET_KEY, as AWX would inject it) and the emulator's URL as
``hwcloud_endpoint``. The emulator is first moved into the healthy state each
example verifies, so a passing run means the example's own waits and
assertions passed; a second run of one example on unhealthy data must fail.
"""

from __future__ import annotations

import sys

import pytest

from examples_support import ROOT, play_recap, strip_ansi

EXAMPLES = ROOT / "playbooks" / "examples"


def healthy_hilens(emulator, data):
    emulator.admin("POST", "schedule", {"service": "hilens", "deployment_id": "dep-moving",
                                        "steps": [{"after": 2, "state": "RUNNING"}]})
    return {"hilens_deployment_id": "dep-moving", "hilens_expected_tasks": 10}


def healthy_batches(emulator, data):
    emulator.admin("POST", "schedule", {"service": "vias_batch", "count": data["sizes"]["batch_tasks"],
                                        "steps": [{"after": 0, "state": "running"}]})
    return {"batch_name_like": "gate"}


def finished_imports(emulator, data):
    emulator.admin("POST", "schedule", {"service": "octopus", "count": data["sizes"]["octopus_jobs"],
                                        "steps": [{"after": 0, "state": "FINISHED"}]})
    workspace = next(job["workspace_id"] for job in emulator.state.store.octopus.records
                     if job["job_type"] == "PACKAGE_IMPORT")
    return {"octopus_workspace_id": workspace}


def running_vias_tasks(emulator, data):
    return {"vias_task_ids": ",".join(data["vias_task_ids_by_state"]["RUNNING"][:3])}


CASES = {
    "verify_hilens_rollout.yml": healthy_hilens,
    "gate_vias_batch_tasks.yml": healthy_batches,
    "watch_octopus_imports.yml": finished_imports,
    "awx_verify_vias_tasks.yml": running_vias_tasks,
}


def run_example(run_ansible, emulator, tmp_path, name, extra_vars):
    credentials = emulator.credentials
    env = {"HW_PROJECT_ID": credentials["project_id"], "HW_ACCESS_KEY": credentials["access_key"],
           "HW_SECRET_KEY": credentials["secret_key"], "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    inventory = tmp_path / "inventory.ini"
    # As AWX runs the playbook with its execution environment's Python, not a discovered one.
    inventory.write_text("localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable, encoding="utf-8")
    args = ["-i", inventory, EXAMPLES / name, "-e", "hwcloud_endpoint=%s" % emulator.url]
    for key, value in extra_vars.items():
        args += ["-e", "%s=%s" % (key, value)]
    result = run_ansible("ansible-playbook", *args, env=env, cwd=tmp_path)
    return result, strip_ansi(result.stdout + result.stderr)


def test_every_example_playbook_has_a_case():
    assert sorted(path.name for path in EXAMPLES.glob("*.yml")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_example_playbook_passes_on_a_healthy_account(name, examples_emulator, run_ansible, tmp_path):
    examples_emulator.reset(seed=42)
    extra_vars = CASES[name](examples_emulator, examples_emulator.data)
    result, output = run_example(run_ansible, examples_emulator, tmp_path, name, extra_vars)
    assert result.returncode == 0, output
    recap = play_recap(output)["localhost"]
    assert recap["failed"] == 0 and recap["ok"] > 0, output
    assert examples_emulator.admin("GET", "stats")["api_requests"] > 0


def test_batch_gate_example_fails_when_batches_failed(examples_emulator, run_ansible, tmp_path):
    examples_emulator.reset(seed=42)  # seeded data has failed and stopped tasks among the "gate" batches
    result, output = run_example(run_ansible, examples_emulator, tmp_path, "gate_vias_batch_tasks.yml",
                                 {"batch_name_like": "gate"})
    assert result.returncode != 0, output
    assert play_recap(output)["localhost"]["failed"] == 1, output
