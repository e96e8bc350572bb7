# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The runs behind the fault matrix (tests/reliability/test_fault_matrix.py): the faults, where each
call is aimed, and one background ``ansible-playbook`` run for every fault and paging case.

A module name of its own, so that conftest.py can start the run as soon as the session starts:
the matrix's playbook then runs while the other tests do, and its rows (ordered last) only read
what it left.

All the modules' rows are one ``ansible-playbook`` run: one localhost alias per fault (and per
paging case), each against an emulator of its own, side by side (``strategy: free``,
``RELIABILITY_FORKS`` forks, 4 by default; most of a faulted call is spent asleep between
retries). Each host calls the five modules twice, each call aimed at requests the other calls
never send (another deployment, task id or sort order), so that one fault rule fires for exactly
one call. The role's rows are a second run beside it.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import yaml

from reliability_support import (
    LIST_MODULES as SHIPPED_LIST_MODULES,
    MODULES as SHIPPED_MODULES,
    ROOT,
    SERVICE_PREFIX,
    PlaybookRun,
    add_faults,
    api_stats,
    connection,
    find_tool,
    run_hosts,
    strip_ansi,
)
from hwcloud_emulator import start_emulator

# ansible-playbook forks: hosts (faults) run side by side, most of their time asleep between retries.
WORKERS = int(os.environ.get("RELIABILITY_FORKS") or 6)
# The rows' "modules": the five, and vas_task_info's list mode (no task ids) as a sixth.
MODULES = SHIPPED_MODULES + ("vas_task_list",)
LIST_MODULES = SHIPPED_LIST_MODULES + ("vas_task_list",)
MODULE_OF = dict(((name, name) for name in SHIPPED_MODULES), vas_task_list="vas_task_info")
VAS_SERVICE = "c-queue-status-analysis-edge"
VAS_LIST_PATH = "/services/%s/tasks" % VAS_SERVICE

# Both front-ends: every fault and paging host runs twice, in process (the default on the controller) and as
# a shipped module (hwcloud_tasks_in_process: false); the module path's hosts carry this prefix.
PATHS = ("in_process", "module")
MODULE_PATH_PREFIX = "module__"


def run_name(name, path):
    return name if path == "in_process" else MODULE_PATH_PREFIX + name


def path_mode(mode, path):
    return mode if path == "in_process" else "%s, shipped module" % mode


def service_code(status):
    """The emulator's own error code of a module's service for ``status`` (``VIAS.10503``...)."""
    return lambda module: "%s.10%d" % (SERVICE_PREFIX[module], status)


class Fault:
    """One column of the matrix: the rule injected, how the module is configured, what a failure must say."""

    def __init__(self, key, label, rule, status=None, code=None, message="", request_id=True, retryable=True,
                 retries=2, times=2, timeout=10, auth="aksk", expire_static_token=False, retry_timeout=None):
        self.key = key
        self.label = label
        self.rule = rule
        self.status = status
        self.code = code  # None, a string, or module -> string
        self.message = message  # a regular expression the failure message must match
        self.request_id = request_id
        self.retryable = retryable
        self.retries = retries
        self.times = times  # transient rows: how many requests fail before the fault goes away
        self.timeout = timeout
        self.auth = auth
        self.expire_static_token = expire_static_token
        # Throttled requests are retried until this budget runs out (not counted against retries).
        self.retry_timeout = retry_timeout

    @property
    def modes(self):
        return ("transient", "persistent") if self.retryable else ("non-retryable",)

    def code_for(self, module):
        return self.code(module) if callable(self.code) else self.code

    def expected(self, mode):
        if mode == "transient":
            return "ok after %d retr%s" % (self.times, "y" if self.times == 1 else "ies")
        status = "HTTP %s" % self.status if self.status else "no HTTP answer"
        if mode == "persistent" and self.retry_timeout:
            return "failed: %s when retry_timeout=%d s ran out" % (status, self.retry_timeout)
        if mode == "persistent":
            return "failed: %s after %d attempts" % (status, self.retries + 1)
        return "failed: %s after 1 request" % status

    def __repr__(self):
        return self.key


