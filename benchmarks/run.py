"""Benchmarks of hwcloud.tasks against its emulator: python benchmarks/run.py [--quick] [--only 1,3] [--runs N].

Starts the emulator itself, runs every scenario several times (variants
interleaved, in a rotating order, so that a noisy neighbour hurts them all
alike) and writes benchmarks/results/latest.json and latest.md. Only ratios
measured in the same run are meant to be compared. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
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

# Shares of the time budget (S5 runs no playbooks; S6 rides along with S1 and S2 when they run).
WEIGHTS = {"1": 0.3, "2": 0.3, "3": 0.17, "4": 0.2, "5": 0.02, "6": 0.01}
TITLES = {
    "1": "S1 gather 10,000 VIAS batch tasks (50 pages of 200)",
    "2": "S2 gather 5,000 HiLens tasks (50 pages of 100)",
    "3": "S3 one VIAS task's detail, no latency",
    "4": "S4 wait until 500 HiLens tasks run",
    "5": "S5 schema validation of 10,000 items",
    "6": "S6 carry floor (Ansible's cost per returned item)",
}


def log(message):
    sys.stderr.write("[bench %s] %s\n" % (time.strftime("%H:%M:%S"), message))
    sys.stderr.flush()


def reexec_in_venv():
    """Run under the project's virtualenv (ansible-core, requests, jsonschema, aiohttp)."""
    python = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    if not python.exists():
        sys.exit("benchmarks: %s is missing; run `make setup` first" % python)
    os.execv(str(python), [str(python), str(Path(__file__).resolve())] + sys.argv[1:])


def http_json(method, url, body=None, timeout=60):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        raw = response.read()
    return json.loads(raw) if raw else None


