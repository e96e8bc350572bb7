# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The seeded rollouts behind tests/reliability/test_churn.py.

A rollout is a scenario whose lists (a HiLens deployment's tasks, a VAS service's tasks, the Octopus system jobs,
the VIAS batch tasks, and a second HiLens deployment, alike, for the role) move while they are read: the emulator's
churn rules delete running items and insert new running ones between pages, and may answer a read's first page
last. Items that are failed or pending are never deleted, so a reader that misses one has misread the list:

- ``issue``: the case of issue 17. Right after the first page is served, item 5 is deleted and a running item
  appended (the count stays); the failed item is the first of page 2, which now starts one item later.
- ``out_of_order``: an item pending for ever is the last but one of page 1; page 1 is held back so that page 2 is
  answered first, then a running item is inserted at the front and one deleted past page 1, twice: a first read that
  asks for page 1 alone meets the first step only after it (the pending item is now the last of page 1), the next
  one, asking for both pages at once, meets the second between them (page 2 was served before the item moved onto
  it, page 1 after it left).
- ``seeded-N``: random steps (1-2 deletions and insertions, count kept or changed, front, middle, end or anywhere)
  after a share of the page responses, bounded in number, with failed and pending items near a page boundary.

Each rollout also runs in ``truth`` mode (the same steps, every item running): a green verdict there is true.
"""

from __future__ import annotations

import contextlib
import json
import random
import subprocess
import sys
from pathlib import Path

import yaml

from chaos_support import ChaosRun, timed
from reliability_support import COLLECTION, GROUP, PlaybookRun, connection, find_tool, strip_ansi
from hwcloud_emulator import start_emulator

DEPLOYMENT = "dep-rollout"
# The role verifies a deployment of its own, alike and moved alike, so that its reads meet the rollout afresh.
ROLE_DEPLOYMENT = "dep-rollout-role"
VAS_SERVICE = "c-rollout"
WAIT_TIMEOUT = 5
WAIT_SLEEP = 1
# The role keeps a tenth of its timeout for its verdict and reports: 12 s as in the chaos runs, so that its own steps
# fit in that tenth plus one poll interval on two busy cores.
ROLE_TIMEOUT = 12
ROLE_POLL = 1
REQUEST_TIMEOUT = 5
FORKS = 10
# The most records a page holds as each module reads (VIAS batch pages by page_size, up to 200), and list sizes of
# two such pages: the boundary between them is where a moved list loses an item.
PAGE = {"hilens": 100, "vas": 100, "octopus": 100, "vias_batch": 200}
SIZE = {service: 2 * page for service, page in PAGE.items()}
ROUTE = {"hilens": "hilens_tasks", "vas": "vas_tasks", "octopus": "octopus_jobs", "vias_batch": "vias_batch_tasks"}
STATES = {
    "running": {"hilens": ["RUNNING"], "vas": "RUNNING", "octopus": "RUNNING", "vias_batch": {"running": 1}},
    "failed": {"hilens": ["FAILED"], "vas": "FAILED", "octopus": "RUN_FAILED", "vias_batch": {"failed": 1}},
    "pending": {"hilens": ["PENDING"], "vas": "PENDING", "octopus": "QUEUING", "vias_batch": {"pending": 1}},
}
# Newest first (VAS, Octopus and batch lists): item i of the list was created i seconds before this.
NEWEST_MS = 1_733_000_000_000
MODULE_CALLS = {
    "hilens_task_info": {"deployment_id": DEPLOYMENT},
    "vas_task_info": {"service_name": VAS_SERVICE},
    "octopus_system_job_info": {},
    "vias_batch_task_info": {},
}
ROLLOUTS = ("issue", "out_of_order", "seeded-1", "seeded-2", "seeded-3")
MODES = ("faithful", "truth")


def plan(rollout):
    """({position: odd state} and the churn rule's settings, per service) of one rollout."""
    plans = {}
    for service, page in PAGE.items():
        if rollout == "issue":
            plans[service] = ({page: "failed"}, {"trigger": "first_page", "delete_at": [5], "insert": 1, "where": "end", "times": 1})
        elif rollout == "out_of_order":
            plans[service] = ({page - 2: "pending"}, {"trigger": "later_pages", "delay_first_page_ms": 300, "delete_at": [page + page // 2],
                                                      "insert": 1, "where": "front", "times": 2})
        else:
            seed = int(rollout.split("-")[1])
            rng = random.Random("%s:%s" % (rollout, service))
            odd = {page + rng.randint(-3, 2): ("failed", "pending", "failed")[seed % 3]}
            if seed == 3:
                odd[page // 2 + rng.randint(-2, 2)] = "pending"
            delete = rng.randint(0, 2)
            plans[service] = (odd, {"trigger": "every_page", "share": 0.6, "times": 4, "seed": seed, "delete": delete,
                                    "insert": rng.randint(1 if not delete else 0, 2), "where": rng.choice(["front", "middle", "end", "random"]),
                                    "delay_first_page_ms": rng.choice([0, 200])})
    return plans


def _items(service, odd):
    items = []
    for position in range(SIZE[service]):
        state = STATES[odd.get(position, "running")][service]
        name = "item-%03d" % position
        if service == "hilens":
            items.append({"name": name, "pods": state})
            continue
        item = {"created_at": NEWEST_MS - 1000 * position}
        if service == "vias_batch":
            item.update(name=name, counts=state)
        elif service == "vas":
            item.update(name=name, state=state, service=VAS_SERVICE)
        else:
            item.update(state=state)
        items.append(item)
    return items


def scenario(rollout, mode):
    """The cloud of one rollout: four lists, their odd items, and the churn that moves them."""
    plans = plan(rollout)
    churn = []
    for service, (_odd, rule) in plans.items():
        targets = [{"deployment_id": DEPLOYMENT}, {"deployment_id": ROLE_DEPLOYMENT}] if service == "hilens" else [
            {"service": VAS_SERVICE} if service == "vas" else {}]
        churn += [dict(rule, route=ROUTE[service], truth=mode == "truth", **target) for target in targets]
    return {
        "version": 1,
        "description": "rollout %s (%s)" % (rollout, mode),
        "seed": 17,
        "hilens_deployments": [{"id": deployment, "tasks": _items("hilens", plans["hilens"][0])}
                               for deployment in (DEPLOYMENT, ROLE_DEPLOYMENT)],
        "vas_tasks": _items("vas", plans["vas"][0]),
        "octopus_jobs": _items("octopus", plans["octopus"][0]),
        "batch_tasks": _items("vias_batch", plans["vias_batch"][0]),
        "churn": churn,
    }


def playbook():
    tasks = []
    for module, args in MODULE_CALLS.items():
        call = dict(args, wait_for=["running"], fail_on=["failed"], wait_timeout=WAIT_TIMEOUT, wait_sleep=WAIT_SLEEP,
                    timeout=REQUEST_TIMEOUT)
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
        "content": "{{ left | to_json }}", "dest": "{{ playbook_dir }}/churn_{{ inventory_hostname }}.json", "mode": "0600"},
        "vars": {"left": left}})
    return [{"name": "churn", "hosts": "all", "gather_facts": False, "strategy": "free",
             "module_defaults": {GROUP: "{{ hwcloud_connection }}"}, "tasks": tasks}]


