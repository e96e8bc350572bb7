# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The seeded chaos runs behind tests/reliability/test_chaos.py.

Each run is one localhost alias of one ``ansible-playbook`` run, against an emulator of its own that
holds a known truth (a scenario) and answers a seeded share of requests wrongly (chaos mode: 5xx, 429
with and without Retry-After, short pages, lying totals, items of another page, another task's answer,
cut and HTML bodies, slow drips, resets) but never lies about the state of an item it serves.

Every host waits with each of the five modules for its selection to run, then calls the role
``assert_task_states`` on its VIAS tasks, each call under its own timeout, and leaves what it saw:
the verdicts, the messages, and the wall time of every call.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from pathlib import Path

import yaml

from reliability_support import COLLECTION, GROUP, PlaybookRun, connection, find_tool, strip_ansi
from hwcloud_emulator import start_emulator

TRUTHS = ("running", "failed", "pending")
SEEDS = tuple(range(1, 6))
SHARE = 0.25
WAIT_TIMEOUT = 12
ROLE_TIMEOUT = 12
REQUEST_TIMEOUT = 5
FORKS = 8

VAS_SERVICE = "c-queue-status-analysis-edge"
# One item of each selection is the odd one out (failed, or pending for ever); the rest run.
VIAS_IDS = ["%032x" % (0xC4A05000 + i) for i in range(3)]
VAS_IDS = ["%032x" % (0xC4A05100 + i) for i in range(3)]
# More items than one page of each list API (100 HiLens tasks, 100 Octopus jobs, 200 batch tasks).
LIST_SIZES = {"hilens": 150, "octopus": 150, "vias_batch": 250}
ODD_STATES = {
    "failed": {"hilens": ["FAILED"], "vias": "START_FAILED", "vas": "FAILED", "octopus": "RUN_FAILED", "vias_batch": {"running": 1, "failed": 1}},
    "pending": {"hilens": ["PENDING"], "vias": "PENDING", "vas": "PENDING", "octopus": "QUEUING", "vias_batch": {"pending": 2}},
}
MODULE_CALLS = {
    "hilens_task_info": {"deployment_id": "dep-chaos"},
    "vias_task_info": {"task_ids": VIAS_IDS},
    "vas_task_info": {"task_ids": VAS_IDS, "service_name": VAS_SERVICE},
    "octopus_system_job_info": {},
    "vias_batch_task_info": {},
}


def scenario(truth, seed):
    """The cloud of one run: every selection running, but for one odd item when ``truth`` says so."""
    odd = ODD_STATES.get(truth)

    def pick(service, running):
        return [running, odd[service]] if odd else [running, running]

    hilens_ok, hilens_odd = pick("hilens", ["RUNNING"])
    vias_ok, vias_odd = pick("vias", "RUNNING")
    vas_ok, vas_odd = pick("vas", "RUNNING")
    octopus_ok, octopus_odd = pick("octopus", "RUNNING")
    batch_ok, batch_odd = pick("vias_batch", {"running": 2})
    return {
        "version": 1,
        "description": "chaos run: truth %s, seed %d" % (truth, seed),
        "seed": seed,
        "hilens_deployments": [{"id": "dep-chaos", "tasks": [
            {"name": "gate", "pods": hilens_ok, "count": LIST_SIZES["hilens"] - 1},
            {"name": "gate-odd", "pods": hilens_odd}]}],
        "vias_tasks": [{"id": VIAS_IDS[0], "state": vias_odd}] + [{"id": task_id, "state": vias_ok} for task_id in VIAS_IDS[1:]],
        "vas_tasks": [{"id": VAS_IDS[0], "state": vas_odd}] + [{"id": task_id, "state": vas_ok} for task_id in VAS_IDS[1:]],
        "octopus_jobs": [{"state": octopus_ok, "count": LIST_SIZES["octopus"] - 1}, {"state": octopus_odd}],
        "batch_tasks": [{"name": "batch", "counts": batch_ok, "count": LIST_SIZES["vias_batch"] - 1},
                        {"name": "batch-odd", "counts": batch_odd}],
        "chaos": {"seed": seed, "share": SHARE},
    }


def timed(name, task):
    """``task`` with the wall time of its call kept in ``seconds_<name>`` (the verdict is not changed)."""
    return [
        {"name": "Note when %s starts" % name, "ansible.builtin.set_fact": {"started_%s" % name: "{{ now().timestamp() }}"}},
        task,
        {"name": "Note how long %s took" % name, "ansible.builtin.set_fact": {
            "seconds_%s" % name: "{{ now().timestamp() - (started_%s | float) }}" % name}},
    ]


