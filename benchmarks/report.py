# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Markdown report of the benchmark suite (benchmarks/results/latest.md), from the report run.py assembles."""

from __future__ import annotations

from analysis import times


def fmt_spread(stat):
    return "%.2f-%.2f" % (stat["min"], stat["max"]) if stat else ""


def fmt_requests(stat):
    if not stat:
        return ""
    if stat["min"] == stat["max"]:
        return "%d" % stat["median"]
    return "%d (%d-%d)" % (stat["median"], stat["min"], stat["max"])


def fmt(value, pattern="%.2f"):
    return pattern % value if value is not None else "-"


def side_by_side(report):
    """One row per measure: the in-process path, the module path, the uri baseline, and the ratios between them."""
    scenarios = report["scenarios"]
    rows = []
    for number in ("1", "2"):
        analysis = scenarios.get(number, {}).get("analysis") or {}
        if "inproc" not in analysis:
            continue
        inproc, module, uri = analysis["inproc"], analysis["module"], analysis["uri_loop_s"]
        name = scenarios[number]["title"]
        rows.append((name + ", all items", inproc["all_items_s"], module["all_items_s"], uri,
                     "%s / %s" % (times(inproc["uri_over_all_items"]), times(module["uri_over_all_items"])),
                     times(analysis["inproc_over_module_all_items"])))
        rows.append(("S%s summary mode" % number, inproc["summary_s"], module["summary_s"], uri,
                     "%s / %s" % (times(inproc["uri_over_summary"]), times(module["uri_over_summary"])),
                     times(analysis["inproc_over_module_summary"])))
    detail = scenarios.get("3", {}).get("analysis") or {}
    if "inproc" in detail:
        uri_1 = detail["inproc"]["whole_run_s"] / detail["inproc"]["whole_run_ratio"]
        rows.append((scenarios["3"]["title"] + ", playbook of 1 task", detail["inproc"]["whole_run_s"], detail["module"]["whole_run_s"], uri_1,
                     "%s / %s" % (times(1 / detail["inproc"]["whole_run_ratio"]), times(1 / detail["module"]["whole_run_ratio"])),
                     times(detail["module"]["whole_run_s"] / detail["inproc"]["whole_run_s"])))
        per_task = [detail["inproc"]["per_task_s"], detail["module"]["per_task_s"], detail["uri_per_task_s"]]
        rows.append(("S3 one more task (11-task - 1-task playbook) / 10", per_task[0], per_task[1], per_task[2],
                     "%s / %s of uri" % (fmt(detail["inproc"]["per_task_ratio"]), fmt(detail["module"]["per_task_ratio"])),
                     times(per_task[1] / per_task[0]) if per_task[0] > 0 else "-"))
    wait = scenarios.get("4", {}).get("analysis") or {}
    for inproc, module, what in (("role", "role_shipped", "role assert_task_states"), ("module_wait", "module_wait_shipped", "hilens_task_info wait_for")):
        if inproc in wait and module in wait and "uri_until" in wait:
            rows.append(("S4 %s: last change to the next task, median (worst) s" % what, wait[inproc]["lag_s"], wait[module]["lag_s"],
                         wait["uri_until"]["lag_s"], "worst %.2f / %.2f (bound %.2f)" % (
                             wait[inproc]["lag_max_s"], wait[module]["lag_max_s"], wait["poll_interval_s"] + wait["round_trip_s"]), ""))
    if not rows:
        return []
    lines = ["## Both paths side by side", "",
             ("Wall seconds, medians. In process: the action plugins (plugins/action/), the default on the controller; module path: "
              "`hwcloud_tasks_in_process: false`."), "",
             "| measure | in process | module path | uri baseline | uri / in process, uri / module | module / in process |",
             "| --- | ---: | ---: | ---: | --- | ---: |"]
    for name, inproc, module, uri, versus_uri, versus_module in rows:
        lines.append("| %s | %s | %s | %s | %s | %s |" % (name, fmt(inproc, "%.3f"), fmt(module, "%.3f"), fmt(uri, "%.3f"), versus_uri, versus_module))
    return lines + [""]


