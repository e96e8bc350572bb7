# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scenarios of the benchmark suite: the servers, the variants, how each one is run and timed.

Every scenario runs the collection's modules both ways in the same rounds: in
process (the action plugins of plugins/action/, the default for a task that runs
on the controller through the local connection) and shipped as modules
(``hwcloud_tasks_in_process: false``), next to the ``uri`` baselines and the
references. analysis.py turns the samples into ratios and verdicts.
"""

from __future__ import annotations

import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV = ROOT / ".venv"
PLAYBOOKS = BENCH / "playbooks"
LIB = BENCH / "lib"
RESULTS = BENCH / "results"
COMMAND_TIMEOUT = 900

BATCH_ITEMS = 10000
HILENS_ITEMS = 5000
WAIT_TASKS = 500
POLL_INTERVAL = 2
WAIT_TIMEOUT = 180
# The modules' default page_concurrency (plugins/module_utils/declaration.py): the plain script uses as many threads.
PAGE_CONCURRENCY = 16

# The extra variable that forces the module path (plugins/plugin_utils/in_process.py); the in-process
# variants set nothing, as a playbook would not.
SHIPPED = {"hwcloud_tasks_in_process": False}
SWITCH_ENVIRONMENT = "HWCLOUD_TASKS_IN_PROCESS"

# Shares of the time budget (S5 runs no playbooks; S6 rides along with S1 and S2 when they run).
WEIGHTS = {"1": 0.27, "2": 0.27, "3": 0.13, "4": 0.3, "5": 0.02, "6": 0.01}
TITLES = {
    "1": "S1 gather 10,000 VIAS batch tasks (55 overlapping windows of 185-200)",
    "2": "S2 gather 5,000 HiLens tasks (51 overlapping windows of 100)",
    "3": "S3 one VIAS task's detail, no latency",
    "4": "S4 wait until 500 HiLens tasks run",
    "5": "S5 schema validation of 10,000 items",
    "6": "S6 carry floor (Ansible's cost per returned item)",
}


def log(message):
    sys.stderr.write("[bench %s] %s\n" % (time.strftime("%H:%M:%S"), message))
    sys.stderr.flush()


def http_json(method, url, body=None, timeout=60):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        raw = response.read()
    return json.loads(raw) if raw else None


# ------------------------------------------------------------------ servers --


class Servers:
    """The emulators and the replay cache, started when first needed and stopped at the end."""

    def __init__(self, workdir, latency_ms):
        self.workdir = workdir
        self.latency_ms = latency_ms
        self.processes = []
        self.urls = {}
        self.data = {}
        sys.path.insert(0, str(ROOT / "tools"))
        import with_emulator  # pylint: disable=import-outside-toplevel,import-error

        self._start_emulator = with_emulator.start_emulator

    def emulator(self, name):
        """``gather``: S1/S2 data at the cloud's latency; ``detail``: no latency; ``wait``: 500 HiLens tasks."""
        if name not in self.urls:
            args = {
                "gather": ["--batch-tasks", str(BATCH_ITEMS), "--hilens-tasks", str(HILENS_ITEMS), "--latency-ms", str(self.latency_ms)],
                "detail": ["--tasks", "200"],
                "wait": ["--tasks", "200", "--hilens-tasks", str(WAIT_TASKS), "--latency-ms", str(self.latency_ms)],
            }[name]
            directory = self.workdir / ("emulator-" + name)
            directory.mkdir()
            process, url = self._start_emulator(args, str(directory))
            self.processes.append(process)
            self.urls[name] = url
            self.data[name] = http_json("GET", url + "/_emulator/data")
            log("emulator %s at %s (%s)" % (name, url, " ".join(args)))
        return self.urls[name]

    def replay(self, name="replay"):
        """``replay``: the caching replay of the ``gather`` emulator; ``wait-count``: a counting pass-through to ``wait``."""
        if name not in self.urls:
            upstream_name, latency, extra = {"replay": ("gather", self.latency_ms, []), "wait-count": ("wait", 0, ["--no-cache"])}[name]
            upstream = self.emulator(upstream_name)
            port_file = self.workdir / ("%s.json" % name)
            log_file = self.workdir / ("%s.log" % name)
            process = subprocess.Popen(
                [sys.executable, str(LIB / "replay.py"), "--upstream", upstream, "--latency-ms", str(latency),
                 "--port-file", str(port_file)] + extra,
                stdout=subprocess.DEVNULL, stderr=open(log_file, "wb"),  # noqa: SIM115  the replay proxy writes it until stopped
            )
            self.processes.append(process)
            deadline = time.monotonic() + 60
            while not port_file.exists():
                if process.poll() is not None or time.monotonic() > deadline:
                    sys.exit("the replay server did not start:\n" + log_file.read_text())
                time.sleep(0.1)
            self.urls[name] = json.loads(port_file.read_text())["url"]
            self.data[name] = self.data[upstream_name]
            log("%s at %s (latency %s ms, upstream %s%s)" % (name, self.urls[name], latency, upstream, " ".join([""] + extra)))
        return self.urls[name]

    def url(self, server):
        return self.replay(server) if server in ("replay", "wait-count") else self.emulator(server)

    def reset_stats(self, server):
        replay = server in ("replay", "wait-count")
        http_json("POST", self.urls[server] + ("/_replay/stats/reset" if replay else "/_emulator/stats/reset"))

    def stats(self, server):
        replay = server in ("replay", "wait-count")
        return http_json("GET", self.urls[server] + ("/_replay/stats" if replay else "/_emulator/stats"))

    def requests(self, server):
        return self.stats(server)["api_requests"]

    def stop(self):
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