def playbook():
    tasks = []
    for module, args in MODULE_CALLS.items():
        call = dict(args, wait_for=["running"], wait_timeout=WAIT_TIMEOUT, wait_sleep=1, timeout=REQUEST_TIMEOUT)
        tasks += timed(module, {"name": "Wait with %s" % module, "%s.%s" % (COLLECTION, module): call,
                                "register": "r_" + module, "ignore_errors": True})
    role = {"name": "The role", "block": [{"name": "Run assert_task_states", "ansible.builtin.include_role": {
        "name": COLLECTION + ".assert_task_states"}}], "rescue": [{"name": "Keep the role's failure", "ansible.builtin.set_fact": {
            "role_failure": "{{ ansible_failed_result }}"}}]}
    tasks += timed("role", role)
    left = {
        "modules": "{{ {%s} }}" % ", ".join("'%s': r_%s" % (module, module) for module in MODULE_CALLS),
        "seconds": "{{ {%s} }}" % ", ".join("'%s': seconds_%s | float" % (name, name) for name in list(MODULE_CALLS) + ["role"]),
        "role": {"result": "{{ assert_task_states_result | default(None) }}", "failure": "{{ role_failure | default(None) }}"},
    }
    tasks.append({"name": "Leave what the run saw", "ansible.builtin.copy": {
        "content": "{{ left | to_json }}", "dest": "{{ playbook_dir }}/chaos_{{ inventory_hostname }}.json", "mode": "0600"},
        "vars": {"left": left}})
    return [{"name": "chaos", "hosts": "all", "gather_facts": False, "strategy": "free",
             "module_defaults": {GROUP: "{{ hwcloud_connection }}"}, "tasks": tasks}]


class ChaosRun:
    """One host's run: the truth, the seed, what every call returned, and the emulator's chaos counters."""

    def __init__(self, host, truth, seed, left, chaos):
        self.host = host
        self.truth = truth
        self.seed = seed
        self.modules = left.get("modules") or {}
        self.seconds = left.get("seconds") or {}
        self.role = left.get("role") or {}
        self.chaos = chaos

    def verdicts(self):
        """(call, green, result) of the six calls: green means the call said every item reached running."""
        for module, result in sorted(self.modules.items()):
            green = bool(result) and not result.get("failed") and bool((result.get("wait") or {}).get("succeeded"))
            yield module, green, result
        failure = self.role.get("failure")
        result = self.role.get("result") or {}
        yield "assert_task_states", not failure and bool(result.get("succeeded")), failure or result


def run(env, workdir, truths=TRUTHS, seeds=SEEDS, extra_env=None):
    """Every (truth, seed) as one host of one playbook run; returns (PlaybookRun, [ChaosRun])."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        emulators, inventory = {}, {"all": {"hosts": {}}}
        for truth in truths:
            for seed in seeds:
                host = "chaos_%s_%d" % (truth, seed)
                emulator = emulators[host] = stack.enter_context(start_emulator(scenario=scenario(truth, seed)))
                inventory["all"]["hosts"][host] = {
                    "ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                    "hwcloud_connection": connection(emulator),
                    "assert_task_states_service": "vias",
                    "assert_task_states_task_ids": VIAS_IDS,
                    "assert_task_states_timeout": ROLE_TIMEOUT,
                    "assert_task_states_poll_interval": 1,
                    "assert_task_states_connection": connection(emulator, timeout=REQUEST_TIMEOUT),
                }
        (workdir / "inventory.yml").write_text(yaml.safe_dump(inventory, sort_keys=False), encoding="utf-8")
        (workdir / "playbook.yml").write_text(yaml.safe_dump(playbook(), sort_keys=False), encoding="utf-8")
        merged = dict(env, ANSIBLE_FORKS=str(FORKS), **(extra_env or {}))
        completed = subprocess.run([find_tool("ansible-playbook"), "-i", "inventory.yml", "playbook.yml"], env=merged,
                                   cwd=str(workdir), capture_output=True, text=True, timeout=1200, check=False)
        chaos = dict((host, emulator.admin("GET", "chaos")) for host, emulator in emulators.items())
    output = strip_ansi(completed.stdout + "\n" + completed.stderr)
    playbook_run = PlaybookRun(completed.returncode, output, {}, 0, workdir)
    runs = []
    for host, counters in chaos.items():
        path = workdir / ("chaos_%s.json" % host)
        left = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        _prefix, truth, seed = host.split("_")
        runs.append(ChaosRun(host, truth, int(seed), left, counters))
    return playbook_run, runs
