# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Analysis of the benchmark suite: medians, ratios and target verdicts from the samples of scenarios.py.

Every ratio compares medians of variants measured in the same rounds. Each
function returns ``(analysis, targets)``: the numbers kept in latest.json, and
the verdicts report.py lists.
"""

from __future__ import annotations

import statistics

from scenarios import BATCH_ITEMS, HILENS_ITEMS, POLL_INTERVAL, WAIT_TASKS

# Issue #12's targets.
MODULE_FLOOR_RATIO = 1.25  # all items, within this of (plain script + trivial module returning the same items)
INPROC_FLOOR_RATIO = 1.25  # all items in process, within this of (plain script + trivial action plugin returning them)
ALL_ITEMS_OVER_URI = 4.0  # all items, at least this much faster than the uri loop
MODULE_SUMMARY_OVER_URI = 20.0  # summary mode on the module path, at least this much faster than the uri loop
INPROC_SUMMARY_OVER_URI = 25.0  # summary mode in process
INPROC_OVER_MODULE = 1.5  # all items: in process at least this much faster than the module path
DETAIL_MODULE_RATIO = 1.1  # one task's detail on the module path, within this of uri (whole run and per task)
DETAIL_INPROC_PER_TASK = 0.25  # one task's detail in process, per task, at most this much of uri's


def summarize(values):
    values = [value for value in values if value is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values), "samples": values}


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


def ratio(numerator, denominator):
    return numerator / denominator if numerator is not None and denominator else None


def gather_analysis(variants, service):
    """Targets and the split of each path's time between Ansible and us (S1, S2)."""
    items = BATCH_ITEMS if service == "batch" else HILENS_ITEMS
    keys = ("inproc", "inproc_summary", "module", "module_summary", "uri_loop", "plain", "uri_pair",
            "carry_0", "carry_" + service, "carry_action_0", "carry_action_" + service)
    wall = dict((key, median_of(variants, key)) for key in keys)
    cpu = dict((key, median_of(variants, key, "cpu")) for key in keys)
    if None in wall.values():
        missing = ", ".join(key for key, value in wall.items() if value is None)
        return {"incomplete": missing}, [target("all targets", None, "no samples of %s; see failures" % missing)]
    uri, plain, pair = wall["uri_loop"], wall["plain"], wall["uri_pair"]
    analysis = {"items": items, "uri_loop_s": uri, "plain_s": plain, "uri_pair_s": pair,
                "inproc_over_module_all_items": wall["module"] / wall["inproc"],
                "inproc_over_module_summary": wall["module_summary"] / wall["inproc_summary"],
                "inproc_over_module_all_items_cpu": cpu["module"] / cpu["inproc"]}
    targets = []
    paths = (("inproc", "carry_action_", "trivial in-process action plugin", INPROC_FLOOR_RATIO, INPROC_SUMMARY_OVER_URI),
             ("module", "carry_", "trivial module", MODULE_FLOOR_RATIO, MODULE_SUMMARY_OVER_URI))
    for path, carry, carrier, floor_ratio, summary_over_uri in paths:
        every, summary = wall[path], wall[path + "_summary"]
        fixed, with_items = wall[carry + "0"], wall[carry + service]
        cpu_every, cpu_summary = cpu[path], cpu[path + "_summary"]
        cpu_fixed, cpu_items = cpu[carry + "0"], cpu[carry + service]
        floor = plain + with_items
        analysis[path] = {
            "all_items_s": every, "summary_s": summary, "floor_s": floor, "over_floor": every / floor,
            "uri_over_all_items": uri / every, "uri_over_summary": uri / summary, "summary_over_uri_pair": summary / pair,
            "ansible_fixed_s": fixed, "ansible_carry_s": with_items - fixed,
            "ansible_carry_ms_per_1000_items": (with_items - fixed) / items * 1e6,
            "ours_s": every - with_items, "ours_summary_s": summary - fixed,
            "summary_ceiling": uri / fixed, "summary_limit": uri / (fixed + plain),
            "cpu": {"all_items_s": cpu_every, "summary_s": cpu_summary, "plain_s": cpu["plain"], "ansible_fixed_s": cpu_fixed,
                    "ansible_carry_s": cpu_items - cpu_fixed, "ours_s": cpu_every - cpu_items, "ours_summary_s": cpu_summary - cpu_fixed,
                    "over_floor": cpu_every / (cpu["plain"] + cpu_items)},
        }
        name = "in process" if path == "inproc" else "module path"
        targets.append(target(
            "%s, all items within %.2fx of (plain script + %s with the same items)" % (name, floor_ratio, carrier), every / floor <= floor_ratio,
            "%.2f s / (plain %.2f s + %s %.2f s = %.2f s) = %s (target <= %.2fx); CPU %s"
            % (every, plain, carrier, with_items, floor, times(every / floor), floor_ratio, times(cpu_every / (cpu["plain"] + cpu_items))),
            pick(variants, path, "plain", carry + service)))
        targets.append(target(
            "%s, all items >= %.0fx faster than the uri loop" % (name, ALL_ITEMS_OVER_URI), uri / every >= ALL_ITEMS_OVER_URI,
            "uri loop %.2f s / %.2f s = %s faster; CPU %s" % (uri, every, times(uri / every), times(cpu["uri_loop"] / cpu_every)),
            pick(variants, "uri_loop", path)))
        targets.append(target(
            "%s, summary mode >= %.0fx faster than the uri loop" % (name, summary_over_uri), uri / summary >= summary_over_uri,
            "uri loop %.2f s / summary %.2f s = %s faster; CPU %s; the ceiling, uri loop / %s returning nothing, is %s; "
            "the limit, uri loop / (that + plain script), is %s"
            % (uri, summary, times(uri / summary), times(cpu["uri_loop"] / cpu_summary), carrier, times(uri / fixed), times(uri / (fixed + plain))),
            pick(variants, "uri_loop", path + "_summary")))
        targets.append(target(
            "stretch: %s, summary mode faster than two single uri calls" % name, summary < pair,
            "summary %.2f s vs two uri calls %.2f s (%s); CPU %.2f s vs %.2f s" % (summary, pair, times(summary / pair), cpu_summary, cpu["uri_pair"]),
            pick(variants, path + "_summary", "uri_pair")))
    targets.append(target(
        "all items: in process >= %.1fx faster than the module path" % INPROC_OVER_MODULE, wall["module"] / wall["inproc"] >= INPROC_OVER_MODULE,
        "module path %.2f s / in process %.2f s = %s; CPU %.2f s / %.2f s = %s; summary mode %.2f s / %.2f s = %s"
        % (wall["module"], wall["inproc"], times(wall["module"] / wall["inproc"]), cpu["module"], cpu["inproc"],
           times(cpu["module"] / cpu["inproc"]), wall["module_summary"], wall["inproc_summary"],
           times(wall["module_summary"] / wall["inproc_summary"])),
        pick(variants, "module", "inproc")))
    return analysis, targets