def summarize(values):
    values = [value for value in values if value is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values), "samples": values}


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
            ANSIBLE_LOCAL_TEMP=str(workdir / "ansible-local"),
            ANSIBLE_REMOTE_TEMP=str(workdir / "ansible-remote"),
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_FORCE_COLOR="0",
            ANSIBLE_LOCALHOST_WARNING="0",
            ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
            PATH="%s:%s" % (self.bin, os.environ.get("PATH", "")),
        )
        self.env.pop("HWCLOUD_EMULATOR_URL", None)
        self.counter = 0
        self.started = time.perf_counter()
        self.done = set()
        self.short = []
        self.deadline = None
        self.imports = None

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
                    "--concurrency", str(PAGE_CONCURRENCY)]
        return command

    def carry_variants(self, which):
        self.dump_items()
        variants = [Variant("carry_0", "trivial module, 0 items", "replay", "carry.yml", role="carry_none",
                            extra={"bench_items_file": str(self.items_dir / "batch_returned.json"), "bench_key": "batch_tasks",
                                   "bench_count": 0})]
        if "batch" in which:
            variants.append(Variant("carry_batch", "trivial module, %d batch items" % BATCH_ITEMS, "replay", "carry.yml",
                                    role="carry_batch", extra={"bench_items_file": str(self.items_dir / "batch_returned.json"),
                                                               "bench_key": "batch_tasks", "bench_count": BATCH_ITEMS}))
        if "hilens" in which:
            variants.append(Variant("carry_hilens", "trivial module, %d HiLens items" % HILENS_ITEMS, "replay", "carry.yml",
                                    role="carry_hilens", extra={"bench_items_file": str(self.items_dir / "hilens_returned.json"),
                                                                "bench_key": "tasks", "bench_count": HILENS_ITEMS}))
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
        """S1 (batch) or S2 (hilens): module, module summary, uri loop, plain script, and the references."""
        self.servers.replay()
        data = self.servers.data["gather"]
        expected = BATCH_ITEMS if service == "batch" else HILENS_ITEMS
        if service == "batch":
            page_url = "%s/v2/%s/batch-tasks?page_num=1&page_size=200" % (self.servers.replay(), data["project_id"])
        else:
            page_url = "%s/v3/%s/ai-mgr/deployments/dep-large/tasks?offset=0&limit=100" % (self.servers.replay(), data["project_id"])
        playbook = "s%s_module.yml" % number
        variants = [
            Variant("module", "hwcloud.tasks, all items", "replay", playbook, {"bench_summary": False, "bench_expected": expected}),
            Variant("summary", "hwcloud.tasks, summary: true, return_items: false", "replay", playbook,
                    {"bench_summary": True, "bench_expected": expected}, role="summary"),
            Variant("uri_loop", "ansible.builtin.uri + loop over pages (baseline)", "replay", "s%s_uri.yml" % number,
                    {"bench_expected": expected}, slow=True, role="baseline"),
            Variant("plain", "plain Python script, requests, %d threads (limit)" % PAGE_CONCURRENCY, "replay", command=self.plain(service, "replay"),
                    role="limit"),
            Variant("plain_direct", "plain script straight to the emulator, no replay cache (calibration)", "gather",
                    command=self.plain(service, "gather"), role="calibration", slow=True),
            Variant("uri_pair", "two single ansible.builtin.uri calls (stretch reference)", "replay", "uri_pair.yml",
                    {"bench_page_url": page_url}, role="uri_pair"),
        ] + self.carry_variants([service])
        warm = [variant for variant in variants if variant.key in ("module", "plain", "carry_0")]
        self.rounds(number, variants, self.options.runs, self.options.slow_runs, warm=warm)
        return variants

    def detail_scenario(self):
        variants = [
            Variant("module_1", "vias_task_info, playbook of 1 task", "detail", "s3_module_1.yml"),
            Variant("uri_1", "ansible.builtin.uri, playbook of 1 task (baseline)", "detail", "s3_uri_1.yml", role="baseline"),
            Variant("module_11", "vias_task_info, playbook of 11 tasks", "detail", "s3_module_11.yml", slow=True),
            Variant("uri_11", "ansible.builtin.uri, playbook of 11 tasks", "detail", "s3_uri_11.yml", role="baseline_11", slow=True),
        ]
        self.rounds("3", variants, self.options.runs, self.options.slow_runs, warm=variants[:2])
        # Why one call costs what it costs: the imports of each module, in fresh interpreters.
        module = "ansible_collections.hwcloud.tasks.plugins.modules.vias_task_info"
        output = subprocess.run(
            [sys.executable, str(LIB / "import_cost.py"), "--repeat", str(self.options.runs),
             "uri=ansible.modules.uri", "vias_task_info=%s,jsonschema" % module, "vias_task_info_without_jsonschema=%s" % module,
             "ansible_basic=ansible.module_utils.basic", "requests=requests", "jsonschema=jsonschema"],
            env=dict(self.env, PYTHONPATH=str(self.collections)), check=True, capture_output=True, text=True,
        ).stdout
        self.imports = json.loads(output)
        log("s3 imports (CPU s): " + ", ".join("%s %.3f" % (label, entry["cpu_median"]) for label, entry in self.imports.items()))
        return variants

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
            Variant("role", "role assert_task_states", "wait-count", "s4_role.yml", extra),
            Variant("module_wait", "hilens_task_info wait_for", "wait-count", "s4_module.yml", extra),
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


# ------------------------------------------------------------------ reports --


def variant_result(variant, baseline):
    wall = summarize([sample["wall"] for sample in variant.samples])
    result = {
        "label": variant.label,
        "role": variant.role,
        "runs": len(variant.samples),
        "failures": variant.failures,
        "wall_s": wall,
        "cpu_s": summarize([sample["cpu"] for sample in variant.samples]),
        "requests": summarize([sample["requests"] for sample in variant.samples]),
    }
    for key in ("lag", "poll_lag", "polls", "wait_from_schedule"):
        values = [sample[key] for sample in variant.samples if key in sample]
        if values:
            result[key] = summarize(values)
    if wall and baseline is not None and baseline.samples:
        result["ratio_vs_baseline"] = wall["median"] / statistics.median(sample["wall"] for sample in baseline.samples)
    return result


def median_of(variants, key, measure="wall"):
    for variant in variants:
        if variant.key == key and variant.samples:
            return statistics.median(sample[measure] for sample in variant.samples)
    return None


def target(name, met, detail, variants=()):
    """A verdict; ``noisy`` when a variant it rests on spread by more than 1.5x between its fastest and slowest run."""
    noisy = [variant.key for variant in variants
             if len(variant.samples) > 1 and max(s["wall"] for s in variant.samples) > 1.5 * min(s["wall"] for s in variant.samples)]
    return {"target": name, "met": met, "detail": detail, "noisy": noisy}


