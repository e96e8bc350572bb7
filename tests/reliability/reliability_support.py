# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers of the reliability tests: real ``ansible-playbook`` runs against in-process emulators.

A module name of its own (not ``conftest``), so that test modules can import it
and it never collides with another test tree's helpers when several run at once.

One run = one playbook on localhost (local connection) whose module calls all
``register`` and ``ignore_errors``; its last task writes every registered result
to ``results.json`` with ``ansible.builtin.copy`` so that tests assert on the
results as the playbook saw them, and on the whole stdout/stderr of the run.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
EMULATOR_DIR = ROOT / "tests" / "emulator"
for _path in (EMULATOR_DIR, ROOT / "tests" / "support"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

# pylint: disable=wrong-import-position
from ansible_env_support import NAME, NAMESPACE, collections_root_from_env, strip_ansi, venv_tool  # noqa: E402
from ansible_env_support import EXECUTION_PATHS  # noqa: E402,F401  pylint: disable=unused-import  # for the test modules
from ansible_env_support import ansible_environment as clean_ansible_environment  # noqa: E402

COLLECTION = NAMESPACE + "." + NAME
GROUP = "group/%s.hwcloud" % COLLECTION
# Where the tests write what a human reads afterwards (ignored by git, kept by sync_view).
OUTPUT_DIR = ROOT / "tests" / "output" / "reliability"

RUN_TIMEOUT = 240
# What ansible-core 2.19 registers for a failure: no traceback captured, or a module that raised.
NO_TRACEBACK = "(traceback unavailable)"
CRASH_PREFIX = "Task failed: Module failed:"

# The five modules, the emulator route each one reads, and the key of its items in the result.
MODULES = ("hilens_task_info", "vias_task_info", "vas_task_info", "octopus_system_job_info", "vias_batch_task_info")
ROUTES = {
    "hilens_task_info": "hilens_tasks",
    "vias_task_info": "vias_task",
    "vas_task_info": "vas_task",
    "octopus_system_job_info": "octopus_jobs",
    "vias_batch_task_info": "vias_batch_tasks",
    # vas_task_info without task ids: the list of a service's tasks (a row of its own in the fault matrix).
    "vas_task_list": "vas_tasks",
}
LIST_MODULES = ("hilens_task_info", "octopus_system_job_info", "vias_batch_task_info")
ITEMS_KEY = {"hilens_task_info": "tasks", "octopus_system_job_info": "jobs", "vias_batch_task_info": "batch_tasks", "vas_task_list": "tasks"}
ID_FIELD = {"hilens_task_info": "task_id", "octopus_system_job_info": "id", "vias_batch_task_info": "id", "vas_task_list": "id"}
TOTAL_KEY = {"hilens_task_info": "count", "octopus_system_job_info": "total", "vias_batch_task_info": "count", "vas_task_list": "total"}
# The emulator's error code prefix of each module's service (tests/emulator/hwcloud_emulator/errors.py).
SERVICE_PREFIX = {
    "hilens_task_info": "HiLens",
    "vias_task_info": "VIAS",
    "vas_task_info": "IVA",
    "octopus_system_job_info": "Octopus",
    "vias_batch_task_info": "VIAS",
    "vas_task_list": "IVA",
}


def collections_root():
    """The collections root ansible loads hwcloud.tasks from: ANSIBLE_COLLECTIONS_PATH, else the
    root above this tree when it already sits at ansible_collections/hwcloud/tasks."""
    root = collections_root_from_env()
    if root is not None:
        return root
    if ROOT.parent.name == NAMESPACE and ROOT.parent.parent.name == "ansible_collections" and ROOT.name == NAME:
        return ROOT.parents[2]
    return None


def find_tool(name):
    """The ansible tool next to this Python (the venv), else the one on PATH."""
    from shutil import which  # pylint: disable=import-outside-toplevel

    return venv_tool(name) or which(name) or name


def ansible_environment(root, home):
    """Environment of every ansible-playbook run: this collection only, no colour, no stray credentials,
    no deprecation warnings in the output the tests read, and pipelining as most deployments use it."""
    return clean_ansible_environment(root, home, ANSIBLE_DEPRECATION_WARNINGS="0", ANSIBLE_PIPELINING="1")


def connection(emulator, auth="aksk", **options):
    """Module options that point a module at ``emulator`` with one kind of credentials."""
    creds = emulator.credentials
    values = dict(endpoint=emulator.url, project_id=creds["project_id"])
    if auth == "aksk":
        values.update(access_key=creds["access_key"], secret_key=creds["secret_key"])
    elif auth == "sts":
        values.update(access_key=creds["access_key"], secret_key=creds["secret_key"], security_token=creds["security_token"])
    elif auth == "token":
        values.update(auth_token=creds["static_token"])
    elif auth == "password":
        values.update(
            user_name=creds["user_name"], password=creds["password"], domain_name=creds["domain_name"], iam_endpoint=emulator.url
        )
    elif auth is not None:
        raise ValueError("unknown auth %r" % auth)
    values.update(options)
    return values


class Call:
    """One task of a playbook: ``module`` (short name or FQCN) with ``args``, registered as ``key``."""

    def __init__(self, key, module, args=None, **task):
        if not re.match(r"^[a-z][a-z0-9_]*\Z", key):
            raise ValueError("a call key must be a Jinja identifier: %r" % key)
        self.key = key
        self.module = module if "." in module else "%s.%s" % (COLLECTION, module)
        self.args = dict(args or {})
        self.task = task

    def as_task(self):
        task = {"name": "call %s" % self.key, self.module: self.args, "register": "r_" + self.key, "ignore_errors": True}
        task.update(self.task)
        return task


class PlaybookRun:
    """What one ``ansible-playbook`` run left: exit code, whole output, registered results, seconds."""

    def __init__(self, returncode, output, results, seconds, workdir):
        self.returncode = returncode
        self.output = output
        self.results = results
        self.seconds = seconds
        self.workdir = workdir

    def __getitem__(self, key):
        if key not in self.results:
            raise KeyError("no result %r; the run printed:\n%s" % (key, self.output[-6000:]))
        return self.results[key]

    def describe(self, key):
        """A result (long lists cut to their first items) and the end of the output, for assertion messages."""
        result = self.results.get(key)
        if isinstance(result, dict):
            result = dict((name, value[:3] + ["... %d in all" % len(value)] if isinstance(value, list) and len(value) > 3 else value)
                          for name, value in result.items())
        return "result %s: %s\n--- output (end) ---\n%s" % (key, json.dumps(result, indent=1)[:4000], self.output[-3000:])


def playbook_document(calls, module_defaults=None, play_vars=None, pre_tasks=None, results_file="results.json"):
    """The playbook: the calls in order, then one task writing every registered result as JSON."""
    content = "{{ {%s} | to_json }}" % ", ".join("'%s': r_%s | default(None)" % (call.key, call.key) for call in calls)
    tasks = list(pre_tasks or []) + [call.as_task() for call in calls]
    tasks.append({
        "name": "Write the registered results",
        "ansible.builtin.copy": {"content": content, "dest": "{{ playbook_dir }}/%s" % results_file, "mode": "0600"},
    })
    play = {
        "name": "reliability",
        "hosts": "localhost",
        "gather_facts": False,
        "vars": dict({"ansible_python_interpreter": "{{ ansible_playbook_python }}"}, **(play_vars or {})),
        "tasks": tasks,
    }
    if module_defaults:
        play["module_defaults"] = {GROUP: module_defaults}
    return [play]


def run_playbook(env, calls, module_defaults=None, verbosity=0, extra_env=None, play_vars=None, workdir=None, timeout=RUN_TIMEOUT,
                 document=None):
    """Write and run a playbook; return a PlaybookRun (results is {} when the run wrote none)."""
    workdir = Path(workdir or tempfile.mkdtemp(prefix="reliability-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results_path = workdir / "results.json"
    if results_path.exists():
        results_path.unlink()
    (workdir / "inventory.ini").write_text("localhost ansible_connection=local\n", encoding="utf-8")
    playbook = workdir / "playbook.yml"
    playbook.write_text(yaml.safe_dump(document or playbook_document(calls, module_defaults, play_vars), sort_keys=False),
                        encoding="utf-8")
    args = [find_tool("ansible-playbook"), "-i", str(workdir / "inventory.ini"), str(playbook)]
    if verbosity:
        args.append("-" + "v" * verbosity)
    merged = dict(env)
    merged.update(extra_env or {})
    started = time.monotonic()
    completed = subprocess.run(args, env=merged, cwd=str(workdir), capture_output=True, text=True, timeout=timeout, check=False)
    seconds = time.monotonic() - started
    output = strip_ansi(completed.stdout + "\n" + completed.stderr)
    results = json.loads(results_path.read_text(encoding="utf-8")) if results_path.is_file() else {}
    return PlaybookRun(completed.returncode, output, results, seconds, workdir)


class HostRun:
    """A host's part of a multi-host run: its registered results, and the run's whole output."""

    def __init__(self, run, host, results):
        self.run = run
        self.host = host
        self.results = results
        self.output = run.output

    def __getitem__(self, key):
        if key not in self.results:
            raise KeyError("no result %r for host %s; the run printed:\n%s" % (key, self.host, self.output[-6000:]))
        return self.results[key]

    def describe(self, key):
        return "host %s, %s" % (self.host, PlaybookRun.describe(self, key))


def run_hosts(env, hosts, slots, workdir, forks=4, timeout=900, verbosity=0, extra_env=None):
    """One playbook for many localhost aliases at once (``strategy: free``, ``forks``): each host
    has its own ``connection`` (module_defaults of the group) and ``calls`` ({slot key: module args}),
    and optionally ``vars`` (more host variables, such as ``hwcloud_tasks_in_process``).

    ``slots`` lists (key, module): one task each, run by the hosts whose ``calls`` name the key.
    A run pays ansible-playbook's start once for all the hosts. Returns (PlaybookRun, {host: HostRun}).
    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    inventory = {"all": {"hosts": dict(
        (host, dict({"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                     "hwcloud_connection": spec["connection"], "calls": spec["calls"]}, **spec.get("vars", {})))
        for host, spec in hosts.items())}}
    (workdir / "inventory.yml").write_text(yaml.safe_dump(inventory, sort_keys=False), encoding="utf-8")
    tasks = []
    for key, module in slots:
        options = sorted(set(option for spec in hosts.values() for option in spec["calls"].get(key, {})))
        call = Call(key, module, dict((option, "{{ calls.%s.%s | default(omit) }}" % (key, option)) for option in options),
                    when="'%s' in calls" % key)
        tasks.append(call.as_task())
    content = "{{ {%s} | to_json }}" % ", ".join("'%s': r_%s" % (key, key) for key, _module in slots)
    tasks.append({"name": "Write the registered results",
                  "ansible.builtin.copy": {"content": content, "dest": "{{ playbook_dir }}/results_{{ inventory_hostname }}.json",
                                           "mode": "0600"}})
    play = {"name": "reliability", "hosts": "all", "gather_facts": False, "strategy": "free",
            "module_defaults": {GROUP: "{{ hwcloud_connection }}"}, "tasks": tasks}
    playbook = workdir / "playbook.yml"
    playbook.write_text(yaml.safe_dump([play], sort_keys=False), encoding="utf-8")
    for stale in workdir.glob("results_*.json"):
        stale.unlink()
    merged = dict(env, ANSIBLE_FORKS=str(forks))
    merged.update(extra_env or {})
    args = [find_tool("ansible-playbook"), "-i", str(workdir / "inventory.yml"), str(playbook)] + (["-" + "v" * verbosity] if verbosity else [])
    started = time.monotonic()
    completed = subprocess.run(args, env=merged,
                               cwd=str(workdir), capture_output=True, text=True, timeout=timeout, check=False)
    run = PlaybookRun(completed.returncode, strip_ansi(completed.stdout + "\n" + completed.stderr), {}, time.monotonic() - started, workdir)
    per_host = {}
    for host in hosts:
        path = workdir / ("results_%s.json" % host)
        results = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        per_host[host] = HostRun(run, host, dict((key, value) for key, value in results.items() if key in hosts[host]["calls"]))
    return run, per_host


def run_concurrently(jobs, workers=3):
    """Run callables at once (each starts its own emulator and playbook); return their results in order.

    ansible-playbook spends most of a faulted run asleep between retries, so a few
    runs side by side cost about as much wall time as the slowest one.
    """
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(jobs) or 1))) as pool:
        return list(pool.map(lambda job: job(), jobs))


def api_stats(emulator):
    return emulator.admin("GET", "stats")


def add_faults(emulator, *rules):
    return emulator.admin("POST", "faults", {"faults": list(rules)})


def no_traceback(run, result=None):
    """Why a failure is not clean ([] when it is): a traceback in the output, or a module that crashed.

    ansible-core 2.19 gives every failed task an ``exception`` (rendered "(traceback unavailable)"
    unless tracebacks are displayed), and reports a module that raised as "Task failed: Module
    failed: <exception text>" without printing the traceback: both are told apart here.
    """
    problems = []
    if "Traceback" in run.output:
        problems.append("'Traceback' in the output")
    if result is not None:
        if result.get("exception") not in (None, NO_TRACEBACK):
            problems.append("a traceback in the result's exception")
        for key in ("module_stderr", "module_stdout"):
            if key in result:
                problems.append("%r in the result" % key)
        if str(result.get("msg", "")).startswith(CRASH_PREFIX):
            problems.append("the module raised instead of failing: %s" % result["msg"][:300])
    return problems