def carry_analysis(variants_of):
    """S6: per kind (module, action) and per list, Ansible's cost of carrying the items, from the rounds of S1, S2 or S6."""
    analysis = {}
    for number in ("1", "2", "6"):
        for kind, prefix in (("module", "carry_"), ("action", "carry_action_")):
            variants = variants_of.get(number, [])
            none = median_of(variants, prefix + "0")
            none_cpu = median_of(variants, prefix + "0", "cpu")
            if none is None:
                continue
            for name, items in (("batch", BATCH_ITEMS), ("hilens", HILENS_ITEMS)):
                carried = median_of(variants, prefix + name)
                if carried is None:
                    continue
                seconds, cpu_seconds = carried - none, median_of(variants, prefix + name, "cpu") - none_cpu
                analysis["%s_%s" % (kind, name)] = {
                    "kind": kind, "list": name, "rounds_of": "S" + number, "items": items, "none_s": none, "seconds": seconds,
                    "ms_per_1000_items": seconds / items * 1e6, "cpu_seconds": cpu_seconds, "cpu_ms_per_1000_items": cpu_seconds / items * 1e6}
    return analysis


def detail_analysis(variants):
    """S3: the whole run (1-task playbook) and the cost of one more task ((11 - 1 tasks) / 10) of both paths against uri."""
    keys = ("inproc_1", "module_1", "uri_1", "inproc_11", "module_11", "uri_11")
    wall = dict((key, median_of(variants, key)) for key in keys)
    cpu = dict((key, median_of(variants, key, "cpu")) for key in keys)
    if None in wall.values():
        missing = ", ".join(key for key, value in wall.items() if value is None)
        return {"incomplete": missing}, [target("all targets", None, "no samples of %s; see failures" % missing)]
    analysis, targets = {}, []
    uri_task, uri_task_cpu = (wall["uri_11"] - wall["uri_1"]) / 10, (cpu["uri_11"] - cpu["uri_1"]) / 10
    analysis["uri_per_task_s"], analysis["uri_per_task_cpu_s"] = uri_task, uri_task_cpu
    for path in ("inproc", "module"):
        task, task_cpu = (wall[path + "_11"] - wall[path + "_1"]) / 10, (cpu[path + "_11"] - cpu[path + "_1"]) / 10
        analysis[path] = {"whole_run_s": wall[path + "_1"], "per_task_s": task, "whole_run_ratio": wall[path + "_1"] / wall["uri_1"],
                          "per_task_ratio": ratio(task, uri_task),
                          "cpu": {"whole_run_s": cpu[path + "_1"], "per_task_s": task_cpu, "whole_run_ratio": cpu[path + "_1"] / cpu["uri_1"],
                                  "per_task_ratio": ratio(task_cpu, uri_task_cpu)}}
    name = {"inproc": "in process", "module": "module path"}
    for path in ("inproc", "module"):
        targets.append(target(
            "%s, one call, whole run within %.1fx of uri" % (name[path], DETAIL_MODULE_RATIO), wall[path + "_1"] / wall["uri_1"] <= DETAIL_MODULE_RATIO,
            "%.2f s / uri %.2f s = %s; CPU %.2f s / %.2f s = %s"
            % (wall[path + "_1"], wall["uri_1"], times(wall[path + "_1"] / wall["uri_1"]), cpu[path + "_1"], cpu["uri_1"],
               times(cpu[path + "_1"] / cpu["uri_1"])), pick(variants, path + "_1", "uri_1")))
    for path, bound in (("inproc", DETAIL_INPROC_PER_TASK), ("module", DETAIL_MODULE_RATIO)):
        entry = analysis[path]
        targets.append(target(
            "%s, per task (11 - 1 tasks) at most %.2fx of uri's" % (name[path], bound),
            entry["per_task_ratio"] is not None and entry["per_task_ratio"] <= bound,
            "%.3f s / uri %.3f s per task = %s; CPU %.3f s / %.3f s = %s"
            % (entry["per_task_s"], uri_task, times(entry["per_task_ratio"]) if entry["per_task_ratio"] is not None else "n/a",
               entry["cpu"]["per_task_s"], uri_task_cpu,
               times(entry["cpu"]["per_task_ratio"]) if entry["cpu"]["per_task_ratio"] is not None else "n/a"),
            pick(variants, path + "_1", path + "_11", "uri_1", "uri_11")))
    return analysis, targets


