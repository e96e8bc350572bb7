"""meta/runtime.yml's action group must name every info module, so module_defaults of the connection reach them all.

report_file, which writes a report and takes no connection options, stays out of the group."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def module_names():
    return sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("*.py") if path.stem != "__init__")


def info_module_names():
    return [name for name in module_names() if name.endswith("_info")]


def test_action_group_lists_every_info_module_and_nothing_else():
    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())
    assert sorted(runtime["action_groups"]["hwcloud"]) == info_module_names()
    assert module_names() == sorted(info_module_names() + ["report_file"])


def test_the_five_info_modules_exist():
    assert info_module_names() == [
        "hilens_task_info",
        "octopus_system_job_info",
        "vas_task_info",
        "vias_batch_task_info",
        "vias_task_info",
    ]


def test_supported_ansible_is_declared():
    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())
    assert runtime["requires_ansible"] == ">=2.16.0"