def pick(variants, *keys):
    return [variant for variant in variants if variant.key in keys]


def times(value):
    return "%.2fx" % value


def gather_analysis(variants, items):
    """Targets and the split of the module's time between Ansible and us (S1, S2)."""
    module, summary, uri = median_of(variants, "module"), median_of(variants, "summary"), median_of(variants, "uri_loop")
    plain, pair = median_of(variants, "plain"), median_of(variants, "uri_pair")
    carry_none = median_of(variants, "carry_0")
    carry_items = median_of(variants, "carry_batch") or median_of(variants, "carry_hilens")
    analysis, targets = {}, []
    if None in (module, summary, uri, plain, pair, carry_none, carry_items):
        return {"incomplete": True}, [target("all targets", None, "a variant failed; see failures")]
    floor = plain + carry_items
    analysis.update(
        floor_s=floor,
        module_over_floor=module / floor,
        uri_over_module=uri / module,
        uri_over_summary=uri / summary,
        summary_over_uri_pair=summary / pair,
        ansible_fixed_s=carry_none,
        ansible_carry_s=carry_items - carry_none,
        ansible_carry_ms_per_1000_items=(carry_items - carry_none) / items * 1000 * 1000,
        ours_s=module - carry_items,
        ours_over_plain=(module - carry_items) / plain,
        ours_summary_s=summary - carry_none,
    )
    cpu = dict((key, median_of(variants, key, "cpu")) for key in ("module", "summary", "plain", "carry_0", "carry_batch", "carry_hilens"))
    cpu_items = cpu["carry_batch"] if cpu["carry_batch"] is not None else cpu["carry_hilens"]
    analysis["cpu"] = {
        "module_s": cpu["module"], "summary_s": cpu["summary"], "plain_s": cpu["plain"],
        "ansible_fixed_s": cpu["carry_0"], "ansible_carry_s": cpu_items - cpu["carry_0"],
        "ours_s": cpu["module"] - cpu_items, "ours_summary_s": cpu["summary"] - cpu["carry_0"],
        "module_over_floor": cpu["module"] / (cpu["plain"] + cpu_items),
    }
    cpu_uri, cpu_pair = median_of(variants, "uri_loop", "cpu"), median_of(variants, "uri_pair", "cpu")
    carry_key = "carry_batch" if median_of(variants, "carry_batch") is not None else "carry_hilens"
    targets.append(target(
        "all items within 1.25x of (plain script + carry floor)", module / floor <= 1.25,
        "module %.2f s / (plain %.2f s + trivial module with the same items %.2f s = %.2f s) = %s (target <= 1.25x); CPU %s"
        % (module, plain, carry_items, floor, times(module / floor), times(cpu["module"] / (cpu["plain"] + cpu_items))),
        pick(variants, "module", "plain", carry_key)))
    targets.append(target(
        "all items >= 4x faster than the uri baseline", uri / module >= 4,
        "uri loop %.2f s / module %.2f s = %s faster (target >= 4x); CPU %s"
        % (uri, module, times(uri / module), times(cpu_uri / cpu["module"])), pick(variants, "uri_loop", "module")))
    targets.append(target(
        "summary mode >= 20x faster than the uri baseline", uri / summary >= 20,
        "uri loop %.2f s / summary %.2f s = %s faster (target >= 20x); CPU %s; the floor, uri loop / trivial module returning "
        "nothing, is %s; the limit, uri loop / (trivial module returning nothing + plain script), is %s"
        % (uri, summary, times(uri / summary), times(cpu_uri / cpu["summary"]), times(uri / carry_none),
           times(uri / (carry_none + plain))),
        pick(variants, "uri_loop", "summary")))
    targets.append(target(
        "stretch: summary mode faster than two single uri calls", summary < pair,
        "summary %.2f s vs two uri calls %.2f s (%s); CPU %.2f s vs %.2f s" % (summary, pair, times(summary / pair), cpu["summary"], cpu_pair),
        pick(variants, "summary", "uri_pair")))
    return analysis, targets