FAULTS = [
    # A throttle is retried for as long as retry_timeout allows (5 s here, to keep the rows short).
    Fault("429_retry_after", "429 with Retry-After", {"kind": "status", "status": 429, "retry_after": 1},
          429, "APIGW.0308", "The throttling threshold has been reached.*retry_timeout=5 s", retry_timeout=5),
    # The vendor advises 2-5 s after a 429 without Retry-After: one retry per row keeps these rows short.
    Fault("429_no_retry_after", "429 without Retry-After", {"kind": "status", "status": 429},
          429, "APIGW.0308", "The throttling threshold has been reached.*retry_timeout=6 s", retries=1, times=1, retry_timeout=6),
    Fault("500", "500", {"kind": "status", "status": 500}, 500, service_code(500), "Internal server error"),
    Fault("502", "502", {"kind": "status", "status": 502}, 502, "APIG.0202", "Backend unavailable"),
    Fault("503", "503", {"kind": "status", "status": 503}, 503, service_code(503), "Service unavailable"),
    Fault("504", "504", {"kind": "status", "status": 504}, 504, "APIG.0201", "Backend timeout"),
    Fault("reset", "connection reset", {"kind": "reset"}, None, None, r"connection failed", request_id=False),
    # timeout 2 s (the smallest that a loaded machine still answers within); the server holds the answer 5 s.
    Fault("hang", "hang past timeout", {"kind": "hang", "seconds": 5}, None, None,
          r"no complete answer within timeout=2s \(connecting, sending, and reading the whole answer\)", request_id=False, retries=1, times=1,
          timeout=2),
    Fault("truncated", "truncated JSON", {"kind": "truncated"}, 200, None, r"invalid JSON .*truncated\?"),
    Fault("html", "HTML error page", {"kind": "html"}, 200, None, r"'text/html[^']*' instead of JSON"),
    Fault("empty", "empty body", {"kind": "empty"}, 200, None, r"empty body instead of JSON"),
    Fault("content_type", "wrong content type", {"kind": "content_type"}, 200, None, r"'text/plain[^']*' instead of JSON"),
    Fault("401_expired", "401 expired static token", None, 401, "APIG.0301",
          r"the token has expired.*The credentials were refused", retryable=False, auth="token", expire_static_token=True),
    Fault("403", "403", {"kind": "status", "status": 403}, 403, "APIG.0302",
          r"The IAM or app user is not authorized to access the API.*not allowed to read this project", retryable=False),
    Fault("404", "404", {"kind": "status", "status": 404}, 404, service_code(404),
          r"The requested resource does not exist.*Nothing exists at this address", retryable=False),
]
FAULTS_BY_KEY = dict((fault.key, fault) for fault in FAULTS)

# The reader's pages are overlapping windows (plugins/module_utils/paginate.py, plan_windows): with offset paging
# windows of 100 at offsets 0, 99, 198, ..., so 4,951 records are exactly 50 windows, the 37th at offset 36 x 99 =
# 3564; with page-number paging windows of 185-200 records at page numbers of their own size, so 9,200 batch tasks are
# exactly 50 windows, the 37th page_num 35 of page_size 195 (page_num 35 is also asked with sizes 190 and 200).
PAGE_37 = {
    "hilens_task_info": {"match": "/deployments/dep-large/", "query": {"offset": "3564"}},
    "octopus_system_job_info": {"match": "/data/system-jobs", "query": {"offset": "3564"}},
    "vias_batch_task_info": {"match": "/batch-tasks", "query": {"page_num": "35", "page_size": "195"}},
    "vas_task_list": {"match": VAS_LIST_PATH, "query": {"offset": "3564"}},
}
# 50 windows of the largest page size each: 4,951 HiLens tasks, Octopus jobs and VAS tasks, 9,200 batch tasks.
FIFTY_PAGES = {"hilens_tasks": 4951, "octopus_jobs": 4951, "batch_tasks": 9200, "vas_tasks": 4951}
PAGED_ARGS = {
    "hilens_task_info": {"deployment_id": "dep-large", "fields": ["task_id"]},
    "octopus_system_job_info": {"fields": ["id"]},
    "vias_batch_task_info": {"fields": ["id"]},
    "vas_task_list": {"service_name": VAS_SERVICE, "fields": ["id"]},
}
PAGES_EXPECTED = 50


