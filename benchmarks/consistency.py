# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What consistency costs on a still list: python benchmarks/consistency.py [--runs N] [--baseline-ref REF].

The consistent reader (overlapping windows, plugins/module_utils/paginate.py) reads a few
more pages than the reader before it, which trusted a still list's counts. This runs both
on the same still lists in the same rounds: 10,000 VIAS batch tasks and 5,000 HiLens tasks,
each with every item returned and with ``summary: true``, in process and as a shipped
module, and reports each variant's median next to the same variant of ``--baseline-ref``
(by default the commit before the consistent reader). The baseline is a copy of that
commit's collection made with ``git archive``; both copies talk to the same emulator, with
the same latency, through the same replay cache (benchmarks/README.md).

The issue's bound is 1.1x the previous read's wall time; the report says for each variant
whether it holds. Writes benchmarks/results/consistency.md (and .json).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from scenarios import BATCH_ITEMS, HILENS_ITEMS, RESULTS, ROOT, SHIPPED, VENV, Bench, Variant  # noqa: E402

# The commit whose reader trusted a still list's counts: the parent of the commit that made reads consistent.
DEFAULT_BASELINE_REF = "f1e6d1e^"
BOUND = 1.1


def reexec_in_venv():
    python = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() != VENV.resolve():
        if not python.exists():
            sys.exit("benchmarks: %s is missing; run `make setup` first" % python)
        os.execv(str(python), [str(python), str(Path(__file__).resolve())] + sys.argv[1:])


def collection_at(ref, target):
    """The collection as it was at ``ref``, under ``target``/ansible_collections/hwcloud/tasks."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", ref], capture_output=True, check=True).stdout
    where = target / "ansible_collections" / "hwcloud" / "tasks"
    where.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(where, filter="data")
    return target


class ConsistencyBench(Bench):
    """Bench whose variants each name the collection they run."""

    def command_of(self, variant):
        return ["env", "ANSIBLE_COLLECTIONS_PATH=%s" % variant.collections] + super().command_of(variant)


def variants_for(number, expected, copies):
    playbook = "s%s_module.yml" % number
    variants = []
    for label, path in copies:
        for key, extra in (("inproc", {}), ("inproc_summary", {"bench_summary": True}), ("module", SHIPPED),
                           ("module_summary", dict(SHIPPED, bench_summary=True))):
            settings = dict({"bench_summary": False, "bench_expected": expected}, **extra)
            variant = Variant("%s_%s" % (key, label), "%s, %s reader" % (key, label), "replay", playbook, settings, role=label)
            variant.collections = path
            variants.append(variant)
    return variants


def median(variant, field):
    values = [sample[field] for sample in variant.samples]
    return statistics.median(values) if values else None


def report(results, options, output):
    lines = [
        "# What consistency costs on a still list",
        "",
        "Same rounds, same emulator (%s ms per request), same replay cache; %d runs per variant; baseline: the collection "
        "at `%s`. Wall and CPU are medians in seconds; requests are what the emulator served per run; the bound is %.1fx "
        "the baseline's wall time." % (options.latency_ms, options.runs, options.baseline_ref, BOUND),
        "",
        "| list | variant | consistent wall | previous wall | wall ratio | consistent CPU | previous CPU | CPU ratio "
        "| requests (consistent / previous) | wall within %.1fx |" % BOUND,
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in results:
        lines.append("| %s | %s | %.2f | %.2f | %.3fx | %.2f | %.2f | %.3fx | %d / %d | %s |" % (
            row["list"], row["variant"], row["wall"], row["baseline_wall"], row["ratio"], row["cpu"], row["baseline_cpu"],
            row["cpu"] / row["baseline_cpu"], row["requests"], row["baseline_requests"], "yes" if row["ratio"] <= BOUND else "NO"))
    output.mkdir(parents=True, exist_ok=True)
    (output / "consistency.md").write_text("\n".join(lines) + "\n")
    (output / "consistency.json").write_text(json.dumps(results, indent=2) + "\n")
    return "\n".join(lines)


def main():
    reexec_in_venv()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each variant (default 5)")
    parser.add_argument("--baseline-ref", default=DEFAULT_BASELINE_REF, help="the git commit of the previous reader")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="injected round trip per API request (default 50)")
    parser.add_argument("--output", default=str(RESULTS), help="where consistency.md and .json go")
    options = parser.parse_args()
    options.min_runs, options.budget_minutes, options.only, options.slow_runs = options.runs, 60.0, ["1", "2"], 0

    workdir = Path(tempfile.mkdtemp(prefix="hwcloud-consistency-"))
    try:
        current = workdir / "current"
        subprocess.run([sys.executable, str(ROOT / "tools" / "sync_view.py"), str(current)], check=True, stdout=subprocess.DEVNULL)
        previous = collection_at(options.baseline_ref, workdir / "previous")
        bench = ConsistencyBench(options, workdir, current)
        results = []
        try:
            for number, name, expected in (("1", "10,000 VIAS batch tasks", BATCH_ITEMS), ("2", "5,000 HiLens tasks", HILENS_ITEMS)):
                bench.begin(number)
                variants = variants_for(number, expected, [("consistent", current), ("previous", previous)])
                bench.rounds(number, variants, options.runs, 0, warm=variants)
                by_key = dict((variant.key, variant) for variant in variants)
                for key in ("inproc", "inproc_summary", "module", "module_summary"):
                    now, before = by_key[key + "_consistent"], by_key[key + "_previous"]
                    if not now.samples or not before.samples:
                        sys.exit("consistency: %s has no successful run (see the log above)" % key)
                    results.append({
                        "list": name, "variant": key, "wall": median(now, "wall"), "baseline_wall": median(before, "wall"),
                        "ratio": median(now, "wall") / median(before, "wall"), "cpu": median(now, "cpu"),
                        "baseline_cpu": median(before, "cpu"), "requests": int(median(now, "requests")),
                        "baseline_requests": int(median(before, "requests")),
                    })
        finally:
            bench.servers.stop()
        print(report(results, options, Path(options.output)))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