def detail_analysis(variants):
    keys = ("module_1", "uri_1", "module_11", "uri_11")
    wall = dict((key, median_of(variants, key)) for key in keys)
    cpu = dict((key, median_of(variants, key, "cpu")) for key in keys)
    if None in wall.values():
        return {"incomplete": True}, [target("all targets", None, "a variant failed; see failures")]
    module_task, uri_task = (wall["module_11"] - wall["module_1"]) / 10, (wall["uri_11"] - wall["uri_1"]) / 10
    module_task_cpu, uri_task_cpu = (cpu["module_11"] - cpu["module_1"]) / 10, (cpu["uri_11"] - cpu["uri_1"]) / 10
    analysis = {"module_per_task_s": module_task, "uri_per_task_s": uri_task, "whole_run_ratio": wall["module_1"] / wall["uri_1"],
                "per_task_ratio": module_task / uri_task if uri_task > 0 else None,
                "cpu": {"module_1_s": cpu["module_1"], "uri_1_s": cpu["uri_1"], "module_per_task_s": module_task_cpu,
                        "uri_per_task_s": uri_task_cpu, "whole_run_ratio": cpu["module_1"] / cpu["uri_1"],
                        "per_task_ratio": module_task_cpu / uri_task_cpu if uri_task_cpu > 0 else None}}
    targets = [
        target("one call, whole run within 1.1x of uri", wall["module_1"] / wall["uri_1"] <= 1.1,
               "module %.2f s / uri %.2f s = %s (target <= 1.1x); CPU %.2f s / %.2f s = %s"
               % (wall["module_1"], wall["uri_1"], times(wall["module_1"] / wall["uri_1"]), cpu["module_1"], cpu["uri_1"],
                  times(cpu["module_1"] / cpu["uri_1"])), pick(variants, "module_1", "uri_1")),
        target("per task (11 - 1 tasks) within 1.1x of uri", uri_task > 0 and module_task / uri_task <= 1.1,
               "module %.3f s / uri %.3f s per task = %s (target <= 1.1x); CPU %.3f s / %.3f s = %s"
               % (module_task, uri_task, times(module_task / uri_task) if uri_task > 0 else "n/a", module_task_cpu, uri_task_cpu,
                  times(module_task_cpu / uri_task_cpu) if uri_task_cpu > 0 else "n/a"), pick(variants, *keys)),
    ]
    return analysis, targets


def wait_analysis(variants, latency_ms):
    pages = WAIT_TASKS // 100
    analysis, targets = {"pages": pages, "poll_interval_s": POLL_INTERVAL, "round_trip_s": latency_ms / 1000.0}, []
    bound = POLL_INTERVAL + latency_ms / 1000.0
    for variant in variants:
        samples = [sample for sample in variant.samples if "lag" in sample]
        if not samples:
            continue
        lag = statistics.median(sample["lag"] for sample in samples)
        lag_max = max(sample["lag"] for sample in samples)
        poll_lags = [sample["poll_lag"] for sample in samples if "poll_lag" in sample]
        poll_lag = statistics.median(poll_lags) if poll_lags else None
        requests = statistics.median(sample["requests"] for sample in samples)
        polls = statistics.median(sample["polls"] for sample in samples)
        per_poll = max(sample["requests"] / float(sample["polls"] * pages) for sample in samples)
        analysis[variant.key] = {"lag_s": lag, "lag_max_s": lag_max, "poll_lag_s": poll_lag, "poll_lag_max_s": max(poll_lags) if poll_lags else None,
                                 "requests": requests, "polls": polls, "requests_per_page_poll_max": per_poll}
        if variant.role == "baseline":
            continue
        targets.append(target(
            "%s: no more than one request per page per poll" % variant.key, per_poll <= 1.0,
            "%d requests for %d polls of %d pages: %.2f per page per poll at most (target <= 1)"
            % (requests, polls, pages, per_poll)))
        if poll_lags:
            targets.append(target(
                "%s: lag to the last poll <= one poll interval + one round trip" % variant.key, max(poll_lags) <= bound,
                "last flip to the answer of the poll that saw it: median %.2f s, worst %.2f s (target <= %.2f s)"
                % (poll_lag, max(poll_lags), bound)))
        targets.append(target(
            "%s: lag to the end of the wait <= one poll interval + one round trip" % variant.key, lag <= bound,
            "last flip to the start of the next task: median %.2f s, worst %.2f s (target <= %.2f s)" % (lag, lag_max, bound)))
    return analysis, targets