def targets(emulator):
    """(module args, fault rule match) of each module's transient and persistent call.

    Each call sends requests no other call of the playbook sends (another deployment,
    task id, sort order), so that one rule can fault exactly one call.
    """
    data = emulator.data
    project = data["project_id"]
    vias, vas = data["vias_task_ids"], data["vas_task_ids"]
    return {
        "hilens_task_info": {
            "transient": ({"deployment_id": "dep-small"}, {"match": "/deployments/dep-small/"}),
            "persistent": ({"deployment_id": "dep-moving"}, {"match": "/deployments/dep-moving/"}),
        },
        "vias_task_info": {
            "transient": ({"task_id": vias[0]}, {"match": "/v2/%s/tasks/%s" % (project, vias[0])}),
            "persistent": ({"task_id": vias[1]}, {"match": "/v2/%s/tasks/%s" % (project, vias[1])}),
        },
        "vas_task_info": {
            "transient": ({"task_id": vas[0]}, {"match": "/tasks/%s" % vas[0]}),
            "persistent": ({"task_id": vas[1]}, {"match": "/tasks/%s" % vas[1]}),
        },
        "octopus_system_job_info": {
            "transient": ({"sort": "id,asc"}, {"match": "/data/system-jobs", "query": {"sort": "id,asc"}}),
            "persistent": ({"sort": "update_at,desc"}, {"match": "/data/system-jobs", "query": {"sort": "update_at,desc"}}),
        },
        "vias_batch_task_info": {
            "transient": ({"order_by": "asc"}, {"match": "/batch-tasks", "query": {"order_by": "asc"}}),
            "persistent": ({"order_by": "desc"}, {"match": "/batch-tasks", "query": {"order_by": "desc"}}),
        },
        "vas_task_list": {
            "transient": ({"service_name": VAS_SERVICE, "order": "name:ASC"}, {"match": VAS_LIST_PATH, "query": {"order": "name:ASC"}}),
            "persistent": ({"service_name": VAS_SERVICE, "order": "name:DESC"}, {"match": VAS_LIST_PATH, "query": {"order": "name:DESC"}}),
        },
    }


def call_key(module, mode):
    return "%s_%s" % (module, mode.replace("-", "_"))


# -- the run: one playbook, one localhost alias per fault, each against an emulator of its own ---------


def fault_host(emulator, fault):
    """The calls of one fault's host, after putting the fault's rules on its emulator."""
    aims = targets(emulator)
    rules, calls = [], {}
    for module in MODULES:
        for mode in fault.modes:
            args, match = aims[module]["persistent" if mode == "persistent" else "transient"]
            if fault.rule is not None:
                # Non-retryable rows fault only the first request: a retry would have succeeded.
                times = None if mode == "persistent" else (fault.times if mode == "transient" else 1)
                rules.append(dict(fault.rule, times=times, **match))
            calls[call_key(module, mode)] = args
    if rules:
        add_faults(emulator, *rules)
    if fault.expire_static_token:
        emulator.admin("POST", "tokens/expire", {"static": True})
    options = {"retry_timeout": fault.retry_timeout} if fault.retry_timeout else {}
    return {"connection": connection(emulator, auth=fault.auth, retries=fault.retries, timeout=fault.timeout, **options), "calls": calls}


def paging_host(emulator, mode):
    """The three list modules through 50 pages, with a 503 on page 37 (twice, or for good)."""
    add_faults(emulator, *[dict({"kind": "status", "status": 503, "times": 2 if mode == "transient" else None}, **PAGE_37[module])
                           for module in LIST_MODULES])
    return {"connection": connection(emulator, retries=2 if mode == "transient" else 1),
            "calls": dict((call_key(module, mode), PAGED_ARGS[module]) for module in LIST_MODULES)}


def rate_limit_host(emulator):
    """The three list modules through 50 pages each, 8 at once, against 10 requests a second, default retries."""
    return {"connection": connection(emulator),
            "calls": dict((call_key(module, "rate_limited"), dict(PAGED_ARGS[module], page_concurrency=8)) for module in LIST_MODULES)}


SLOTS = [(call_key(module, mode), MODULE_OF[module]) for module in MODULES for mode in ("transient", "persistent", "non-retryable")]
SLOTS += [(call_key(module, "rate_limited"), MODULE_OF[module]) for module in LIST_MODULES]


def host_setup(name):
    """(emulator options, function(emulator) -> host spec) of a host of the matrix."""
    if name.startswith(MODULE_PATH_PREFIX):
        options, build = host_setup(name[len(MODULE_PATH_PREFIX):])
        return options, lambda emulator: dict(build(emulator), vars={"hwcloud_tasks_in_process": False})
    if name.startswith("f_"):
        fault = FAULTS_BY_KEY[name[2:]]
        return {"tasks": 20}, lambda emulator: fault_host(emulator, fault)
    if name.startswith("paging_"):
        return {"tasks": 20, "sizes": FIFTY_PAGES}, lambda emulator: paging_host(emulator, name[len("paging_"):])
    if name == "rate_limit":
        return {"tasks": 20, "sizes": FIFTY_PAGES, "rate_limit": 10}, rate_limit_host
    raise KeyError(name)


ROLE = ROOT / "roles" / "assert_task_states"
ROLE_CASES = {
    # (fault rule on every VIAS task read, what the row expects)
    "role_persistent_500": ({"kind": "status", "status": 500, "match": "/tasks/", "times": None}, "fails, message names HTTP 500"),
    "role_transient_503": ({"kind": "status", "status": 503, "match": "/tasks/", "times": 2}, "succeeds"),
}


