# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The roles' filters: every variable checked before any request, the call planned from the kinds, the verdict rendered."""

from __future__ import annotations

import pathlib
import time

import pytest
import yaml
from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.hwcloud.tasks.plugins.plugin_utils.role_plans import task_facts_calls, task_states_call, task_states_result
from ansible_collections.hwcloud.tasks.plugins.module_utils.kinds import KINDS
from ansible_collections.hwcloud.tasks.plugins.module_utils.waiter import WaitCondition, Waiter

ROLES = pathlib.Path(__file__).resolve().parents[4] / "roles"


def documented_spec_of(role):
    return yaml.safe_load((ROLES / role / "meta" / "argument_specs.yml").read_text(encoding="utf-8"))["argument_specs"]["main"]["options"]


def checked_types_of(role):
    return yaml.safe_load((ROLES / role / "vars" / "main.yml").read_text(encoding="utf-8"))["%s__types" % role]


def spec_of(role):
    """The specification the role checks: its argument spec with the types of vars/main.yml in place of raw (as tasks/main.yml
    merges them)."""
    spec = documented_spec_of(role)
    for name, types in checked_types_of(role).items():
        spec[name] = dict(spec[name], **types)
    return spec


def defaults_of(role):
    return yaml.safe_load((ROLES / role / "defaults" / "main.yml").read_text(encoding="utf-8")) or {}


STATES_SPEC = spec_of("assert_task_states")
FACTS_SPEC = spec_of("gather_task_facts")


def states_vars(**values):
    """The variables the role sees: its defaults, then what the caller set."""
    merged = defaults_of("assert_task_states")
    merged.update(("assert_task_states_" + name, value) for name, value in values.items())
    return merged


def plan(**values):
    return task_states_call(states_vars(**values), STATES_SPEC)


# -- checking the variables ---------------------------------------------------------------------------


def test_a_misspelt_variable_is_refused_with_the_nearest_known_name():
    problems = plan(service="vias", task_ids=["t1"], phase=["running"])["problems"]
    assert problems == ["assert_task_states_phase is not a variable of this role (did you mean assert_task_states_phases?); it would be ignored"]


def test_the_roles_own_fact_and_internal_variables_are_not_unknown():
    values = states_vars(service="vias", task_ids=["t1"])
    values["assert_task_states_result"] = {"succeeded": True}
    values["assert_task_states__call"] = {}
    assert task_states_call(values, STATES_SPEC)["problems"] == []


def test_a_misspelt_service_names_the_five_and_the_nearest():
    problems = plan(service="vias_bach")["problems"]
    assert problems == ["assert_task_states_service must be one of hilens, vias, vas, octopus, vias_batch (got 'vias_bach') (did you mean vias_batch?)"]


def test_every_problem_is_named_in_one_run():
    problems = plan(service="hilens", task_ids=["t1"], phases=["runing"], timeout=0, markdown_mode="overwrite")["problems"]
    assert "assert_task_states_deployment_id is required for hilens" in problems
    assert "assert_task_states_task_ids is for vias and vas only" in problems
    assert any(problem.startswith("assert_task_states_phases: 'runing' is not a phase") and "did you mean running?" in problem
               for problem in problems)
    assert "assert_task_states_timeout must be at least 1 (got 0)" in problems
    assert "assert_task_states_markdown_mode must be write or append (got 'overwrite')" in problems


def test_a_value_of_the_wrong_type_is_one_line():
    problems = plan(service="vias", task_ids=["t1"], timeout="soon")["problems"]
    assert len(problems) == 1 and "assert_task_states_timeout" in problems[0] and "\n" not in problems[0]


@pytest.mark.parametrize("service, filters, expected", [
    ("octopus", {"job_type": ["FRAME_EXTRACT"]}, "not job_type (did you mean job_types?)"),
    ("vias_batch", {"workspace_id": "w"}, "filters for vias_batch take"),
    ("hilens", {"state": "RUNNING"}, "filters select from a list; hilens takes none (got state)"),
    ("octopus", {"statuses": ["DONE"]}, "filters: value of statuses must be one or more of"),
])
def test_filters_are_checked_against_the_kind_of_the_service(service, filters, expected):
    values = dict(service=service, filters=filters)
    if service == "hilens":
        values["deployment_id"] = "dep-1"
    problems = plan(**values)["problems"]
    assert any(expected in problem for problem in problems), problems


def test_raw_states_are_checked_against_the_services_own():
    problems = plan(service="vias", task_ids=["t1"], states=["FINISHED"])["problems"]
    assert problems and "assert_task_states_states has state(s) FINISHED that VIAS tasks do not have" in problems[0]


