# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Verdicts that hold during a rollout (issue 17): a list that moves while it is read is never taken as complete.

Five seeded rollouts (churn_support: the issue's own case, pages answered out of order, three random ones), each
against an emulator of its own whose four lists move between pages as a database-backed API's do, each once as it
is (failed and pending items that are never deleted) and once in truth mode (every item running). Every host waits
with the four list modules (``wait_for: running``, ``fail_on: failed``) and calls the role ``assert_task_states`` on
a second HiLens deployment, alike and moved alike: 50 verdicts per execution path, both paths.

- as it is: no verdict may be green (a failed or pending item existed for the whole run);
- truth mode: no verdict may blame an item (none is failed); the share of greens is printed;
- no traceback, every red verdict says why, no call past its timeout plus one poll interval.

The figures go to tests/output/reliability/churn.md.
"""

from __future__ import annotations

import collections

import pytest

import churn_support
from reliability_support import EXECUTION_PATHS, OUTPUT_DIR, PlaybookRun, no_traceback

# Ansible's own steps around a call (the first imports, the role's tasks) with ten hosts on two busy cores: the wall time
# is only checked for runaways; what each call watched is checked exactly.
MARGIN = 30
# The role times its whole call, but a shipped module starts (copied, a new interpreter, its imports) before the wait
# inside it starts its clock: on two cores shared with other test runs that start took up to 4.7 s, which the role
# cannot budget for.
ROLE_START = {"in_process": 0, "module": 5}


@pytest.fixture(scope="module")
def churn_runs(ansible_env, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("churn")

    # One path after the other: ten hosts at a time already keep two cores busy, and a starved emulator is a red verdict.
    finished = [churn_support.run(dict(ansible_env, **EXECUTION_PATHS[path]), workdir / path, path) for path in EXECUTION_PATHS]
    runs = [run for _playbook_run, path_runs in finished for run in path_runs]
    output = "\n".join(playbook_run.output for playbook_run, _runs in finished)
    assert runs and all(run.modules for run in runs), "a run left nothing:\n%s" % output[-5000:]
    write_report(runs)
    return output, runs


def green_share(runs):
    verdicts = [green for run in runs for _call, green, _result in run.verdicts()]
    return sum(verdicts), len(verdicts)


def reason_of(run, call, result):
    """How a call ended: its wait's reason (the role's result has its own, beside the failure of its assertion)."""
    if call == "assert_task_states":
        result = run.role.get("result") or result
    return (result.get("wait") or result).get("reason") or "failed"


def write_report(runs):
    about = "Every list module's wait and the role during seeded rollouts whose lists move between pages (test_churn.py)."
    lines = ["# Rollouts (churn)", "", about, "",
             "| path | rollout | mode | verdicts | green | red | why red | list steps | deleted | inserted |",
             "| --- | --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |"]
    for run in runs:
        greens, verdicts = green_share([run])
        why = collections.Counter(reason_of(run, call, result) for call, green, result in run.verdicts() if not green)
        lines.append("| %s | %s | %s | %d | %d | %d | %s | %d | %d | %d |" % (
            run.path, run.rollout, run.mode, verdicts, greens, verdicts - greens,
            ", ".join("%s %d" % pair for pair in sorted(why.items())) or "-", sum(rule["steps"] for rule in run.rules),
            sum(len(rule["deleted"]) for rule in run.rules), sum(len(rule["inserted"]) for rule in run.rules)))
    for mode, meaning in (("faithful", "false greens"), ("truth", "true greens")):
        greens, verdicts = green_share([run for run in runs if run.mode == mode])
        lines.append("")
        lines.append("%s: %d of %d verdicts green (%s)" % (mode, greens, verdicts, meaning))
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUTPUT_DIR / "churn.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_the_rollouts_moved_the_lists_and_never_deleted_a_failed_or_pending_item(churn_runs):
    _output, runs = churn_runs
    for run in runs:
        assert sum(rule["steps"] for rule in run.rules) > 0, "%s %s: no list moved: %s" % (run.path, run.host, run.rules)
        for rule in run.rules:
            assert not set(rule["protected"]) & set(rule["deleted"]), "%s %s: %s" % (run.path, run.host, rule)
            if run.mode == "faithful":
                assert rule["protected"], "%s %s: no failed or pending item in %s" % (run.path, run.host, rule["route"])
                if run.rollout in ("issue", "out_of_order"):
                    assert rule["steps"] >= 1 and rule["deleted"] and rule["inserted"], "%s %s: %s" % (run.path, run.host, rule)


def test_no_false_green_while_a_failed_or_pending_item_exists(churn_runs):
    _output, runs = churn_runs
    false_greens = ["%s %s %s: %s" % (run.path, run.host, call, ((result.get("wait") or result).get("message") or "")[:300])
                    for run in runs if run.mode == "faithful" for call, green, result in run.verdicts() if green]
    greens, verdicts = green_share([run for run in runs if run.mode == "faithful"])
    print("churn: %d false greens of %d verdicts while a failed or pending item existed" % (greens, verdicts))
    assert not false_greens, "FALSE GREEN (%d of %d): %s" % (greens, verdicts, "\n".join(false_greens))


def test_truth_mode_blames_no_item_and_reports_its_true_greens(churn_runs):
    _output, runs = churn_runs
    truth = [run for run in runs if run.mode == "truth"]
    greens, verdicts = green_share(truth)
    print("churn: %d of %d verdicts green when every item runs (%.0f%%)" % (greens, verdicts, 100.0 * greens / verdicts))
    for run in truth:
        for call, _green, result in run.verdicts():
            wait = result.get("wait") or (run.role.get("result") if call == "assert_task_states" else None) or result
            assert reason_of(run, call, result) != "forbidden" and not wait.get("offenders"), "%s %s %s blamed a running item: %s" % (
                run.path, run.host, call, str(result)[:1500])


def test_no_traceback_and_every_red_verdict_says_why(churn_runs):
    output, runs = churn_runs
    assert "Traceback" not in output
    for run in runs:
        for call, green, result in run.verdicts():
            assert not no_traceback(PlaybookRun(0, output, {}, 0, None), result), "%s %s %s" % (run.path, run.host, call)
            if not green:
                assert (result.get("msg") or result.get("message") or "").strip(), "%s %s %s: red without a reason" % (
                    run.path, run.host, call)


def test_no_call_runs_past_its_timeout(churn_runs):
    _output, runs = churn_runs
    for path in ROLE_START:
        print("churn: the role's longest call in the %s path: %.1f s of %d s allowed" % (path, max(
            (run.role.get("result") or {}).get("waited") or 0 for run in runs if run.path == path),
            churn_support.ROLE_TIMEOUT + churn_support.ROLE_POLL + ROLE_START[path]))
    for run in runs:
        for call, seconds in run.seconds.items():
            limit = (churn_support.ROLE_TIMEOUT + churn_support.ROLE_POLL if call == "role"
                     else churn_support.WAIT_TIMEOUT + churn_support.WAIT_SLEEP) + MARGIN
            assert seconds <= limit, "%s %s: %s took %.1f s" % (run.path, run.host, call, seconds)
        for module, result in run.modules.items():
            waited = (result.get("wait") or {}).get("waited")
            assert waited is not None, "%s %s %s: no wait in %s" % (run.path, run.host, module, str(result)[:500])
            assert waited <= churn_support.WAIT_TIMEOUT + churn_support.WAIT_SLEEP, "%s %s %s waited %.1f s" % (
                run.path, run.host, module, waited)
        waited = (run.role.get("result") or {}).get("waited")
        limit = churn_support.ROLE_TIMEOUT + churn_support.ROLE_POLL + ROLE_START[run.path]
        assert waited is not None and waited <= limit, "%s %s: the role watched %s s: %s" % (run.path, run.host, waited, run.role)