# ----------------------------------------------------------------- variants --


class Variant:
    """One way of doing a scenario's work: a playbook or a script, against one server."""

    def __init__(self, key, label, server, playbook=None, extra=None, command=None, slow=False, role=None):
        self.key = key
        self.label = label
        self.server = server
        self.playbook = playbook
        self.extra = extra or {}
        self.command = command
        self.slow = slow  # runs fewer times: it takes minutes, and its spread matters less
        self.role = role  # baseline, limit, summary, carry_none, carry_items, ...
        self.samples = []
        self.failures = []


class Bench:
    def __init__(self, options, workdir, collections):
        self.options = options
        self.workdir = workdir
        self.collections = collections
        self.servers = Servers(workdir, options.latency_ms)
        self.bin = Path(sys.executable).parent
        self.results = {}
        self.items_dir = None
        config = workdir / "ansible.cfg"
        config.write_text("[defaults]\nretry_files_enabled = False\n")
        self.env = dict(
            os.environ,
            ANSIBLE_CONFIG=str(config),
            ANSIBLE_COLLECTIONS_PATH=str(collections),
            ANSIBLE_LIBRARY=str(PLAYBOOKS / "library"),
            ANSIBLE_ACTION_PLUGINS=str(PLAYBOOKS / "action_plugins"),
            ANSIBLE_LOCAL_TEMP=str(workdir / "ansible-local"),
            ANSIBLE_REMOTE_TEMP=str(workdir / "ansible-remote"),
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_FORCE_COLOR="0",
            ANSIBLE_LOCALHOST_WARNING="0",
            ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
            PATH="%s:%s" % (self.bin, os.environ.get("PATH", "")),
        )
        self.env.pop("HWCLOUD_EMULATOR_URL", None)
        self.env.pop(SWITCH_ENVIRONMENT, None)  # each variant says which path it takes
        self.counter = 0
        self.started = time.perf_counter()
        self.done = set()
        self.short = []
        self.deadline = None
        self.imports = None
        self.import_probe = None

    # -- running one command ----------------------------------------------

    def run_command(self, command, name, env=None):
        """(return code, wall seconds, CPU seconds of the whole process tree, output)."""
        self.counter += 1
        log_path = self.workdir / "logs" / ("%04d-%s.log" % (self.counter, re.sub(r"[^A-Za-z0-9_.-]+", "_", name)))
        log_path.parent.mkdir(exist_ok=True)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        with open(log_path, "wb") as output:
            try:
                code = subprocess.run(command, env=env or self.env, cwd=str(self.workdir), stdout=output,
                                      stderr=subprocess.STDOUT, timeout=COMMAND_TIMEOUT, check=False).returncode
            except subprocess.TimeoutExpired:
                code = "timeout"
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return code, wall, cpu, log_path.read_text(errors="replace")

    def vars_file(self, server):
        """Extra vars every playbook gets for ``server``."""
        path = self.workdir / ("vars-%s.json" % server)
        if not path.exists():
            url = self.servers.url(server)
            data = self.servers.data[server]
            path.write_text(json.dumps({
                "bench_url": url,
                "bench_project_id": data["project_id"],
                "bench_token": data["credentials"]["static_token"],
                "bench_deployment_id": "dep-large",
                "bench_task_ids": data["vias_task_ids"],
            }))
        return path

    def command_of(self, variant):
        if variant.command is not None:
            return variant.command(self)
        return [str(self.bin / "ansible-playbook"), "-i", "localhost,", str(PLAYBOOKS / variant.playbook),
                "-e", "@%s" % self.vars_file(variant.server), "-e", json.dumps(variant.extra)]

    def measure(self, scenario, variant, keep=True, before=None, after=None):
        """Run ``variant`` once; keep the sample unless this is a warm-up."""
        self.servers.url(variant.server)
        command = self.command_of(variant)
        context = before() if before else {}
        self.servers.reset_stats(variant.server)
        code, wall, cpu, output = self.run_command(command, "s%s-%s" % (scenario, variant.key))
        stats = self.servers.stats(variant.server)
        sample = {"wall": wall, "cpu": cpu, "requests": stats["api_requests"]}
        if stats.get("last_answer_at"):
            context["last_answer_at"] = stats["last_answer_at"]
        if code != 0:
            tail = "\n".join(output.splitlines()[-25:])
            log("FAILED s%s %s (exit %s):\n%s" % (scenario, variant.key, code, tail))
            variant.failures.append({"exit": code, "output_tail": tail})
            return None
        if after:
            sample.update(after(context, output))
        if keep:
            variant.samples.append(sample)
        log("s%s %-16s %s %6.2f s wall %6.2f s cpu %4d requests%s" % (
            scenario, variant.key, "run " if keep else "warm", wall, cpu, sample["requests"],
            "".join(" %s=%s" % (key, round(value, 3) if isinstance(value, float) else value)
                    for key, value in sample.items() if key not in ("wall", "cpu", "requests"))))
        return sample

    def begin(self, scenario):
        """Start ``scenario``: its deadline is its share (by weight) of what is left of ``--budget-minutes``."""
        left = self.options.budget_minutes * 60 - (time.perf_counter() - self.started)
        pending = [number for number in self.options.only if number not in self.done and number in WEIGHTS]
        total = sum(WEIGHTS[number] for number in pending) or 1.0
        self.done.add(scenario)
        self.deadline = time.monotonic() + max(left, 0) * WEIGHTS[scenario] / total
        log("%s (at most %.0f s of the budget)" % (TITLES[scenario], self.deadline - time.monotonic()))

    def rounds(self, scenario, variants, runs, slow_runs, warm=(), before=None, after=None, minimum=None):
        """``runs`` rounds of every variant (``slow_runs`` of the slow ones), in a rotating order.

        Past ``--min-runs`` rounds (and past the first run of a slow variant), a run starts only when the
        scenario's share of the time budget leaves room for it.
        """
        minimum = min(runs, self.options.min_runs if minimum is None else minimum)
        for variant in warm:
            self.measure(scenario, variant, keep=False, before=before, after=after)
        fast_rounds = []
        for index in range(runs):
            fast = [variant for variant in variants if not variant.slow]
            if index >= minimum and fast_rounds and time.monotonic() + statistics.mean(fast_rounds) > self.deadline:
                self.short.append("S%s: %d of %d runs" % (scenario, index, runs))
                log("s%s: stopping after %d of %d rounds, to stay within the time budget" % (scenario, index, runs))
                break
            started = time.monotonic()
            # The slow variants of a round run together or not at all, so that they keep the same number of runs.
            slow = [variant for variant in variants if variant.slow]
            run_slow = bool(slow) and index < slow_runs
            if run_slow and index > 0:
                reserve = (statistics.mean(fast_rounds) if fast_rounds else 0) * max(0, minimum - index - 1)
                needed = sum(statistics.mean([sample["wall"] for sample in variant.samples] or [0]) for variant in slow)
                if time.monotonic() + needed + reserve > self.deadline:
                    run_slow = False
                    note = "S%s %s: %d of %d runs" % (scenario, ", ".join(variant.key for variant in slow), index, slow_runs)
                    if note not in self.short:
                        self.short.append(note)
                    log("s%s: no more runs of %s, to stay within the time budget" % (scenario, ", ".join(v.key for v in slow)))
                    slow_runs = index
            shift = index % len(variants)
            for variant in variants[shift:] + variants[:shift]:
                if variant.slow:
                    if run_slow:
                        slow_started = time.monotonic()
                        self.measure(scenario, variant, before=before, after=after)
                        started += time.monotonic() - slow_started  # a round's estimate counts the fast variants only
                    continue
                self.measure(scenario, variant, before=before, after=after)
            if fast:
                fast_rounds.append(time.monotonic() - started)

    # -- the scenarios ------------------------------------------------------

    def plain(self, service, server):
        def command(bench):
            url = bench.servers.url(server)
            data = bench.servers.data[server]
            return [sys.executable, str(LIB / "plain_gather.py"), "--service", service, "--url", url,
                    "--project-id", data["project_id"], "--token", data["credentials"]["static_token"],
                    "--concurrency", str(PAGE_CONCURRENCY), "--collections", str(bench.collections)]
        return command

    def carry_variants(self, which):
        """The carry floor: a trivial module (shipped, as every module without an action plugin) and a trivial
        in-process action plugin, each returning 0 items and the items of ``which`` (batch, hilens) from a file."""
        self.dump_items()
        files = {"batch": ("batch_returned.json", "batch_tasks", BATCH_ITEMS, "batch"),
                 "hilens": ("hilens_returned.json", "tasks", HILENS_ITEMS, "HiLens")}
        variants = []
        for kind, playbook, what in (("module", "carry.yml", "trivial module"), ("action", "carry_action.yml", "trivial in-process action plugin")):
            prefix = "carry_" if kind == "module" else "carry_action_"
            variants.append(Variant(prefix + "0", "%s, 0 items" % what, "replay", playbook, role=prefix + "none",
                                    extra={"bench_items_file": str(self.items_dir / "batch_returned.json"), "bench_key": "batch_tasks",
                                           "bench_count": 0}))
            for name in which:
                path, key, count, label = files[name]
                variants.append(Variant(prefix + name, "%s, %d %s items" % (what, count, label), "replay", playbook, role=prefix + name,
                                        extra={"bench_items_file": str(self.items_dir / path), "bench_key": key, "bench_count": count}))
        return variants

    def dump_items(self):
        if self.items_dir is None:
            self.items_dir = self.workdir / "items"
            self.items_dir.mkdir()
            self.servers.emulator("gather")
            data = self.servers.data["gather"]
            env = dict(self.env, PYTHONPATH=str(self.collections))
            subprocess.run(
                [sys.executable, str(LIB / "dump_items.py"), "--url", self.servers.replay(), "--project-id", data["project_id"],
                 "--token", data["credentials"]["static_token"], "--out", str(self.items_dir)],
                env=env, check=True, stdout=subprocess.DEVNULL,
            )
            log("items copied to %s" % self.items_dir)

    def gather_scenario(self, number, service):
        """S1 (batch) or S2 (hilens): both paths, all items and summary; the uri loop, the plain script, the references."""
        self.servers.replay()
        data = self.servers.data["gather"]
        expected = BATCH_ITEMS if service == "batch" else HILENS_ITEMS
        if service == "batch":
            page_url = "%s/v2/%s/batch-tasks?page_num=1&page_size=200" % (self.servers.replay(), data["project_id"])
        else:
            page_url = "%s/v3/%s/ai-mgr/deployments/dep-large/tasks?offset=0&limit=100" % (self.servers.replay(), data["project_id"])
        playbook = "s%s_module.yml" % number
        every, summary = {"bench_summary": False, "bench_expected": expected}, {"bench_summary": True, "bench_expected": expected}
        variants = [
            Variant("inproc", "hwcloud.tasks in process, all items", "replay", playbook, every, role="inproc"),
            Variant("inproc_summary", "hwcloud.tasks in process, summary: true, return_items: false", "replay", playbook, summary,
                    role="inproc_summary"),
            Variant("module", "hwcloud.tasks module path, all items", "replay", playbook, dict(every, **SHIPPED), role="module"),
            Variant("module_summary", "hwcloud.tasks module path, summary: true, return_items: false", "replay", playbook,
                    dict(summary, **SHIPPED), role="module_summary"),
            Variant("uri_loop", "ansible.builtin.uri + loop over pages (baseline)", "replay", "s%s_uri.yml" % number,
                    {"bench_expected": expected}, slow=True, role="baseline"),
            Variant("plain", "plain Python script, requests, %d threads (limit)" % PAGE_CONCURRENCY, "replay", command=self.plain(service, "replay"),
                    role="limit"),
            Variant("plain_direct", "plain script straight to the emulator, no replay cache (calibration)", "gather",
                    command=self.plain(service, "gather"), role="calibration", slow=True),
            Variant("uri_pair", "two single ansible.builtin.uri calls (stretch reference)", "replay", "uri_pair.yml",
                    {"bench_page_url": page_url}, role="uri_pair"),
        ] + self.carry_variants([service])
        warm = [variant for variant in variants if variant.key in ("inproc", "module", "plain", "carry_0", "carry_action_0")]
        self.rounds(number, variants, self.options.runs, self.options.slow_runs, warm=warm)
        return variants

    def detail_scenario(self):
        """S3: one task's detail, both paths and uri, in playbooks of 1 and 11 tasks; then where the imports land."""
        variants = [
            Variant("inproc_1", "vias_task_info in process, playbook of 1 task", "detail", "s3_module_1.yml", role="inproc"),
            Variant("module_1", "vias_task_info module path, playbook of 1 task", "detail", "s3_module_1.yml", SHIPPED, role="module"),
            Variant("uri_1", "ansible.builtin.uri, playbook of 1 task (baseline)", "detail", "s3_uri_1.yml", role="baseline"),
            Variant("inproc_11", "vias_task_info in process, playbook of 11 tasks", "detail", "s3_module_11.yml", role="inproc_11"),
            Variant("module_11", "vias_task_info module path, playbook of 11 tasks", "detail", "s3_module_11.yml", SHIPPED,
                    slow=True, role="module_11"),
            Variant("uri_11", "ansible.builtin.uri, playbook of 11 tasks", "detail", "s3_uri_11.yml", role="baseline_11", slow=True),
        ]
        self.rounds("3", variants, self.options.runs, self.options.slow_runs, warm=variants[:3])
        # Why one call costs what it costs: the imports of each module, in fresh interpreters.
        module = "ansible_collections.hwcloud.tasks.plugins.modules.vias_task_info"
        output = subprocess.run(
            [sys.executable, str(LIB / "import_cost.py"), "--repeat", str(self.options.runs),
             "uri=ansible.modules.uri", "vias_task_info=%s,jsonschema" % module, "vias_task_info_without_jsonschema=%s" % module,
             "in_process_action=ansible_collections.hwcloud.tasks.plugins.action.vias_task_info",
             "ansible_basic=ansible.module_utils.basic", "requests=requests", "jsonschema=jsonschema"],
            env=dict(self.env, PYTHONPATH=str(self.collections)), check=True, capture_output=True, text=True,
        ).stdout
        self.imports = json.loads(output)
        log("s3 imports (CPU s): " + ", ".join("%s %.3f" % (label, entry["cpu_median"]) for label, entry in self.imports.items()))
        self.import_probe = self.probe_imports(pick_variants(variants, "inproc_11", "module_11"))
        return variants

    def probe_imports(self, variants):
        """Where the heavy imports land, out of the timed runs: each 11-task playbook with a callback that notes when each
        task starts and ends (lib/callback_plugins/bench_timing.py), and once with ``PYTHONPROFILEIMPORTTIME``, whose
        report (stderr of the controller and of every worker it forks) counts how often each module is imported."""
        probe = {}
        env = dict(self.env, ANSIBLE_CALLBACK_PLUGINS=str(LIB / "callback_plugins"), ANSIBLE_CALLBACKS_ENABLED="bench_timing")
        for variant in variants:
            timings = []
            for index in range(max(2, min(3, self.options.runs))):
                timing_file = self.workdir / ("timing-%s-%d.json" % (variant.key, index))
                code, _wall, _cpu, output = self.run_command(self.command_of(variant), "s3-probe-%s" % variant.key,
                                                             env=dict(env, BENCH_TIMING_FILE=str(timing_file)))
                if code != 0 or not timing_file.exists():
                    log("FAILED s3 probe %s:\n%s" % (variant.key, "\n".join(output.splitlines()[-15:])))
                    break
                timings.append(json.loads(timing_file.read_text()))
            code, _wall, _cpu, output = self.run_command(self.command_of(variant), "s3-importtime-%s" % variant.key,
                                                         env=dict(self.env, PYTHONPROFILEIMPORTTIME="1"))
            probe[variant.key] = {"timings": timings, "imports": import_counts(output) if code == 0 else None}
            log("s3 probe %s: %s" % (variant.key, json.dumps(probe[variant.key]["imports"])))
        return probe

    def wait_scenario(self):
        window = self.options.wait_window
        url = self.servers.emulator("wait")

        def before():
            http_json("POST", url + "/_emulator/reset", {"sizes": {"hilens_tasks": WAIT_TASKS}})
            # Every task PENDING now, then RUNNING one after the other from 1 s to ``window`` s.
            http_json("POST", url + "/_emulator/schedule", {
                "service": "hilens", "deployment_id": "dep-large", "steps": [{"after": 0, "state": "PENDING"}]})
            answer = http_json("POST", url + "/_emulator/schedule", {
                "service": "hilens", "deployment_id": "dep-large", "steps": [{"after": 1.0, "state": "RUNNING"}],
                "stagger": window - 1.0})
            return {"last_flip": max(flip["at"] for item in answer["scheduled"] for flip in item["flips"]),
                    "scheduled_at": answer["now"]}

        def after(context, output):
            match = re.search(r"BENCH_WAIT_END ([0-9.]+) BENCH_POLLS ([0-9]+)", output)
            if not match:
                return {}
            end, polls = float(match.group(1)), int(match.group(2))
            result = {"lag": end - context["last_flip"], "polls": polls, "wait_from_schedule": end - context["scheduled_at"]}
            if context.get("last_answer_at"):
                result["poll_lag"] = context["last_answer_at"] - context["last_flip"]
            return result

        extra = {"bench_poll_interval": POLL_INTERVAL, "bench_timeout": WAIT_TIMEOUT}
        variants = [
            Variant("role", "role assert_task_states, in process", "wait-count", "s4_role.yml", extra, role="inproc"),
            Variant("module_wait", "hilens_task_info wait_for, in process", "wait-count", "s4_module.yml", extra, role="inproc"),
            Variant("role_shipped", "role assert_task_states, module path", "wait-count", "s4_role.yml", dict(extra, **SHIPPED),
                    role="module"),
            Variant("module_wait_shipped", "hilens_task_info wait_for, module path", "wait-count", "s4_module.yml",
                    dict(extra, **SHIPPED), role="module"),
            Variant("uri_until", "ansible.builtin.uri + until, page by page (baseline)", "wait-count", "s4_uri.yml", extra,
                    role="baseline"),
        ]
        self.rounds("4", variants, self.options.wait_runs, self.options.wait_runs, before=before, after=after,
                    minimum=self.options.min_runs - 1)
        return variants

    def validation_scenario(self):
        """S5: validate_document vs json.loads in one process; the module's validation share and peak RSS."""
        self.dump_items()
        env = dict(self.env, PYTHONPATH=str(self.collections))
        micro = {}
        for name, schema, key, page in (("batch", "vias_batch_task_list", "batch_task_list", 200),
                                        ("hilens", "hilens_task_list", "tasks", 100)):
            output = subprocess.run(
                [sys.executable, str(LIB / "validate_bench.py"), "--items", str(self.items_dir / (name + "_raw.json")),
                 "--schema", schema, "--items-key", key, "--page-size", str(page), "--repeat", str(max(self.options.runs, 7))],
                env=env, check=True, capture_output=True, text=True,
            ).stdout
            micro[name] = json.loads(output)
            log("s5 %s: validate %.3f s CPU, json.loads %.3f s CPU, first validate %.3f s" % (
                name, micro[name]["validate_s"]["median"], micro[name]["json_loads_s"]["median"], micro[name]["first_validate_s"]))
        data = self.servers.data["gather"]
        probes = {}
        failures = []
        for name, module, args in (("batch", "vias_batch_task_info", {}),
                                   ("hilens", "hilens_task_info", {"deployment_id": "dep-large"})):
            args = dict(args, endpoint=self.servers.replay(), project_id=data["project_id"],
                        auth_token=data["credentials"]["static_token"])
            args_path = self.workdir / ("probe-%s.json" % name)
            args_path.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
            samples = []
            for index in range(self.options.runs + 1):  # the first run warms the replay cache and is dropped
                stats_path = self.workdir / ("probe-%s-stats.json" % name)
                self.servers.reset_stats("replay")
                started = time.perf_counter()
                result_path = self.workdir / ("probe-%s-result.json" % name)
                with open(result_path, "wb") as result_file:
                    process = subprocess.Popen([sys.executable, str(LIB / "module_probe.py"), module, str(args_path), str(stats_path)],
                                               env=env, stdout=result_file, stderr=subprocess.STDOUT)
                    _pid, status, usage = os.wait4(process.pid, 0)
                process.returncode = os.waitstatus_to_exitcode(status)
                wall = time.perf_counter() - started
                if process.returncode != 0:
                    log("FAILED s5 probe %s: %s" % (name, result_path.read_text(errors="replace")[-2000:]))
                    failures.append(name)
                    break
                stats = json.loads(stats_path.read_text())
                stats.update(peak_rss_mb=usage.ru_maxrss / 1024.0, process_wall_s=wall, process_cpu_total_s=usage.ru_utime + usage.ru_stime,
                             requests=self.servers.requests("replay"))
                if index:
                    samples.append(stats)
                    log("s5 probe %s: module %.2f s, validation %.3f s wall / %.3f s cpu, peak RSS %.1f MB" % (
                        name, stats["module_wall_s"], stats["validate_wall_s"], stats["validate_cpu_s"], stats["peak_rss_mb"]))
            probes[name] = samples
        return {"micro": micro, "probes": probes, "failures": failures}


def pick_variants(variants, *keys):
    return [variant for variant in variants if variant.key in keys]


# The modules whose imports S3 counts: requests and the engine are the heavy ones.
IMPORTS_COUNTED = {
    "requests": "requests",
    "engine": "ansible_collections.hwcloud.tasks.plugins.module_utils.engine",
    "in_process": "ansible_collections.hwcloud.tasks.plugins.plugin_utils.in_process",
    "jsonschema": "jsonschema",
}


def import_counts(output):
    """From ``-X importtime`` lines (``import time: self [us] | cumulative | name``), how many processes imported each
    module of IMPORTS_COUNTED, and the cumulative microseconds of each import."""
    found = dict((label, []) for label in IMPORTS_COUNTED)
    for line in output.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)$", line)
        if not match:
            continue
        for label, name in IMPORTS_COUNTED.items():
            if match.group(4) == name:
                found[label].append(int(match.group(2)))
    return dict((label, {"count": len(values), "cumulative_ms": [value / 1000.0 for value in values]}) for label, values in found.items())