def role_exists():
    return (ROLE / "meta" / "argument_specs.yml").is_file()


def run_role_hosts(env, workdir, names):
    """The role assert_task_states on VIAS tasks that run, once per case, each against an emulator of its own.

    Returns {case: (PlaybookRun, {"result": assert_task_states_result, "failure": the failed task's result})}.
    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        inventory = {"all": {"hosts": {}}}
        for name in names:
            emulator = stack.enter_context(start_emulator(tasks=20))
            rule, _expected = ROLE_CASES[name]
            add_faults(emulator, rule)
            inventory["all"]["hosts"][name] = {
                "ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                "assert_task_states_service": "vias",
                "assert_task_states_task_ids": emulator.data["vias_task_ids_by_state"]["RUNNING"][:3],
                "assert_task_states_timeout": 6, "assert_task_states_poll_interval": 1, "assert_task_states_progress_interval": 3,
                "assert_task_states_connection": connection(emulator, retries=2),
            }
        play = {"name": "role", "hosts": "all", "gather_facts": False, "strategy": "free", "tasks": [
            {"name": "The role", "block": [{"name": "Run assert_task_states", "ansible.builtin.include_role": {"name": "hwcloud.tasks.assert_task_states"}}],
             "rescue": [{"name": "Keep the failure", "ansible.builtin.set_fact": {"role_failure": "{{ ansible_failed_result }}"}}]},
            {"name": "Write what the role left", "ansible.builtin.copy": {
                "content": "{{ {'result': assert_task_states_result | default(None), 'failure': role_failure | default(None)} | to_json }}",
                "dest": "{{ playbook_dir }}/results_{{ inventory_hostname }}.json", "mode": "0600"}},
        ]}
        (workdir / "inventory.yml").write_text(yaml.safe_dump(inventory, sort_keys=False), encoding="utf-8")
        (workdir / "playbook.yml").write_text(yaml.safe_dump([play], sort_keys=False), encoding="utf-8")
        completed = subprocess.run([find_tool("ansible-playbook"), "-i", str(workdir / "inventory.yml"), str(workdir / "playbook.yml")],
                                   env=dict(env, ANSIBLE_FORKS=str(WORKERS)), cwd=str(workdir), capture_output=True, text=True,
                                   timeout=600, check=False)
    run = PlaybookRun(completed.returncode, strip_ansi(completed.stdout + "\n" + completed.stderr), {}, 0, workdir)
    results = {}
    for name in names:
        path = workdir / ("results_%s.json" % name)
        results[name] = (run, json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {})
    return results


class Matrix:
    """The runs the selected rows need, started once (in the background) and read by every row."""

    def __init__(self, env, workdir, needed):
        self.env = env
        self.workdir = Path(workdir)
        self.needed = sorted(needed)
        self.hosts = {}
        self.stats = {}
        self.role = {}
        self.errors = []
        self._threads = []
        self._started = False
        self._lock = threading.Lock()

    def start(self):
        """Start the module run and the role run in background threads (once)."""
        with self._lock:
            if self._started:
                return
            self._started = True
        module_hosts = [name for name in self.needed if not name.startswith("role_")]
        role_hosts = [name for name in self.needed if name.startswith("role_")] if role_exists() else []
        if module_hosts:
            self._threads.append(threading.Thread(target=self._guard, args=(self._run_modules, module_hosts), daemon=True))
        if role_hosts:
            self._threads.append(threading.Thread(target=self._guard, args=(self._run_role, role_hosts), daemon=True))
        for thread in self._threads:
            thread.start()

    def _guard(self, target, names):
        try:
            target(names)
        except Exception as exc:  # pylint: disable=broad-except  # reported by get()
            self.errors.append("%s: %s" % (type(exc).__name__, exc))

    def _run_modules(self, names):
        with contextlib.ExitStack() as stack:
            specs, emulators = {}, {}
            for host in names:
                options, build = host_setup(host)
                emulators[host] = stack.enter_context(start_emulator(**options))
                specs[host] = build(emulators[host])
            _run, hosts = run_hosts(self.env, specs, SLOTS, self.workdir / "modules", forks=WORKERS)
            for host, emulator in emulators.items():
                self.stats[host] = api_stats(emulator)
            self.hosts.update(hosts)

    def _run_role(self, names):
        self.role.update(run_role_hosts(self.env, self.workdir / "role", names))

    def wait(self):
        self.start()
        for thread in self._threads:
            thread.join()
        if self.errors:
            raise RuntimeError("the fault matrix run failed: %s" % "; ".join(self.errors))

    def get(self, name):
        self.wait()
        if name.startswith("role_"):
            return self.role[name]
        return self.hosts[name], self.stats[name]