def test_vas_without_ids_is_the_service_list_with_its_filters():
    call = plan(service="vas", filters={"state": "FAILED", "name_like": "gate"}, vas_service_name="c-queue-status-analysis-edge")
    assert call["problems"] == []
    assert call["module"] == "hwcloud.tasks.vas_task_info" and call["list"] is True
    assert call["args"]["state"] == "FAILED" and call["args"]["service_name"] == "c-queue-status-analysis-edge"
    assert call["args"]["wait_min_count"] == 1 and call["args"]["summary"] is True
    assert "task_ids" not in call["args"]


def test_vas_filters_cannot_be_combined_with_task_ids():
    problems = plan(service="vas", task_ids=["t1"], filters={"state": "FAILED"})["problems"]
    assert any("cannot be combined with task_ids" in problem for problem in problems)


# -- unset is not empty: an empty selection never widens ---------------------------------------------------


def test_an_empty_list_of_task_ids_is_refused_never_every_task():
    # The natural result of a discovery step that found nothing: before, vas verified every task of the service.
    assert plan(service="vas", task_ids=[])["problems"] == [(
        "assert_task_states_task_ids is empty: an empty selection verifies nothing, it never means every VAS task; name at least "
        "one task, or leave assert_task_states_task_ids unset to select the VAS tasks by assert_task_states_filters")]
    assert plan(service="vias", task_ids=[])["problems"] == [
        "assert_task_states_task_ids is empty: an empty selection verifies nothing, it never means every VIAS task; name at least one task"]
    # An extra var arrives as a string: an empty one is just as empty.
    assert plan(service="vas", task_ids="")["problems"][0].startswith("assert_task_states_task_ids is empty")


def test_unset_task_ids_select_the_list_and_null_is_unset():
    for values in ({}, {"task_ids": None}):
        call = plan(service="vas", **values)
        assert call["problems"] == [] and call["list"] is True and "task_ids" not in call["args"]


@pytest.mark.parametrize("service, filters, expected", [
    ("octopus", {}, "assert_task_states_filters names no filter: an empty selection never means every Octopus system job"),
    ("octopus", {"workspace_id": None}, "assert_task_states_filters names no filter"),
    ("octopus", {"statuses": []}, "assert_task_states_filters.statuses is empty: an empty selection never means every Octopus system job"),
    ("octopus", {"workspace_id": "ws-1", "job_types": ""}, "assert_task_states_filters.job_types is empty"),
])
def test_empty_filters_are_refused(service, filters, expected):
    problems = plan(service=service, filters=filters)["problems"]
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_an_empty_list_of_states_is_refused_and_unset_means_the_phases():
    assert plan(service="vias", task_ids=["t1"], states=[])["problems"] == [(
        "assert_task_states_states is empty: name at least one raw state to wait for, or leave assert_task_states_states unset "
        "to wait for assert_task_states_phases")]
    assert plan(service="vias", task_ids=["t1"])["args"]["wait_for"] == ["running"]


def test_fail_on_may_be_empty_it_narrows_no_selection():
    call = plan(service="vias", task_ids=["t1"], fail_on=[])
    assert call["problems"] == [] and call["args"]["fail_on"] == []


@pytest.mark.parametrize("entry, expected", [
    ({"service": "vas", "task_ids": []}, "gather_task_facts_services[0].task_ids is empty"),
    ({"service": "octopus", "fields": []}, "gather_task_facts_services[0].fields is empty: name at least one field to keep"),
    ({"service": "octopus", "filters": {}}, "gather_task_facts_services[0].filters names no filter"),
    ({"service": "octopus", "filters": {"job_types": []}}, "gather_task_facts_services[0].filters.job_types is empty"),
])
def test_gather_refuses_an_empty_selection_too(entry, expected):
    result = task_facts_calls({"gather_task_facts_services": [entry]}, FACTS_SPEC)
    assert len(result["problems"]) == 1 and result["problems"][0].startswith(expected), result["problems"]
    assert result["calls"] == []


@pytest.mark.parametrize("role", ["assert_task_states", "gather_task_facts"])
def test_no_variable_defaults_to_an_empty_selection(role):
    # A default of [] or {} could not be told from an explicit empty one: a list or dict variable has a real default, or none.
    spec, defaults = spec_of(role), defaults_of(role)
    assert dict((name, value) for name, value in defaults.items() if value in ([], {}) and name != "gather_task_facts_connection") == {}
    for name, option in spec.items():
        assert option.get("default") not in ([], {}), name
        if name in defaults:
            assert "default" not in option or option["default"] == defaults[name], name