def validation_analysis(result):
    analysis, targets = {}, []
    for name, micro in result["micro"].items():
        analysis[name] = {
            "validate_s": micro["validate_s"]["median"],
            "json_loads_s": micro["json_loads_s"]["median"],
            "validate_over_json_loads": micro["validate_s"]["median"] / micro["json_loads_s"]["median"],
            "validate_pages_s": micro["validate_pages_s"]["median"],
            "first_validate_s": micro["first_validate_s"],
            "jsonschema_only_s": micro["jsonschema_only_s"]["median"],
            "validate_spread": micro["validate_s"],
            "repeat": micro["validate_s"]["n"],
        }
        probes = result["probes"].get(name) or []
        if probes:
            fraction_wall = statistics.median(p["validate_wall_s"] / p["module_wall_s"] for p in probes)
            fraction_cpu = statistics.median(p["validate_cpu_s"] / p["module_wall_s"] for p in probes)
            rss = max(p["peak_rss_mb"] for p in probes)
            analysis[name].update(
                module_wall_s=summarize([p["module_wall_s"] for p in probes]),
                validate_wall_s=summarize([p["validate_wall_s"] for p in probes]),
                validate_cpu_s=summarize([p["validate_cpu_s"] for p in probes]),
                validation_fraction_wall=fraction_wall,
                validation_fraction_cpu=fraction_cpu,
                peak_rss_mb=summarize([p["peak_rss_mb"] for p in probes]),
                requests=statistics.median(p.get("requests", 0) for p in probes),
            )
            if name == "batch":
                targets.append(target(
                    "validation <= 10% of the module's run time (10,000 items)", fraction_wall <= 0.10,
                    "validate_document: %.3f s wall (%.3f s CPU of its threads) of a %.2f s module run = %.1f%% (CPU %.1f%%)"
                    % (statistics.median(p["validate_wall_s"] for p in probes), statistics.median(p["validate_cpu_s"] for p in probes),
                       statistics.median(p["module_wall_s"] for p in probes), 100 * fraction_wall, 100 * fraction_cpu)))
                targets.append(target(
                    "peak RSS of the module < 150 MB (10,000 items)", rss < 150,
                    "highest of %d runs: %.1f MB" % (len(probes), rss)))
    return analysis, targets


def fmt_spread(stat):
    return "%.2f-%.2f" % (stat["min"], stat["max"]) if stat else ""


def fmt_requests(stat):
    if not stat:
        return ""
    if stat["min"] == stat["max"]:
        return "%d" % stat["median"]
    return "%d (%d-%d)" % (stat["median"], stat["min"], stat["max"])