def variants_table(report):
    lines = [
        "## Every variant", "",
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
    return lines


def targets_list(report):
    lines = ["## Targets", ""]
    for number, scenario in report["scenarios"].items():
        for item in scenario.get("targets", []):
            verdict = {True: "met", False: "MISSED", None: "not measured"}[item["met"]]
            noisy = " (noisy: %s spread over 1.5x; see CPU)" % ", ".join(item["noisy"]) if item.get("noisy") else ""
            lines.append("- S%s %s: **%s**%s. %s" % (number, item["target"], verdict, noisy, item["detail"]))
    return lines


def where_the_time_goes(report):
    scenarios = report["scenarios"]
    lines = ["## Where the time goes", ""]
    carriers = {"inproc": "a trivial in-process action plugin", "module": "a trivial module"}
    for number in ("1", "2"):
        analysis = scenarios.get(number, {}).get("analysis") or {}
        for path in ("inproc", "module"):
            if path not in analysis:
                continue
            entry, cpu = analysis[path], analysis[path]["cpu"]
            name = "in process" if path == "inproc" else "module path"
            lines.append(
                "- S%s %s, all items, wall s: Ansible's fixed cost (%s returning nothing) %.2f + Ansible carrying the items %.2f "
                "(%.0f ms per 1,000) + ours (HTTP, parsing, validation, phases%s) %.2f = %.2f; the plain script needs %.2f for the same "
                "HTTP work. CPU s: fixed %.2f + carry %.2f + ours %.2f = %.2f; over the floor %s. Summary mode: ours %.2f s wall, "
                "%.2f s CPU over the fixed cost.%s"
                % (number, name, carriers[path], entry["ansible_fixed_s"], entry["ansible_carry_s"], entry["ansible_carry_ms_per_1000_items"],
                   ", imports" if path == "module" else "", entry["ours_s"], entry["all_items_s"], analysis["plain_s"],
                   cpu["ansible_fixed_s"], cpu["ansible_carry_s"], cpu["ours_s"], cpu["all_items_s"], times(cpu["over_floor"]),
                   entry["ours_summary_s"], cpu["ours_summary_s"],
                   " (A part below zero is noise between runs: read the CPU line.)" if min(entry["ours_s"], entry["ansible_carry_s"]) < 0 else ""))
    detail = scenarios.get("3", {}).get("analysis") or {}
    if "inproc" in detail:
        lines.append("- S3 per task (11-task minus 1-task playbook, / 10): in process %.3f s (%.3f s CPU), module path %.3f s (%.3f s CPU), "
                     "uri %.3f s (%.3f s CPU)." % (detail["inproc"]["per_task_s"], detail["inproc"]["cpu"]["per_task_s"], detail["module"]["per_task_s"],
                                                   detail["module"]["cpu"]["per_task_s"], detail["uri_per_task_s"], detail["uri_per_task_cpu_s"]))
    if detail.get("imports"):
        lines.append("- S3 imports in a fresh interpreter, CPU s (median): " + ", ".join(
            "%s %.3f" % (label, entry["cpu_median"]) for label, entry in detail["imports"].items()) + ".")
    wait = scenarios.get("4", {}).get("analysis") or {}
    for key in ("role", "module_wait", "role_shipped", "module_wait_shipped", "uri_until"):
        if key in wait:
            lines.append("- S4 %s: %d requests in %d polls; after the last flip, the last poll was answered in %s s and the next task "
                         "started in %.2f s (medians; worst %.2f s)." % (
                             key, wait[key]["requests"], wait[key]["polls"],
                             "%.2f" % wait[key]["poll_lag_s"] if wait[key]["poll_lag_s"] is not None else "n/a", wait[key]["lag_s"], wait[key]["lag_max_s"]))
    carry = scenarios.get("6", {}).get("analysis") or {}
    for values in carry.values():
        lines.append(
            "- S6 %s, %s (%s rounds): Ansible carries 1,000 items in %.0f ms wall, %.0f ms CPU (%.2f s, %.2f s CPU for %d items over "
            "the same returning none, %.2f s)." % (
                "trivial module" if values["kind"] == "module" else "trivial in-process action plugin", values["list"], values["rounds_of"],
                values["ms_per_1000_items"], values["cpu_ms_per_1000_items"], values["seconds"], values["cpu_seconds"], values["items"],
                values["none_s"]))
    return lines


def where_imports_land(report):
    probe = (report["scenarios"].get("3", {}).get("analysis") or {}).get("import_probe") or {}
    if not probe:
        return []
    lines = ["## Where the imports land", "",
             ("The 11-task playbooks of S3, out of the timed runs: `PYTHONPROFILEIMPORTTIME=1` counts the processes that import "
              "each module (the controller and every worker it forks write to the same stderr; a shipped module's report is "
              "not seen), and a callback notes when each task starts and ends."), ""]
    for key, entry in probe.items():
        imports = entry.get("imports") or {}
        counted = ", ".join("%s imported %d time(s)%s" % (
            label, value["count"], " (%s ms)" % "/".join("%.0f" % ms for ms in value["cumulative_ms"][:3]) if value["count"] else "")
            for label, value in imports.items())
        timing = ""
        if "first_task_s" in entry:
            timing = (" First task %.3f s, later tasks %.3f s (median); before the first task %.3f s, between later tasks %.3f s."
                      % (entry["first_task_s"], entry["later_tasks_s"], entry["first_gap_s"], entry["later_gaps_s"]))
        lines.append("- %s: %s.%s" % (key, counted or "no import report", timing))
    return lines


def markdown(report):
    meta = report["meta"]
    lines = [
        "# hwcloud.tasks benchmarks",
        "",
        "%s; %s; %d CPU(s), load average %.2f at the start, %.2f at the end; %s ms latency per API request; "
        "%d runs (%d of the slow baselines, %d of S4)%s; %.0f s in all."
        % (meta["finished"], meta["commit"], meta["cpus"], meta["load_start"], meta["load_end"], meta["latency_ms"],
           meta["runs"], meta["slow_runs"], meta["wait_runs"], ", quick" if meta["quick"] else "", meta["duration_s"]),
        "",
        "Ratios compare medians of the same run. CPU is the whole process tree (user + system) and is in latest.json.",
        "",
    ]
    lines += side_by_side(report)
    lines += variants_table(report)
    if meta["shortened"]:
        lines += ["", "Fewer runs than planned, to stay within the time budget: %s." % "; ".join(meta["shortened"])]
    lines += [""] + targets_list(report)
    lines += [""] + where_the_time_goes(report)
    imports = where_imports_land(report)
    if imports:
        lines += [""] + imports
    return "\n".join(lines) + "\n"