# -- a value of the wrong type: the role's line, not core's dump ---------------------------------------------------------


@pytest.mark.parametrize("role", ["assert_task_states", "gather_task_facts"])
def test_every_variable_core_could_refuse_is_raw_with_its_type_in_the_roles_check_and_description(role):
    words = {"int": "An integer", "list": "A list", "dict": "A dictionary"}
    documented, checked = documented_spec_of(role), checked_types_of(role)
    for name, option in documented.items():
        if option.get("type", "str") not in ("str", "path"):
            assert option["type"] == "raw" and name in checked, "%s: core's check could refuse it, declare it raw" % name
    for name, types in checked.items():
        description = " ".join(documented[name]["description"] if isinstance(documented[name]["description"], list)
                               else [documented[name]["description"]])
        assert documented[name]["type"] == "raw", name
        assert words[types["type"]] in description, "%s: the description says it is %s" % (name, words[types["type"]].lower())


@pytest.mark.parametrize("role", ["assert_task_states", "gather_task_facts"])
def test_no_argument_spec_text_holds_a_template(role):
    # ansible-core passes the spec as the arguments of its validation task and templates them: "{{ x }}" in a
    # description would fail every call of the role with "'x' is undefined".
    text = (ROLES / role / "meta" / "argument_specs.yml").read_text(encoding="utf-8")
    assert "{{" not in text and "{%" not in text


@pytest.mark.parametrize("variable, value, expected", [
    ("timeout", "5m", "assert_task_states_timeout must be an integer, for example 600 (got '5m')"),
    ("task_ids", {"tasks": []}, "assert_task_states_task_ids must be a list (got a dictionary)"),
    ("connection", ["password=s3cret"], "assert_task_states_connection must be a dictionary (got a list)"),
    ("connection", {"validate_certs": "maybe"}, "validate_certs' is of type str found in 'assert_task_states_connection'"),
])
def test_a_wrong_type_passes_cores_check_and_gets_the_roles_one_line(variable, value, expected):
    # What ansible-core's validate_argument_spec does with the documented spec before the role's first task.
    core = ArgumentSpecValidator(documented_spec_of("assert_task_states")).validate({"assert_task_states_" + variable: value})
    assert core.error_messages == []
    problems = plan(service="vias", **dict({"task_ids": ["t1"]}, **{variable: value}))["problems"]
    assert len(problems) == 1 and expected in problems[0] and "\n" not in problems[0], problems


# -- the plan -----------------------------------------------------------------------------------------


def test_the_plan_waits_for_the_whole_timeout_in_one_call_with_progress():
    call = plan(service="hilens", deployment_id="dep-1", timeout=35, poll_interval=2, progress_interval=10, junit_path="/tmp/j.xml")
    assert call["args"] == {
        "deployment_id": "dep-1", "wait_for": ["running"], "wait_for_states": [], "fail_on": ["failed"], "wait_timeout": 35,
        "wait_sleep": 2, "wait_progress": 10, "wait_min_count": 1, "summary": True, "return_items": True,
        "fields": list(KINDS["hilens"].report_fields)}
    assert call["title"] == "hwcloud.tasks hilens: deployment dep-1"


def test_extra_vars_given_as_strings_are_converted():
    call = plan(service="vias", task_ids="t1, t2", phases="running,succeeded", timeout="90")
    assert call["problems"] == []
    assert call["args"]["task_ids"] == ["t1", "t2"] and call["args"]["wait_for"] == ["running", "succeeded"]
    assert call["args"]["wait_timeout"] == 90


def test_states_replace_phases():
    call = plan(service="vias_batch", states=["running", "succeeded"])
    assert call["args"]["wait_for"] == [] and call["args"]["wait_for_states"] == ["RUNNING", "SUCCEEDED"]


def test_gather_plans_one_call_per_service_and_refuses_repeats_and_typos():
    good = task_facts_calls({"gather_task_facts_services": [
        {"service": "octopus", "filters": {"statuses": ["RUNNING"]}, "summary": True, "return_items": False},
        {"service": "vias", "task_ids": ["t1"]}]}, FACTS_SPEC)
    assert good["problems"] == []
    assert [(call["module"], call["fact"]) for call in good["calls"]] == [
        ("hwcloud.tasks.octopus_system_job_info", "hwcloud_tasks_octopus"), ("hwcloud.tasks.vias_task_info", "hwcloud_tasks_vias")]
    assert good["calls"][0]["args"] == {"statuses": ["RUNNING"], "summary": True, "return_items": False}
    bad = task_facts_calls({"gather_task_facts_services": [{"service": "vias"}, {"service": "vias", "task_ids": ["t"]}],
                            "gather_task_facts_conection": {}}, FACTS_SPEC)
    assert "gather_task_facts_conection is not a variable of this role (did you mean gather_task_facts_connection?); it would be ignored" in bad["problems"]
    assert "gather_task_facts_services[0].task_ids must name at least one task for vias" in bad["problems"]
    assert "vias is listed more than once" in bad["problems"]
    assert bad["calls"] == []
    assert task_facts_calls({}, FACTS_SPEC)["problems"] == ["gather_task_facts_services must list at least one service to read"]


