"""meta/runtime.yml's action group must name every module, so module_defaults reach them all."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def module_names():
    return sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("*.py") if path.stem != "__init__")


def test_action_group_lists_every_module_and_nothing_else():
    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())
    assert sorted(runtime["action_groups"]["hwcloud"]) == module_names()


def test_the_five_info_modules_exist():
    assert module_names() == [
        "hilens_task_info",
        "octopus_system_job_info",
        "vas_task_info",
        "vias_batch_task_info",
        "vias_task_info",
    ]


def test_supported_ansible_is_declared():
    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())
    assert runtime["requires_ansible"] == ">=2.16.0"
