"""A sixth service from the files docs/adding-a-service.md names, and nothing else: its module, the role and the
event source then work against the emulator, in both execution paths."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import subprocess
import sys
import textwrap
import urllib.request

import pytest

from release_support import ROOT, tool

TOY = ROOT / "tests" / "release" / "toy_service"
GUIDE = ROOT / "docs" / "adding-a-service.md"
# The most files outside tests/ and generated output that a new service may need (the goal).
MOST_FILES = 8
PLAYBOOK = """\
- name: The toy service, added from the guide's files
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  module_defaults:
    group/hwcloud.tasks.hwcloud:
      endpoint: "{{ toy_url }}"
      project_id: "{{ toy_project }}"
      auth_token: "{{ toy_token }}"
  tasks:
    - name: Read every toy task
      hwcloud.tasks.toy_task_info:
      register: toys

    - name: Wait until they run; toy-007 failed
      hwcloud.tasks.toy_task_info:
        wait_for: [running]
        wait_timeout: 10
      register: waited
      ignore_errors: true

    - name: Verify them with the role
      block:
        - name: Assert the toy tasks run
          ansible.builtin.include_role:
            name: hwcloud.tasks.assert_task_states
          vars:
            assert_task_states_service: toy
            assert_task_states_timeout: 10
            assert_task_states_connection: {endpoint: "{{ toy_url }}", project_id: "{{ toy_project }}", auth_token: "{{ toy_token }}"}
      rescue:
        - name: Keep the role's verdict
          ansible.builtin.set_fact:
            verdict: "{{ assert_task_states_result }}"

    - name: Write what the three calls saw
      ansible.builtin.copy:
        dest: "{{ toy_out }}"
        content: "{{ {'toys': toys, 'waited': waited, 'verdict': verdict | default(none)} | to_json }}"
        mode: "0600"
"""


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree(root):
    return dict((path.relative_to(root).as_posix(), digest(path)) for path in root.rglob("*")
                if path.is_file() and ".git" not in path.relative_to(root).parts and "__pycache__" not in path.parts)


def guide_files(service, module):
    """The files the guide's numbered list names, for ``service`` and its ``module``."""
    listed = re.findall(r"^\d+\. `([^`]+)`", GUIDE.read_text(encoding="utf-8"), re.M)
    return [path.replace("<service>", service).replace("<module>", module) for path in listed]


def add_toy_service(view):
    for source in (TOY / "new").rglob("*.txt"):
        target = view / source.relative_to(TOY / "new").with_suffix("")
        target.parent.mkdir(parents=True, exist_ok=True)
        # A module starts with its interpreter line, which the fragment leaves out (ansible-test's shebang check).
        shebang = "#!/usr/bin/python\n" if target.parent.name == "modules" else ""
        target.write_text(shebang + source.read_text(encoding="utf-8"), encoding="utf-8")
    for source in (TOY / "append").glob("*.txt"):
        target = view / source.name[:-len(".txt")].replace("__", "/")
        target.write_text(target.read_text(encoding="utf-8").rstrip("\n") + "\n" + source.read_text(encoding="utf-8"), encoding="utf-8")


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def toy_collection(tmp_path_factory):
    """(collections root, files the toy service changed outside tests/ and generated output, files generated)."""
    root = tmp_path_factory.mktemp("toy") / "collections"
    subprocess.run([sys.executable, str(ROOT / "tools" / "sync_view.py"), str(root)], check=True, capture_output=True)
    view = root / "ansible_collections" / "hwcloud" / "tasks"
    before = tree(view)
    add_toy_service(view)
    by_hand = tree(view)
    generated = subprocess.run([sys.executable, str(view / "tools" / "sync_registry.py"), "--root", str(view)],
                               check=True, capture_output=True, text=True).stdout
    touched = sorted(path for path, sha in by_hand.items() if before.get(path) != sha and not path.startswith("tests/"))
    return root, touched, re.findall(r"^wrote (\S+)$", generated, re.M)