def markdown(report):
    meta = report["meta"]
    lines = [
        "# hwcloud.tasks benchmarks",
        "",
        "%s; %s; %d CPU(s), load average %.2f at the start, %.2f at the end; %s ms latency per API request; "
        "%d runs (%d of the slow baselines and of S4)%s; %.0f s in all."
        % (meta["finished"], meta["commit"], meta["cpus"], meta["load_start"], meta["load_end"], meta["latency_ms"],
           meta["runs"], meta["slow_runs"], ", quick" if meta["quick"] else "", meta["duration_s"]),
        "",
        "Ratios compare medians of the same run. CPU is the whole process tree (user + system) and is in latest.json.",
        "",
        "| scenario | variant | median s | spread (min-max) | ratio vs baseline | requests sent | CPU s | runs |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for number, scenario in report["scenarios"].items():
        for variant in scenario.get("variants", {}).values():
            wall = variant["wall_s"]
            ratio = variant.get("ratio_vs_baseline")
            lines.append("| %s | %s | %s | %s | %s | %s | %s | %d |" % (
                "S" + number, variant["label"] + ("" if variant["runs"] else " (FAILED)"),
                "%.2f" % wall["median"] if wall else "-", fmt_spread(wall),
                "%.2f" % ratio if ratio is not None else "", fmt_requests(variant["requests"]),
                "%.2f" % variant["cpu_s"]["median"] if variant["cpu_s"] else "", variant["runs"]))
        if number == "5" and "analysis" in scenario:
            for name, values in scenario["analysis"].items():
                lines.append("| S5 | %s: validate_document on the whole list, CPU s (baseline: json.loads, %.3f s) | %.3f | %s | %.2f | | %.3f | %d |" % (
                    name, values["json_loads_s"], values["validate_s"], fmt_spread(values["validate_spread"]), values["validate_over_json_loads"],
                    values["validate_s"], values["repeat"]))
                if "module_wall_s" in values:
                    lines.append("| S5 | %s: module run without Ansible; ratio = validation's share; peak RSS %.0f MB | %.2f | %s | %.3f | %d | | %d |" % (
                        name, values["peak_rss_mb"]["max"], values["module_wall_s"]["median"], fmt_spread(values["module_wall_s"]),
                        values["validation_fraction_wall"], values["requests"], values["module_wall_s"]["n"]))
    if meta["shortened"]:
        lines += ["", "Fewer runs than planned, to stay within the time budget: %s." % "; ".join(meta["shortened"])]
    lines += ["", "## Targets", ""]
    for number, scenario in report["scenarios"].items():
        for item in scenario.get("targets", []):
            verdict = {True: "met", False: "MISSED", None: "not measured"}[item["met"]]
            noisy = " (noisy: %s spread over 1.5x; see CPU)" % ", ".join(item["noisy"]) if item.get("noisy") else ""
            lines.append("- S%s %s: **%s**%s. %s" % (number, item["target"], verdict, noisy, item["detail"]))
    lines += ["", "## Where the time goes", ""]
    for number in ("1", "2"):
        analysis = report["scenarios"].get(number, {}).get("analysis") or {}
        if "ours_s" in analysis:
            cpu = analysis["cpu"]
            lines.append(
                "- S%s, all items, wall s: Ansible's fixed cost (a trivial module returning nothing) %.2f + Ansible carrying "
                "the items %.2f (%.0f ms per 1,000) + ours (imports, HTTP, parsing, validation, phases) %.2f = %.2f; "
                "the plain script needs %.2f for the same HTTP work.%s"
                % (number, analysis["ansible_fixed_s"], analysis["ansible_carry_s"], analysis["ansible_carry_ms_per_1000_items"],
                   analysis["ours_s"], analysis["ansible_fixed_s"] + analysis["ansible_carry_s"] + analysis["ours_s"],
                   analysis["floor_s"] - analysis["ansible_fixed_s"] - analysis["ansible_carry_s"],
                   " (A part below zero is noise between runs: read the CPU line.)" if min(analysis["ours_s"], analysis["ansible_carry_s"]) < 0
                   else ""))
            lines.append(
                "- S%s, all items, CPU s: fixed %.2f + carry %.2f + ours %.2f = %.2f; plain script %.2f; "
                "module / (plain + trivial module with the items) = %s. Summary mode: ours %.2f s wall, %.2f s CPU over the fixed cost."
                % (number, cpu["ansible_fixed_s"], cpu["ansible_carry_s"], cpu["ours_s"], cpu["module_s"], cpu["plain_s"],
                   times(cpu["module_over_floor"]), analysis["ours_summary_s"], cpu["ours_summary_s"]))
    detail = report["scenarios"].get("3", {}).get("analysis") or {}
    if "module_per_task_s" in detail:
        lines.append("- S3 per task (11-task minus 1-task playbook, / 10): module %.3f s, uri %.3f s."
                     % (detail["module_per_task_s"], detail["uri_per_task_s"]))
    if detail.get("imports"):
        lines.append("- S3 imports in a fresh interpreter, CPU s (median): " + ", ".join(
            "%s %.3f" % (label, entry["cpu_median"]) for label, entry in detail["imports"].items()) + ".")
    wait = report["scenarios"].get("4", {}).get("analysis") or {}
    for key in ("role", "module_wait", "uri_until"):
        if key in wait:
            lines.append("- S4 %s: %d requests in %d polls; after the last flip, the last poll was answered in %s s and the next task "
                         "started in %.2f s (medians)." % (key, wait[key]["requests"], wait[key]["polls"],
                                                           "%.2f" % wait[key]["poll_lag_s"] if wait[key]["poll_lag_s"] is not None else "n/a",
                                                           wait[key]["lag_s"]))
    carry = report["scenarios"].get("6", {}).get("analysis") or {}
    for name, values in carry.items():
        lines.append(
            "- S6 %s: Ansible carries 1,000 items in %.0f ms wall, %.0f ms CPU (%.2f s, %.2f s CPU for %d items over a module "
            "returning none)." % (name, values["ms_per_1000_items"], values["cpu_ms_per_1000_items"], values["seconds"],
                                  values["cpu_seconds"], values["items"]))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------- main --


def collections_path(options, workdir):
    """A copy of the collection to run: --collections, else ANSIBLE_COLLECTIONS_PATH if it has hwcloud.tasks, else a fresh copy."""
    candidates = [options.collections] if options.collections else (os.environ.get("ANSIBLE_COLLECTIONS_PATH") or "").split(os.pathsep)
    for candidate in candidates:
        if candidate and (Path(candidate) / "ansible_collections" / "hwcloud" / "tasks" / "galaxy.yml").exists():
            return Path(candidate).resolve()
    if options.collections:
        sys.exit("benchmarks: %s holds no ansible_collections/hwcloud/tasks" % options.collections)
    target = workdir / "collections"
    subprocess.run([sys.executable, str(ROOT / "tools" / "sync_view.py"), str(target)], check=True, stdout=subprocess.DEVNULL)
    return target


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run: 3 runs, 1 of the slow baselines and of S4")
    parser.add_argument("--only", default="1,2,3,4,5,6", help="comma-separated scenario numbers (default: all)")
    parser.add_argument("--runs", type=int, help="runs of each variant (default 5, 3 with --quick)")
    parser.add_argument("--slow-runs", type=int,
                        help="runs of the slow variants: the uri loops of S1/S2, their calibration, S3's 11-task playbooks "
                             "(default 3, 1 with --quick)")
    parser.add_argument("--min-runs", type=int, help="rounds run whatever the budget (default 3, 2 with --quick)")
    parser.add_argument("--budget-minutes", type=float,
                        help="past --min-runs, stop adding runs when this is spent (default 14, 9 with --quick)")
    parser.add_argument("--wait-runs", type=int, help="runs of each S4 variant (default 3, 1 with --quick)")
    parser.add_argument("--wait-window", type=float, help="seconds over which S4's tasks start (default 20, 10 with --quick)")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="injected round trip per API request (default 50)")
    parser.add_argument("--collections", help="a directory holding ansible_collections/hwcloud/tasks (default: a fresh copy)")
    parser.add_argument("--output", default=str(RESULTS), help="where latest.json and latest.md go")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs of every run)")
    options = parser.parse_args()
    quick = options.quick
    options.runs = options.runs or (3 if quick else 5)
    options.slow_runs = options.slow_runs or (1 if quick else 3)
    options.wait_runs = options.wait_runs or (1 if quick else 3)
    options.min_runs = options.min_runs or (2 if quick else 3)
    options.budget_minutes = options.budget_minutes or (9.0 if quick else 14.0)
    options.wait_window = options.wait_window or (10.0 if quick else 20.0)
    options.only = [part.strip() for part in options.only.split(",") if part.strip()]
    unknown = set(options.only) - set(TITLES)
    if unknown:
        parser.error("unknown scenario(s) %s; known: 1-6" % ", ".join(sorted(unknown)))
    return options


