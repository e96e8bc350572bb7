# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmarks of hwcloud.tasks against its emulator: python benchmarks/run.py [--quick] [--only 1,3] [--runs N].

Starts the emulator itself, runs every scenario several times (variants
interleaved, in a rotating order, so that a noisy neighbour hurts them all
alike), each module both in process and on the module path, and writes
benchmarks/results/latest.json and latest.md. Only ratios measured in the same
run are meant to be compared. See benchmarks/README.md.

The work is split: scenarios.py runs and times the variants, analysis.py
turns the samples into ratios and verdicts, report.py writes latest.md; this
file parses the options and puts them together.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import analysis
import report as reporting
from scenarios import BATCH_ITEMS, HILENS_ITEMS, RESULTS, ROOT, TITLES, VENV, WEIGHTS, Bench, log


def reexec_in_venv():
    """Run under the project's virtualenv (ansible-core, requests, jsonschema, aiohttp)."""
    python = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    if not python.exists():
        sys.exit("benchmarks: %s is missing; run `make setup` first" % python)
    os.execv(str(python), [str(python), str(Path(__file__).resolve())] + sys.argv[1:])


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
                             "of the module path and uri (default 3, 1 with --quick)")
    parser.add_argument("--min-runs", type=int, help="rounds run whatever the budget (default 3, 2 with --quick)")
    parser.add_argument("--budget-minutes", type=float,
                        help="past --min-runs, stop adding runs when this is spent (default 20, 10 with --quick)")
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
    options.budget_minutes = options.budget_minutes or (10.0 if quick else 20.0)
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


def run_scenarios(bench, options):
    """Run the scenarios asked for; returns (variants by scenario number, S5's raw result or None)."""
    variants_of, validation = {}, None
    if {"1", "2"} & set(options.only):
        bench.done.add("6")  # S6 is measured inside S1 and S2
    for number in ("1", "2"):
        if number in options.only:
            bench.begin(number)
            variants_of[number] = bench.gather_scenario(number, "batch" if number == "1" else "hilens")
    if "6" in options.only and not {"1", "2"} & set(options.only):
        bench.begin("6")
        variants = bench.carry_variants(["batch", "hilens"])
        bench.rounds("6", variants, options.runs, options.runs, warm=[variants[0], variants[3]])
        variants_of["6"] = variants
    if "3" in options.only:
        bench.begin("3")
        variants_of["3"] = bench.detail_scenario()
    if "5" in options.only:
        bench.begin("5")
        validation = bench.validation_scenario()
    if "4" in options.only:
        bench.begin("4")
        variants_of["4"] = bench.wait_scenario()
    return variants_of, validation


def analyse(bench, options, variants_of, validation):
    """The report's scenarios: every variant's numbers, the analysis and the targets of each."""
    scenarios = {}
    for number in ("1", "2", "3", "4"):
        if number not in variants_of:
            continue
        variants = variants_of[number]
        baseline = next((variant for variant in variants if variant.role == "baseline"), None)
        shown = [variant for variant in variants if not variant.key.startswith("carry")]
        entry = {"title": TITLES[number], "baseline": baseline.key if baseline else None,
                 "variants": dict((variant.key, analysis.variant_result(variant, baseline)) for variant in shown)}
        if number in ("1", "2"):
            entry["analysis"], entry["targets"] = analysis.gather_analysis(variants, "batch" if number == "1" else "hilens")
        elif number == "3":
            entry["analysis"], entry["targets"] = analysis.detail_analysis(variants)
            entry["analysis"]["imports"] = bench.imports
            entry["analysis"]["import_probe"] = analysis.imports_analysis(bench.import_probe)
        else:
            entry["analysis"], entry["targets"] = analysis.wait_analysis(variants, options.latency_ms)
        scenarios[number] = entry
    if validation is not None:
        entry = {"title": TITLES["5"], "raw": validation}
        entry["analysis"], entry["targets"] = analysis.validation_analysis(validation)
        scenarios["5"] = entry
    if "6" in options.only:
        # Each trivial carrier returning items is compared with the same carrier returning none, measured in the same rounds.
        entry = {"title": TITLES["6"], "variants": {}, "analysis": analysis.carry_analysis(variants_of)}
        for number in ("1", "2", "6"):
            carry = [variant for variant in variants_of.get(number, []) if variant.key.startswith("carry")]
            for variant in carry:
                none = next(other for other in carry if other.key == ("carry_action_0" if variant.key.startswith("carry_action") else "carry_0"))
                suffix = "" if number == "6" else " (S%s rounds)" % number
                result = analysis.variant_result(variant, none if variant is not none else None)
                result["label"] += suffix
                entry["variants"][variant.key + ("" if number == "6" else "_s" + number)] = result
        scenarios["6"] = entry
    return dict(sorted(scenarios.items()))


def main():
    reexec_in_venv()
    options = parse_args()
    started = time.perf_counter()
    load_start = os.getloadavg()[0]
    workdir = Path(tempfile.mkdtemp(prefix="hwcloud-bench-"))
    collections = collections_path(options, workdir)
    log("collection: %s; work directory: %s" % (collections / "ansible_collections/hwcloud/tasks", workdir))
    bench = Bench(options, workdir, collections)
    try:
        variants_of, validation = run_scenarios(bench, options)
    finally:
        bench.servers.stop()
    report = {"scenarios": analyse(bench, options, variants_of, validation)}
    report["meta"] = {
        "finished": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git_commit(),
        "collection": str(collections),
        "cpus": os.cpu_count(),
        "load_start": load_start,
        "load_end": os.getloadavg()[0],
        "python": platform.python_version(),
        "latency_ms": options.latency_ms,
        "items": {"batch": BATCH_ITEMS, "hilens": HILENS_ITEMS},
        "runs": options.runs,
        "slow_runs": options.slow_runs,
        "wait_runs": options.wait_runs,
        "wait_window_s": options.wait_window,
        "quick": options.quick,
        "budget_minutes": options.budget_minutes,
        "weights": WEIGHTS,
        "shortened": bench.short,
        "duration_s": time.perf_counter() - started,
    }
    output = Path(options.output)
    output.mkdir(parents=True, exist_ok=True)
    (output / "latest.json").write_text(json.dumps(report, indent=2, sort_keys=False) + "\n")
    text = reporting.markdown(report)
    (output / "latest.md").write_text(text)
    sys.stdout.write(text)
    if options.keep:
        log("work directory kept: %s" % workdir)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    failed = any(variant.failures for variants in variants_of.values() for variant in variants)
    failed = failed or bool((validation or {}).get("failures"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
