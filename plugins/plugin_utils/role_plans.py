# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the roles' filters do: check all of a role's variables before any request, plan its module calls, keep its verdict.

``task_states_call`` and ``task_facts_calls`` take every variable of their role
(as ``{name: value}``) and the role's argument spec, and return the problems
found (an unknown variable with the nearest known name, a value of the wrong
type, a rule of the service broken) and the module calls to make. What each
service takes comes from the kinds' descriptions (``module_utils/kinds.py``),
so the roles hold no table of their own. ``task_states_result`` turns the
module's result into the fact ``assert_task_states_result``: it renders the
wait's outcome, it does not work it out again. Each filter is a file of its own under ``plugins/filter/``.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.hwcloud.tasks.plugins.module_utils.kinds import KINDS, SERVICES, summarize
from ansible_collections.hwcloud.tasks.plugins.module_utils.phase import NO_STATE, PHASES
from ansible_collections.hwcloud.tasks.plugins.module_utils.waiter import render_headline, wait_problems, wanted_words

STATES_PREFIX = "assert_task_states_"
FACTS_PREFIX = "gather_task_facts_"
# Names under the prefix that are not the caller's to set: what the role sets itself.
ROLE_OUTPUTS = ("assert_task_states_result",)
MARKDOWN_MODES = ("write", "append")


def services_taking(option):
    """The services whose items an option of the roles' selection applies to, as a message names them: ``vias and vas``."""
    names = [kind.name for kind in KINDS.values() if option in kind.selection]
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)


def _nearest(name, known):
    match = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return " (did you mean %s?)" % match[0] if match else ""


def _spec_options(spec):
    if not isinstance(spec, Mapping):
        raise AnsibleFilterError("the role's argument spec must be a dictionary of options, got %s" % type(spec).__name__)
    return spec


def _check_variables(values, spec, prefix):
    """(validated values, problems, whether a value is of the wrong type): unknown names (with the nearest known one),
    then each variable's type, one line per variable, then the rest of the spec (sub-options)."""
    if not isinstance(values, Mapping):
        raise AnsibleFilterError("expected the role's variables as a dictionary, got %s" % type(values).__name__)
    known = sorted(spec)
    problems = []
    for name in sorted(values):
        if name in spec or name in ROLE_OUTPUTS or not name.startswith(prefix) or name.startswith(prefix + "_"):
            continue
        problems.append("%s is not a variable of this role%s; it would be ignored" % (name, _nearest(name, known)))
    given = dict((name, value) for name, value in values.items() if name in spec)
    wrong = dict((name, _wrong_type(name, spec[name], given[name])) for name in sorted(given))
    wrong = dict((name, problem) for name, problem in wrong.items() if problem)
    problems.extend(wrong.values())
    validation = ArgumentSpecValidator(dict((name, _without_docs(option)) for name, option in spec.items())).validate(
        dict((name, value) for name, value in given.items() if name not in wrong))
    problems.extend(_one_line(message) for message in validation.error_messages)
    return validation.validated_parameters, problems, bool(wrong)


TYPE_WORDS = {"int": "an integer", "list": "a list", "dict": "a dictionary", "bool": "true or false", "float": "a number"}


def _wrong_type(name, option, value):
    """One line when ``value`` is not of the variable's own type (its sub-options are checked afterwards), else None.

    The value is shown only when it is a plain scalar of a variable without sub-options, which could hold a secret."""
    wanted = option.get("type", "str")
    if value is None or wanted not in TYPE_WORDS:
        return None
    checked = dict((key, option[key]) for key in ("type", "elements") if key in option and option.get("elements") != "dict")
    if not ArgumentSpecValidator({name: checked}).validate({name: value}).error_messages:
        return None
    if isinstance(value, (str, int, float)) and "options" not in option:
        shown = "%r" % (value,)
    else:
        shown = "a dictionary" if isinstance(value, Mapping) else "a list" if isinstance(value, (list, tuple)) else "a %s" % type(value).__name__
    example = ", for example %s" % option["default"] if option.get("default") not in (None, [], {}, "") else ""
    return "%s must be %s%s (got %s)" % (name, TYPE_WORDS[wanted], example, shown[:80])


def _without_docs(option):
    """A role's argument spec entry as ArgumentSpecValidator takes it (no description, no version_added)."""
    kept = dict((key, value) for key, value in option.items() if key not in ("description", "version_added"))
    if isinstance(kept.get("options"), Mapping):
        kept["options"] = dict((name, _without_docs(sub)) for name, sub in kept["options"].items())
    return kept