def git_commit():
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "plugins", "roles"], capture_output=True,
                               text=True, check=True).stdout.strip()
        return commit + (" + uncommitted changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main():
    reexec_in_venv()
    options = parse_args()
    started = time.perf_counter()
    load_start = os.getloadavg()[0]
    workdir = Path(tempfile.mkdtemp(prefix="hwcloud-bench-"))
    collections = collections_path(options, workdir)
    log("collection: %s; work directory: %s" % (collections / "ansible_collections/hwcloud/tasks", workdir))
    bench = Bench(options, workdir, collections)
    report = {"scenarios": {}}
    if {"1", "2"} & set(options.only):
        bench.done.add("6")  # S6 is measured inside S1 and S2
    variants_of = {}
    try:
        for number in ("1", "2"):
            if number in options.only:
                bench.begin(number)
                variants_of[number] = bench.gather_scenario(number, "batch" if number == "1" else "hilens")
        if "6" in options.only and not {"1", "2"} & set(options.only):
            bench.begin("6")
            variants = bench.carry_variants(["batch", "hilens"])
            bench.rounds("6", variants, options.runs, options.runs, warm=variants[:1])
            variants_of["6"] = variants
        if "3" in options.only:
            bench.begin("3")
            variants_of["3"] = bench.detail_scenario()
        if "5" in options.only:
            bench.begin("5")
            report["scenarios"]["5"] = {"title": TITLES["5"], "raw": bench.validation_scenario()}
        if "4" in options.only:
            bench.begin("4")
            variants_of["4"] = bench.wait_scenario()
    finally:
        bench.servers.stop()

    for number in ("1", "2", "3", "4"):
        if number not in variants_of:
            continue
        variants = variants_of[number]
        baseline = next((variant for variant in variants if variant.role == "baseline"), None)
        shown = [variant for variant in variants if not (variant.role or "").startswith("carry")]
        entry = {"title": TITLES[number], "baseline": baseline.key if baseline else None,
                 "variants": dict((variant.key, variant_result(variant, baseline)) for variant in shown)}
        if number in ("1", "2"):
            entry["analysis"], entry["targets"] = gather_analysis(variants, BATCH_ITEMS if number == "1" else HILENS_ITEMS)
        elif number == "3":
            entry["analysis"], entry["targets"] = detail_analysis(variants)
            entry["analysis"]["imports"] = bench.imports
        else:
            entry["analysis"], entry["targets"] = wait_analysis(variants, options.latency_ms)
        report["scenarios"][number] = entry
    if "5" in report["scenarios"]:
        entry = report["scenarios"]["5"]
        entry["analysis"], entry["targets"] = validation_analysis(entry["raw"])
    if "6" in options.only:
        # Each trivial module returning items is compared with the one returning none measured in the same rounds.
        entry = {"title": TITLES["6"], "variants": {}, "analysis": {}, "baseline": "carry_0"}
        for number in ("1", "2", "6"):
            carry = [variant for variant in variants_of.get(number, []) if (variant.role or "").startswith("carry")]
            none = next((variant for variant in carry if variant.role == "carry_none" and variant.samples), None)
            if none is None:
                continue
            suffix = "" if number == "6" else " (S%s rounds)" % number
            none.label += suffix
            entry["variants"]["carry_0" + suffix.strip(" ()").replace(" ", "_")] = variant_result(none, None)
            for variant in carry:
                if variant.role == "carry_none" or not variant.samples:
                    continue
                items = BATCH_ITEMS if variant.role == "carry_batch" else HILENS_ITEMS
                seconds = median_of([variant], variant.key) - median_of([none], none.key)
                cpu_seconds = median_of([variant], variant.key, "cpu") - median_of([none], none.key, "cpu")
                entry["variants"][variant.key] = variant_result(variant, none)
                entry["analysis"][variant.role[len("carry_"):]] = {
                    "items": items, "seconds": seconds, "ms_per_1000_items": seconds / items * 1e6,
                    "cpu_seconds": cpu_seconds, "cpu_ms_per_1000_items": cpu_seconds / items * 1e6}
        report["scenarios"]["6"] = entry

    report["scenarios"] = dict(sorted(report["scenarios"].items()))
    report["meta"] = {
        "finished": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git_commit(),
        "collection": str(collections),
        "cpus": os.cpu_count(),
        "load_start": load_start,
        "load_end": os.getloadavg()[0],
        "python": platform.python_version(),
        "latency_ms": options.latency_ms,
        "runs": options.runs,
        "slow_runs": options.slow_runs,
        "wait_runs": options.wait_runs,
        "wait_window_s": options.wait_window,
        "quick": options.quick,
        "budget_minutes": options.budget_minutes,
        "shortened": bench.short,
        "duration_s": time.perf_counter() - started,
    }
    output = Path(options.output)
    output.mkdir(parents=True, exist_ok=True)
    (output / "latest.json").write_text(json.dumps(report, indent=2, sort_keys=False) + "\n")
    text = markdown(report)
    (output / "latest.md").write_text(text)
    sys.stdout.write(text)
    if options.keep:
        log("work directory kept: %s" % workdir)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    failed = any(variant.failures for variants in variants_of.values() for variant in variants)
    failed = failed or bool(report["scenarios"].get("5", {}).get("raw", {}).get("failures"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