def test_the_roles_spec_leaves_to_the_filter_what_it_words_better():
    # Core checks a role's arguments first and dumps its whole spec on a failure: the spec therefore declares no
    # choices and no required service, which the filter checks itself in one line.
    for spec in (STATES_SPEC, FACTS_SPEC):
        text = yaml.safe_dump(spec)
        assert "choices:" not in text.replace("schema_validation", "")
        assert "required: true" not in text


# -- the verdict --------------------------------------------------------------------------------------


class Clock:
    now = 0.0

    def clock(self):
        return self.now

    def pause(self, seconds):
        self.now += seconds


def waited(items_by_poll, condition, timeout=10):
    """A real wait outcome of the VIAS kind over the polls given, as the module returns it under ``wait``."""
    clock = Clock()
    polls = iter(items_by_poll)

    def poll(_pending, _deadline):
        clock.now += 0.1
        return next(polls, items_by_poll[-1])

    return Waiter(KINDS["vias"], condition, timeout, 1, False, clock=clock.clock, pause=clock.pause).run(poll).to_result()


def test_the_verdict_renders_the_waits_outcome_with_the_title():
    call = plan(service="vias", task_ids=["t1", "t2"], timeout=10, poll_interval=1, max_listed=1)
    items = [{"id": "t1", "state": "FAILED", "phase": "failed", "name": "gate-1", "error": {"code": "VIAS.1", "message": "boom"}},
             {"id": "t2", "state": "FAILED", "phase": "failed"}]
    wait = waited([items], WaitCondition(["running"], forbidden_phases=["failed"]))
    verdict = task_states_result({"failed": True, "msg": wait["message"], "tasks": items, "wait": wait}, call, started="2025-05-01T08:00:00Z")
    assert verdict["succeeded"] is False and verdict["reason"] == "forbidden"
    assert verdict["headline"] == wait["headline"] == "2 of 2 VIAS task(s) reached a forbidden phase (failed) after 0.1 s"
    assert verdict["offenders"] == wait["offenders"] and verdict["not_reached"] == ["t1", "t2"]
    assert verdict["by_phase"]["failed"] == 2 and verdict["count"] == 2 and verdict["timeout"] == 10
    assert verdict["message"].splitlines() == [
        "assert_task_states hwcloud.tasks vias: 2 task(s): 2 of 2 VIAS task(s) reached a forbidden phase (failed) after 0.1 s",
        "- t1 (gate-1): state FAILED, phase failed, reason: VIAS.1: boom, watched 0.1 s",
        "- ... and 1 more in assert_task_states_result.offenders",
    ]


def test_the_role_words_a_timeout_with_its_own_timeout_and_the_time_it_watched():
    call = plan(service="vias", task_ids=["t1"], timeout=35, poll_interval=1)
    wait = waited([[{"id": "t1", "state": "PENDING", "phase": "pending"}]], WaitCondition(["running"]), timeout=2)
    verdict = task_states_result({"failed": True, "wait": wait, "tasks": []}, call, started_at=time.time() - 35.2)
    assert verdict["timeout"] == 35 and 35.2 <= verdict["waited"] < 36
    assert verdict["headline"].startswith("1 of 1 VIAS task(s) not running within assert_task_states_timeout=35 s (watched 35.")
    assert wait["headline"].startswith("1 of 1 VIAS task(s) not running within wait_timeout=2 s")


def test_a_call_that_failed_before_any_poll_is_an_error_verdict():
    call = plan(service="vias", task_ids=["t1"])
    verdict = task_states_result({"failed": True, "msg": "HTTP 401 APIG.0301: bad token.\nCheck it"}, call)
    assert verdict["reason"] == "error" and not verdict["succeeded"]
    assert verdict["headline"] == "could not read the VIAS tasks: HTTP 401 APIG.0301: bad token. Check it"


def test_the_verdict_needs_a_result_and_a_plan():
    with pytest.raises(AnsibleFilterError):
        task_states_result("nope", {})