def test_a_new_service_touches_only_the_files_the_guide_names(toy_collection):
    _root, touched, generated = toy_collection
    named = guide_files("toy", "toy_task_info")
    assert len([path for path in named if not path.startswith("tests/")]) <= MOST_FILES
    assert touched == sorted(path for path in named if not path.startswith("tests/"))
    # What the registry tool wrote for it: the role's call file and every enumeration of services.
    assert "roles/gather_task_facts/tasks/call_toy.yml" in generated
    assert "plugins/filter/junit_report.py" in generated and "extensions/eda/plugins/event_source/task_events.py" in generated


@pytest.mark.parametrize("in_process", [True, False], ids=["in-process", "shipped-module"])
def test_the_new_service_works_in_its_module_the_role_and_the_event_source(toy_collection, tmp_path, in_process):
    root, _touched, _generated = toy_collection
    view = root / "ansible_collections" / "hwcloud" / "tasks"
    emulator = load(view / "tools" / "with_emulator.py", "toy_with_emulator")
    process, url = emulator.start_emulator(["--tasks", "10"], str(tmp_path))
    try:
        with urllib.request.urlopen(url + "/_emulator/data", timeout=10) as answer:
            data = json.load(answer)
        facts = {"toy_url": url, "toy_project": data["project_id"], "toy_token": data["credentials"]["static_token"],
                 "toy_out": str(tmp_path / "seen.json"), "hwcloud_tasks_in_process": in_process}
        (tmp_path / "toy.yml").write_text(PLAYBOOK, encoding="utf-8")
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(root), ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="0",
                   ANSIBLE_INVENTORY_UNPARSED_WARNING="0")
        run = subprocess.run([tool("ansible-playbook"), "-i", "localhost,", str(tmp_path / "toy.yml"), "-e", json.dumps(facts)],
                             env=env, capture_output=True, text=True, timeout=300, check=False)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
        seen = json.loads((tmp_path / "seen.json").read_text(encoding="utf-8"))

        watch = {"service": "toy", "endpoint": url, "project_id": data["project_id"], "auth_token": data["credentials"]["static_token"],
                 "initial_state": True, "max_polls": 1, "interval": 0.1}
        source = subprocess.run([sys.executable, str(view / "extensions" / "eda" / "plugins" / "event_source" / "task_events.py"),
                                 json.dumps(watch)], env=dict(env, PYTHONPATH=str(root)), capture_output=True, text=True, timeout=120,
                                check=False)
    finally:
        process.terminate()
        process.wait(timeout=10)

    toys = seen["toys"]
    assert (toys["total"], len(toys["tasks"]), toys["complete"], toys["pages"]) == (150, 150, True, 2)
    assert [task["id"] for task in toys["tasks"] if task["phase"] == "failed"] == ["toy-007"]
    waited = seen["waited"]["wait"]
    assert waited["reason"] == "forbidden" and [offender["id"] for offender in waited["offenders"]] == ["toy-007"]
    verdict = seen["verdict"]
    assert verdict["service"] == "toy" and verdict["reason"] == "forbidden"
    assert [offender["id"] for offender in verdict["offenders"]] == ["toy-007"]

    assert source.returncode == 0, source.stderr[-2000:]
    events = [json.loads(line)["hwcloud_task_event"] for line in source.stdout.splitlines() if line.startswith("{")]
    assert len(events) == 150 and {event["type"] for event in events} == {"initial"}
    assert [event["id"] for event in events if event["new_phase"] == "failed"] == ["toy-007"]
    assert data["credentials"]["static_token"] not in source.stdout + source.stderr + run.stdout + run.stderr


def test_the_toy_fragments_stay_out_of_the_collection():
    # Every fragment ends in .txt, so that no linter nor the build takes it for a file of the collection.
    assert sorted(path.suffix for path in TOY.rglob("*") if path.is_file() and path.name != "README.md") == [".txt"] * 8
    assert textwrap.dedent(GUIDE.read_text(encoding="utf-8")).count("tests/release/test_adding_a_service.py") == 1