class ChurnRun(ChaosRun):
    """One host's rollout: what every call returned (``verdicts()``), and what the churn rules did."""

    def __init__(self, host, path, rollout, mode, left, churn):
        super().__init__(host, mode, 0, left, churn)
        self.path = path
        self.rollout = rollout
        self.mode = mode
        self.rules = churn.get("rules") or []


def host_name(rollout, mode):
    return "%s_%s" % (rollout.replace("-", "_"), mode)


def run(env, workdir, path, rollouts=ROLLOUTS, modes=MODES):
    """Every (rollout, mode) as one host of one playbook run in one execution path; returns (PlaybookRun, [ChurnRun])."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    hosts = dict((host_name(rollout, mode), (rollout, mode)) for rollout in rollouts for mode in modes)
    emulators, inventory, churn = {}, {"all": {"hosts": {}}}, {}
    with contextlib.ExitStack() as stack:
        for host, (rollout, mode) in hosts.items():
            emulator = emulators[host] = stack.enter_context(start_emulator(scenario=scenario(rollout, mode)))
            inventory["all"]["hosts"][host] = {
                "ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                "hwcloud_connection": connection(emulator),
                "assert_task_states_service": "hilens",
                "assert_task_states_deployment_id": ROLE_DEPLOYMENT,
                "assert_task_states_fail_on": ["failed"],
                "assert_task_states_timeout": ROLE_TIMEOUT,
                "assert_task_states_poll_interval": ROLE_POLL,
                "assert_task_states_connection": connection(emulator, timeout=REQUEST_TIMEOUT),
            }
        (workdir / "inventory.yml").write_text(yaml.safe_dump(inventory, sort_keys=False), encoding="utf-8")
        (workdir / "playbook.yml").write_text(yaml.safe_dump(playbook(), sort_keys=False), encoding="utf-8")
        completed = subprocess.run([find_tool("ansible-playbook"), "-i", "inventory.yml", "playbook.yml"],
                                   env=dict(env, ANSIBLE_FORKS=str(FORKS)), cwd=str(workdir), capture_output=True, text=True,
                                   timeout=600, check=False)
        for host, emulator in emulators.items():
            churn[host] = emulator.admin("GET", "churn")
    output = strip_ansi(completed.stdout + "\n" + completed.stderr)
    runs = []
    for host, (rollout, mode) in hosts.items():
        left_file = workdir / ("churn_%s.json" % host)
        left = json.loads(left_file.read_text(encoding="utf-8")) if left_file.is_file() else {}
        runs.append(ChurnRun(host, path, rollout, mode, left, churn[host]))
    return PlaybookRun(completed.returncode, output, {}, 0, workdir), runs
