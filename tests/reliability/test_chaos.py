# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Seeded chaos: no false green, no traceback, no run past its timeout, whatever the server does.

Fifteen runs (three truths x five seeds), each against an emulator in chaos mode that answers a
quarter of the requests wrongly but never lies about the state of an item it serves. Each run
waits with every module for its selection to run, then calls the role, so 90 verdicts in all:

- truth ``failed`` (one item of each selection failed) and ``pending`` (one stays pending for
  ever): no verdict may be green, whatever the chaos did;
- truth ``running``: a green verdict is true; the share of them is reported (retries recover
  most of the chaos), and a red one must say why.

Every call ends within its timeout plus one poll interval and a margin for Ansible's own steps,
and no failure is a traceback. The figures go to tests/output/reliability/chaos.md.
"""

from __future__ import annotations

import pytest

import chaos_support
from reliability_support import OUTPUT_DIR, no_traceback

# Ansible's own steps around a call (the role's ten tasks, result processing) with fifteen hosts on two cores:
# the wall time is only checked for runaways; what the calls watched is checked exactly below.
MARGIN = 15


@pytest.fixture(scope="module")
def chaos_runs(ansible_env, tmp_path_factory):
    playbook_run, runs = chaos_support.run(ansible_env, tmp_path_factory.mktemp("chaos"))
    assert runs and all(run.modules for run in runs), "a run left nothing:\n%s" % playbook_run.output[-5000:]
    write_report(runs)
    return playbook_run, runs


def write_report(runs):
    lines = ["# Seeded chaos", "", "| truth | calls | green | red | requests | chaos answers |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for truth in chaos_support.TRUTHS:
        mine = [run for run in runs if run.truth == truth]
        verdicts = [green for run in mine for _call, green, _result in run.verdicts()]
        lines.append("| %s | %d | %d | %d | %d | %d |" % (
            truth, len(verdicts), sum(verdicts), len(verdicts) - sum(verdicts),
            sum(run.chaos.get("requests", 0) for run in mine), sum(run.chaos.get("applied_total", 0) for run in mine)))
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUTPUT_DIR / "chaos.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_chaos_answered_a_share_of_the_requests_wrongly(chaos_runs):
    _playbook_run, runs = chaos_runs
    for run in runs:
        assert run.chaos["enabled"] and run.chaos["applied_total"] > 0, "%s: chaos never struck: %s" % (run.host, run.chaos)
    kinds = set(kind for run in runs for kind, count in run.chaos["applied"].items() if count)
    # Over fifteen seeds every kind of wrong answer turns up.
    assert {"short_page", "lying_total", "foreign_page", "foreign_id", "drip", "truncated", "throttle_retry_after"} <= kinds, kinds


@pytest.mark.parametrize("truth", ["failed", "pending"])
def test_no_false_green_when_an_item_never_runs(chaos_runs, truth):
    _playbook_run, runs = chaos_runs
    for run in (run for run in runs if run.truth == truth):
        for call, green, result in run.verdicts():
            assert not green, "FALSE GREEN: %s, seed %d, %s said every item runs: %s" % (truth, run.seed, call, str(result)[:2000])
            assert result.get("failed") or result.get("succeeded") is False, "%s %s: %s" % (run.host, call, str(result)[:1000])


def test_no_traceback_and_every_failure_says_why(chaos_runs):
    playbook_run, runs = chaos_runs
    assert "Traceback" not in playbook_run.output
    for run in runs:
        for call, green, result in run.verdicts():
            assert not no_traceback(playbook_run, result), "%s %s: %s" % (run.host, call, no_traceback(playbook_run, result))
            if not green:
                assert (result.get("msg") or result.get("message") or "").strip(), "%s %s: a red verdict without a reason" % (run.host, call)


def test_no_call_runs_past_its_timeout(chaos_runs):
    _playbook_run, runs = chaos_runs
    for run in runs:
        for call, seconds in run.seconds.items():
            limit = (chaos_support.ROLE_TIMEOUT if call == "role" else chaos_support.WAIT_TIMEOUT) + 1 + MARGIN
            assert seconds <= limit, "%s: %s took %.1f s, past its %d s timeout" % (run.host, call, seconds, limit - 1 - MARGIN)
        for module, result in run.modules.items():
            waited = (result.get("wait") or {}).get("waited")
            if waited is not None:
                assert waited <= chaos_support.WAIT_TIMEOUT + 1, "%s %s waited %.1f s" % (run.host, module, waited)
        waited = (run.role.get("result") or {}).get("waited")
        if waited is not None:
            # The role's whole call, its own steps included, within its timeout plus one poll interval (1 s).
            assert waited <= chaos_support.ROLE_TIMEOUT + 1, "%s: the role watched %.1f s" % (run.host, waited)


def test_retries_recover_most_true_greens(chaos_runs):
    _playbook_run, runs = chaos_runs
    verdicts = [(run.host, call, green, result) for run in runs if run.truth == "running" for call, green, result in run.verdicts()]
    greens = sum(1 for _host, _call, green, _result in verdicts if green)
    share = greens / float(len(verdicts))
    print("chaos: %d of %d verdicts green when every item runs (%.0f%%)" % (greens, len(verdicts), 100 * share))
    # A quarter of all requests answered wrongly: the retries and the next polls still see most through.
    assert share >= 0.6, "only %d of %d true greens: %s" % (greens, len(verdicts), [
        "%s %s: %s" % (host, call, (result.get("msg") or result.get("message") or "")[:200]) for host, call, green, result in verdicts if not green])