def _one_line(text):
    return " ".join(str(text).split())


def _as_list(value):
    """A list given as a list, or as a comma-separated string (how an extra var arrives)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [str(part).strip() for part in value if str(part).strip()]


def given_but_empty(value):
    """Whether a list (or dictionary) was given but names nothing: unset is None, and is not this."""
    if value is None:
        return False
    if isinstance(value, Mapping):
        return all(part is None for part in value.values())
    return not _as_list(value)


def _empty_selection(who, kind, task_ids, filters):
    """An empty selection never widens: a list given empty (the result of a discovery that found nothing) is refused,
    never read as "no selection", which would verify every item of the service."""
    problems = []
    if given_but_empty(task_ids):
        problems.append("%stask_ids is empty: an empty selection verifies nothing, it never means every %s; name at least one "
                        "task%s" % (who, kind.title, ", or leave %stask_ids unset to select the %ss by %sfilters" % (who, kind.title, who)
                                    if kind.list_module else ""))
    if given_but_empty(filters):
        problems.append("%sfilters names no filter: an empty selection never means every %s; name at least one filter, "
                        "or leave %sfilters unset to verify every %s" % (who, kind.title, who, kind.title))
    elif isinstance(filters, Mapping):
        problems.extend("%sfilters.%s is empty: an empty selection never means every %s; name at least one, or leave %s out"
                        % (who, name, kind.title, name) for name, value in sorted(filters.items())
                        if kind.filters.get(name, {}).get("type") == "list" and given_but_empty(value))
    return problems


def _selection(who, service, deployment_id=None, task_ids=None, vas_service_name=None, filters=None):
    """(module options that select the items, problems, a few words naming the selection) for ``service``."""
    problems = []
    if service not in KINDS:
        return {}, ["%sservice must be one of %s (got %r)%s" % (who, ", ".join(SERVICES), service, _nearest(str(service), list(SERVICES)))], ""
    kind = KINDS[service]
    empty = _empty_selection(who, kind, task_ids, filters)
    problems.extend(empty)
    task_ids = _as_list(task_ids)
    filters = dict((name, value) for name, value in (filters or {}).items() if value is not None)
    args = {}
    if "deployment_id" in kind.selection:
        if not deployment_id:
            problems.append("%sdeployment_id is required for %s" % (who, service))
        args["deployment_id"] = deployment_id
    elif deployment_id:
        problems.append("%sdeployment_id is for %s only" % (who, services_taking("deployment_id")))
    if "task_ids" in kind.selection:
        if task_ids:
            args["task_ids"] = task_ids
        elif not kind.list_module and not empty:
            problems.append("%stask_ids must name at least one task for %s" % (who, service))
    elif task_ids:
        problems.append("%stask_ids is for %s only" % (who, services_taking("task_ids")))
    if "service_name" in kind.selection:
        if vas_service_name:
            args["service_name"] = vas_service_name
    elif vas_service_name:
        problems.append("%svas_service_name is for %s only" % (who, services_taking("service_name")))
    if filters and not empty:
        wrong = sorted(name for name in filters if name not in kind.filters)
        if not kind.filters:
            problems.append("%sfilters select from a list; %s takes none (got %s)" % (who, service, ", ".join(sorted(filters))))
        elif wrong:
            problems.append("%sfilters for %s take %s; not %s%s" % (
                who, service, ", ".join(sorted(kind.filters)), ", ".join(wrong), _nearest(wrong[0], sorted(kind.filters))))
        elif task_ids:
            problems.append("%sfilters select from the list of %ss; they cannot be combined with task_ids" % (who, kind.title))
        else:
            validation = ArgumentSpecValidator(dict((name, dict(spec, default=None)) for name, spec in kind.filters.items())).validate(filters)
            problems.extend("%sfilters: %s" % (who, _one_line(message)) for message in validation.error_messages)
            args.update(filters)
    if deployment_id:
        words = "deployment %s" % deployment_id
    elif task_ids:
        words = "%d task(s)" % len(task_ids)
    elif filters:
        words = ", ".join("%s=%s" % (name, ",".join(str(part) for part in value) if isinstance(value, list) else value)
                          for name, value in sorted(filters.items()))
    else:
        words = "every %s" % kind.title
    return args, problems, words


def task_states_call(values, spec):
    """The plan of one assert_task_states call: problems (empty when every variable is right) and the module call."""
    params, problems, wrong_types = _check_variables(values, _spec_options(spec), STATES_PREFIX)
    if wrong_types:  # the other checks need values of the right type
        return {"problems": problems}
    service = params.get("assert_task_states_service")
    who = STATES_PREFIX
    args, selection_problems, words = _selection(
        who, service, params.get("assert_task_states_deployment_id"), params.get("assert_task_states_task_ids"),
        params.get("assert_task_states_vas_service_name"), params.get("assert_task_states_filters"))
    problems.extend(selection_problems)
    phases = _as_list(params.get("assert_task_states_phases"))
    states = [state.upper() for state in _as_list(params.get("assert_task_states_states"))]
    if given_but_empty(params.get("assert_task_states_states")):
        problems.append("%sstates is empty: name at least one raw state to wait for, or leave %sstates unset to wait for "
                        "%sphases" % (who, who, who))
    fail_on = _as_list(params.get("assert_task_states_fail_on"))
    for name, chosen in (("phases", phases), ("fail_on", fail_on)):
        for phase in chosen:
            if phase not in PHASES:
                problems.append("%s%s: %r is not a phase; phases are %s%s" % (who, name, phase, ", ".join(PHASES), _nearest(phase, list(PHASES))))
    kind = KINDS.get(service)
    wanted = [] if states else phases
    if not wanted and not states:
        problems.append("%sphases or %sstates must name what to wait for" % (who, who))
    if kind is not None:  # the module's own checks, worded with the role's variables
        problems.extend(wait_problems(kind, wanted, states, fail_on, (who + "phases", who + "states", who + "fail_on")))
    for name in ("timeout", "poll_interval", "progress_interval"):
        value = params.get(who + name)
        if isinstance(value, int) and value < 1:
            problems.append("%s%s must be at least 1 (got %d)" % (who, name, value))
    for name in ("min_count", "max_listed"):
        value = params.get(who + name)
        if isinstance(value, int) and value < 0:
            problems.append("%s%s must be 0 or more (got %d)" % (who, name, value))
    mode = params.get(who + "markdown_mode")
    if mode not in MARKDOWN_MODES:
        problems.append("%smarkdown_mode must be write or append (got %r)" % (who, mode))
    if problems or kind is None:
        return {"problems": problems}
    list_mode = kind.list_module and "task_ids" not in args
    want_items = bool(params.get(who + "junit_path"))
    args.update(
        wait_for=wanted,
        wait_for_states=states,
        fail_on=fail_on,
        wait_timeout=params[who + "timeout"],
        wait_sleep=params[who + "poll_interval"],
        wait_progress=params[who + "progress_interval"],
    )
    if list_mode:
        args.update(wait_min_count=params[who + "min_count"], summary=True, return_items=want_items)
        if want_items:
            args["fields"] = list(kind.report_fields)
    title = params.get(who + "title") or "hwcloud.tasks %s: %s" % (service, words)
    return {
        "problems": [],
        "service": service,
        "module": "hwcloud.tasks." + kind.module,
        "args": args,
        "title": title,
        "timeout": params[who + "timeout"],
        "wanted": wanted_words(wanted, states),
        "items_key": kind.items_key,
        "list": list_mode,
        "max_listed": params[who + "max_listed"],
        "keep_going": True,
    }


def task_facts_calls(values, spec):
    """The plan of one gather_task_facts call: problems, and one module call per entry of gather_task_facts_services."""
    params, problems, wrong_types = _check_variables(values, _spec_options(spec), FACTS_PREFIX)
    if wrong_types:  # the other checks need values of the right type
        return {"problems": problems, "calls": []}
    entries = params.get("gather_task_facts_services") or []
    if not isinstance(entries, list) or not entries:
        problems.append("gather_task_facts_services must list at least one service to read")
        entries = []
    calls = []
    seen = []
    # Every check runs, so that one run names every problem at once.
    for position, entry in enumerate(entries):
        who = "gather_task_facts_services[%d]." % position
        if not isinstance(entry, Mapping):
            problems.append("%s must be a dictionary with a service" % who[:-1])
            continue
        service = entry.get("service")
        if service in seen:
            problems.append("%s is listed more than once" % service)
        seen.append(service)
        args, selection_problems, _words = _selection(
            who, service, entry.get("deployment_id"), entry.get("task_ids"), entry.get("vas_service_name"), entry.get("filters"))
        problems.extend(selection_problems)
        if service in KINDS and KINDS[service].list_module and "task_ids" not in args:
            args.update(summary=bool(entry.get("summary")), return_items=entry.get("return_items", True) is not False)
        if given_but_empty(entry.get("fields")):
            problems.append("%sfields is empty: name at least one field to keep, or leave %sfields unset to keep every field" % (who, who))
        elif entry.get("fields") is not None:
            args["fields"] = _as_list(entry.get("fields"))
        if service in KINDS:
            calls.append({"service": service, "module": "hwcloud.tasks." + KINDS[service].module, "args": args, "keep_going": False,
                          "fact": "hwcloud_tasks_%s" % service})
    return {"problems": problems, "calls": [] if problems else calls}


# -- the verdict ---------------------------------------------------------------------------------------


def _items(result, call):
    if isinstance(result.get(call["items_key"]), list):
        return result[call["items_key"]]
    if isinstance(result.get("task"), Mapping):
        return [result["task"]]
    return []


def task_states_result(result, call, started="", started_at=None):
    """The fact assert_task_states_result: the module's wait outcome (or its failure), rendered for people and reports.

    ``started_at`` (epoch seconds) is when the role started: the role words the outcome with its own timeout and the
    time it really watched, from its start, through the same renderer as the module's own headline.
    """
    if not isinstance(result, Mapping) or not isinstance(call, Mapping) or "service" not in call:
        raise AnsibleFilterError("task_states_result takes the registered result of the role's call and its plan")
    kind = KINDS[call["service"]]
    wait = result.get("wait") if isinstance(result.get("wait"), Mapping) else None
    items = _items(result, call)
    summary = result.get("summary") if isinstance(result.get("summary"), Mapping) else None
    by_phase = dict(summary["by_phase"]) if summary else summarize(kind, items, reuse_phase=True)["by_phase"]
    count = summary["total"] if summary else (wait.get("count") if wait else len(items))
    args = call["args"]
    verdict = {
        "service": call["service"],
        "title": call["title"],
        "started": started,
        "timeout": call.get("timeout", args["wait_timeout"]),
        "count": count,
        "by_phase": by_phase,
        "wanted_phases": list(args["wait_for"]),
        "wanted_states": list(args["wait_for_states"]),
        "forbidden_phases": list(args["fail_on"]),
        "min_count": args.get("wait_min_count", 0),
    }
    if wait is None:
        reason = _one_line(result.get("msg") or "the module returned no result")
        verdict.update(succeeded=False, reason="error", headline="could not read the %ss: %s" % (kind.title, reason),
                       waited=0.0, polls=0, failed_polls=0, last_poll_error=None, transitions=0, offenders=[], not_reached=[])
    else:
        watched = time.time() - float(started_at) if started_at is not None else float(wait.get("waited") or 0)
        verdict.update(
            succeeded=bool(wait.get("succeeded")),
            reason=wait.get("reason"),
            headline=render_headline(kind.title, wait, "assert_task_states_timeout", verdict["timeout"], watched),
            waited=round(watched, 3),
            polls=wait.get("polls"),
            failed_polls=wait.get("failed_polls"),
            last_poll_error=wait.get("last_poll_error"),
            transitions=len(wait.get("transitions") or []),
            offenders=list(wait.get("offenders") or []),
            not_reached=list(wait.get("not_reached") or []),
        )
    verdict["message"] = _message(verdict, call.get("max_listed", 100))
    return verdict


def _message(verdict, max_listed):
    """The title and headline, then each offender up to ``max_listed``: the role's one message."""
    lines = ["assert_task_states %s: %s" % (verdict["title"], verdict["headline"])]
    for offender in verdict["offenders"][:max_listed]:
        line = "- %s%s: state %s, phase %s" % (
            offender.get("id"), " (%s)" % offender["name"] if offender.get("name") else "", offender.get("state") or NO_STATE,
            offender.get("phase"))
        if offender.get("reason"):
            line += ", reason: %s" % offender["reason"]
        lines.append(line + ", watched %.1f s" % float(offender.get("watched_seconds") or 0))
    hidden = len(verdict["offenders"]) - max_listed
    if hidden > 0:
        lines.append("- ... and %d more in assert_task_states_result.offenders" % hidden)
    return "\n".join(lines)