def imports_analysis(probe):
    """Where the heavy imports land (S3's probe): how many processes imported each module, and the time of the first
    task against the later ones, for each path."""
    analysis = {}
    for key, entry in (probe or {}).items():
        result = {"imports": entry.get("imports")}
        runs = []
        for timing in entry.get("timings") or []:
            tasks = [task for task in timing["tasks"] if task.get("end")]
            if len(tasks) < 2:
                continue
            durations = [task["end"] - task["start"] for task in tasks]
            gaps = [tasks[0]["start"] - timing["play_start"]] + [tasks[i]["start"] - tasks[i - 1]["end"] for i in range(1, len(tasks))]
            runs.append({"first_task_s": durations[0], "later_tasks_s": statistics.median(durations[1:]),
                         "first_gap_s": gaps[0], "later_gaps_s": statistics.median(gaps[1:])})
        if runs:
            for field in ("first_task_s", "later_tasks_s", "first_gap_s", "later_gaps_s"):
                result[field] = statistics.median(run[field] for run in runs)
            result["runs"] = len(runs)
        analysis[key] = result
    return analysis


def wait_analysis(variants, latency_ms):
    # The reader's windows of 100 overlap by one record (offsets 0, 99, 198, ...): 1 + ceil((tasks - 100) / 99) per poll.
    pages = 1 + -(-max(0, WAIT_TASKS - 100) // 99)
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
