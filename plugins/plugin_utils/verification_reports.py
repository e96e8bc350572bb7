# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the filters ``junit_report`` and ``markdown_report`` do: a verification as a CI report.

Both read the same input: the fact ``assert_task_states_result`` that the role
``hwcloud.tasks.assert_task_states`` sets, or the registered result of an info
module that waited (it carries ``wait``). They are pure functions of their
input: they read no clock and no file, so the same result gives the same
report. Each filter is a file of its own under ``plugins/filter/``, with its documentation beside it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible_collections.hwcloud.tasks.plugins.module_utils.kinds import KINDS, detect_kind
from ansible_collections.hwcloud.tasks.plugins.module_utils.phase import NO_STATE, PHASES
from ansible_collections.hwcloud.tasks.plugins.module_utils.waiter import wanted_words
from ansible_collections.hwcloud.tasks.plugins.plugin_utils.phase_filters import kind_named

# Where the info modules return several items: one key per kind of the registry, in its order.
ITEM_KEYS = tuple(dict.fromkeys(kind.items_key for kind in KINDS.values()))
# Characters XML 1.0 cannot carry at all, not even escaped (control characters, lone surrogates, U+FFFE/U+FFFF).
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Characters with a meaning in Markdown (CommonMark lets any ASCII punctuation be escaped with a backslash).
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#&!])")
NOT_REACHED = "not_reached"


# -- the input ---------------------------------------------------------------


def _kind(value, items):
    if value is not None:
        return kind_named(value)
    for item in items:
        detected = detect_kind(item)
        if detected:
            return detected
    return None


def _seconds(value):
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        return 0.0


def _count(value):
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _text(value):
    return "" if value is None else str(value)


def _describe_item(kind, item):
    """id, name, raw state, phase and reason of one item as an API returned it (the kind's own description)."""
    if kind is None:
        return {"id": _text(item.get("task_id", item.get("id"))), "name": _text(item.get("name")),
                "state": _text(item.get("state")) or NO_STATE, "phase": _text(item.get("phase")) or "unknown", "reason": None}
    described = kind.describe(item, phase=item.get("phase") or None)
    return {"id": _text(described["id"]), "name": _text(described["name"]), "state": described["state"],
            "phase": described["phase"], "reason": described["reason"]}


def _offender(raw, watched):
    if not isinstance(raw, Mapping):
        raise AnsibleFilterError("each offender must be a dictionary, got %s" % type(raw).__name__)
    return {"id": _text(raw.get("id")), "name": _text(raw.get("name")), "state": _text(raw.get("state")) or NO_STATE,
            "phase": _text(raw.get("phase")) or "unknown", "reason": raw.get("reason"),
            "watched_seconds": _seconds(raw.get("watched_seconds", watched))}


def _by_phase(counts, items):
    by_phase = dict((phase, 0) for phase in PHASES)
    if isinstance(counts, Mapping):
        for phase, count in counts.items():
            by_phase[str(phase)] = int(count or 0)
        return by_phase
    for item in items:
        by_phase[item["phase"]] = by_phase.get(item["phase"], 0) + 1
    return by_phase


def _items_of(result, items):
    """The raw items (the argument, else the result's ``items``, ``tasks``, ``jobs``, ``batch_tasks`` or ``task``),
    or None when neither names any."""
    if items is None:
        items = result.get("items")
    if items is None:
        for key in ITEM_KEYS:
            if isinstance(result.get(key), list):
                items = result[key]
                break
    if items is None and isinstance(result.get("task"), Mapping):
        items = [result["task"]]
    if items is None:
        return None
    if isinstance(items, (str, bytes, Mapping)) or not hasattr(items, "__iter__"):
        raise AnsibleFilterError("items must be a list of dictionaries, got %s" % type(items).__name__)
    items = list(items)
    bad = [type(item).__name__ for item in items if not isinstance(item, Mapping)]
    if bad:
        raise AnsibleFilterError("items must be a list of dictionaries, found a %s" % bad[0])
    return items


def verification(result, items=None, service=None, title=None):
    """The input of both reports in one shape, from a role result or a module result.

    Everything the reports say comes from the wait's outcome (``wait``, or the role's result, which
    carries the same fields): its headline and message, its offenders and the ids it did not see
    reach a wanted phase. Returns a dict: service, title, succeeded, reason, headline, message,
    waited, timeout, started, count, by_phase, offenders, not_reached, items, wanted_phases,
    wanted_states, forbidden_phases, min_count, polls, failed_polls, no_read and cause. ``items`` is
    None when no item is known. ``no_read`` is true when no read succeeded (the call failed before
    any wait, or every poll failed: ``polls == failed_polls``, whatever the reason, ``unreachable``
    included), and ``cause`` is then why (the last poll's error, or the failure's message).
    """
    if not isinstance(result, Mapping):
        raise AnsibleFilterError("expected the result of hwcloud.tasks.assert_task_states or of an info module "
                                 "that waited (a dictionary), got %s" % type(result).__name__)
    raw_items = _items_of(result, items)
    kind = _kind(service if service is not None else result.get("service"), raw_items or [])
    wait = result.get("wait") if isinstance(result.get("wait"), Mapping) else result
    if "succeeded" in wait:
        succeeded = bool(wait.get("succeeded"))
        reason = _text(wait.get("reason")) or ("reached" if succeeded else "error")
    else:  # a module result that failed before any wait (bad credentials, unknown id)
        succeeded = not result.get("failed", False)
        reason = "reached" if succeeded else "error"
    if reason == "error":
        headline = message = _text(result.get("message") or result.get("msg")) or "the verification failed"
    else:
        headline = _text(wait.get("headline"))
        message = _text(wait.get("message") or result.get("message")) or headline
    waited = _seconds(wait.get("waited"))
    polls, failed_polls = _count(wait.get("polls")), _count(wait.get("failed_polls"))
    no_read = reason == "error" or (polls > 0 and polls == failed_polls)
    cause = message if reason == "error" else _text(wait.get("last_poll_error")) or headline
    offenders = [_offender(raw, waited) for raw in wait.get("offenders") or []]
    described = None if raw_items is None else [_describe_item(kind, item) for item in raw_items]
    summary = result.get("summary") if isinstance(result.get("summary"), Mapping) else {}
    by_phase = _by_phase(result.get("by_phase") or summary.get("by_phase"), described or [])
    count = result.get("count") if "wait" not in result else wait.get("count", result.get("count"))
    if not isinstance(count, int) or isinstance(count, bool):
        count = summary.get("total") if isinstance(summary.get("total"), int) else (
            len(described) if described is not None else sum(by_phase.values()))
    return {
        "service": kind.name if kind else None,
        "title": _text(title or result.get("title")) or "hwcloud.tasks %s" % (kind.name if kind else "tasks"),
        "succeeded": succeeded,
        "reason": reason,
        "headline": headline,
        "message": message,
        "waited": waited,
        "timeout": result.get("timeout", wait.get("timeout")),
        "started": _text(result.get("started")),
        "count": count,
        "by_phase": by_phase,
        "offenders": offenders,
        "not_reached": set(_text(item_id) for item_id in wait.get("not_reached") or []),
        "items": described,
        "wanted_phases": list(wait.get("wanted_phases") or []),
        "wanted_states": [str(state).upper() for state in wait.get("wanted_states") or []],
        "forbidden_phases": list(wait.get("forbidden_phases") or []),
        "min_count": wait.get("min_count") or 0,
        "polls": polls,
        "failed_polls": failed_polls,
        "no_read": no_read,
        "cause": cause if no_read else None,
    }


def _failure_type(verified, offender):
    if offender["phase"] in verified["forbidden_phases"]:
        return "forbidden"
    return "timeout" if verified["reason"] in ("timeout", "too_few") else verified["reason"]


def _offender_message(offender):
    text = "state %s, phase %s" % (offender["state"], offender["phase"])
    if offender["reason"]:
        text += ": %s" % offender["reason"]
    return text + " (watched %.1f s)" % offender["watched_seconds"]


def _wanted_text(verified):
    return wanted_words(verified["wanted_phases"], verified["wanted_states"]) or "the phases wanted"


def _cases(verified):
    """One case per task: (id, name, outcome, type, message, detail, seconds); outcome passed|failed|skipped|error."""
    offenders = dict((offender["id"], offender) for offender in verified["offenders"])
    cases = []
    seen = set()
    for item in verified["items"] or []:
        seen.add(item["id"])
        offender = offenders.get(item["id"])
        if offender is not None:
            cases.append(_failed_case(verified, offender))
        elif verified["succeeded"] or item["id"] not in verified["not_reached"]:
            cases.append((item["id"], item["name"], "passed", None, None, None, verified["waited"]))
        else:
            why = ("another task reached a forbidden phase" if verified["reason"] == "forbidden"
                   else "the verification stopped (%s)" % verified["reason"])
            message = "state %s, phase %s when the wait stopped: %s" % (item["state"], item["phase"], why)
            cases.append((item["id"], item["name"], "skipped", NOT_REACHED, message, None, verified["waited"]))
    for offender in verified["offenders"]:
        if offender["id"] not in seen:
            cases.append(_failed_case(verified, offender))
    if verified["no_read"]:
        # Nothing was read, so no task can pass or fail: the one case is the API's error, with its cause.
        cases.append(("%s API" % (verified["service"] or "hwcloud"), "", "error", verified["reason"], verified["cause"],
                      verified["message"], verified["waited"]))
    elif verified["reason"] in ("too_few", "incomplete"):
        cases.append(("whole selection", "", "failed", verified["reason"], verified["headline"], verified["message"], verified["waited"]))
    return cases


def _failed_case(verified, offender):
    kind = _failure_type(verified, offender)
    if kind == "forbidden":
        head = "reached the forbidden phase %s" % offender["phase"]
    else:
        head = "not %s within %.0f s" % (_wanted_text(verified), verified["waited"])
    message = "%s: %s" % (head, _offender_message(offender))
    detail = "\n".join([
        "id: %s" % offender["id"],
        "name: %s" % offender["name"],
        "state: %s" % offender["state"],
        "phase: %s" % offender["phase"],
        "reason: %s" % (offender["reason"] or "-"),
        "watched: %.1f s" % offender["watched_seconds"],
    ])
    return (offender["id"], offender["name"], "failed", kind, message, detail, offender["watched_seconds"])


# -- JUnit -------------------------------------------------------------------


def _xml(value):
    """Text XML 1.0 can carry: ElementTree escapes &, <, > and quotes but keeps control characters."""
    return XML_ILLEGAL.sub("\ufffd", _text(value))


def _time(seconds):
    return "%.3f" % _seconds(seconds)


def junit_report(result, items=None, service=None, title=None):
    """A JUnit XML document (testsuites > testsuite > one testcase per task) of a verification."""
    verified = verification(result, items=items, service=service, title=title)
    cases = _cases(verified)
    counts = dict((outcome, sum(1 for case in cases if case[2] == outcome)) for outcome in ("failed", "skipped", "error"))
    totals = {"tests": str(len(cases)), "failures": str(counts["failed"]), "errors": str(counts["error"]),
              "skipped": str(counts["skipped"]), "time": _time(verified["waited"])}
    root = ET.Element("testsuites", dict(name=_xml(verified["title"]), **totals))
    suite = ET.SubElement(root, "testsuite", dict(name=_xml(verified["title"]), **totals))
    if verified["started"]:
        suite.set("timestamp", _xml(verified["started"]))
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("service", verified["service"] or ""),
        ("result", "passed" if verified["succeeded"] else "failed"),
        ("reason", verified["reason"]),
        ("wanted", _wanted_text(verified)),
        ("forbidden_phases", ",".join(verified["forbidden_phases"])),
        ("count", verified["count"]),
        ("timeout", "" if verified["timeout"] is None else verified["timeout"]),
    ) + tuple(("phase." + phase, count) for phase, count in verified["by_phase"].items()):
        ET.SubElement(properties, "property", name=_xml(name), value=_xml(value))
    classname = "hwcloud.tasks.%s" % (verified["service"] or "tasks")
    for case_id, name, outcome, kind, message, detail, seconds in cases:
        label = "%s (%s)" % (name, case_id) if name and case_id else (name or case_id or "(no id)")
        testcase = ET.SubElement(suite, "testcase", name=_xml(label), classname=_xml(classname), time=_time(seconds))
        if outcome == "passed":
            continue
        tag = {"failed": "failure", "error": "error", "skipped": "skipped"}[outcome]
        element = ET.SubElement(testcase, tag, message=_xml(message), type=_xml(kind))
        if detail:
            element.text = _xml(detail)
    if verified["message"] and not verified["succeeded"]:
        ET.SubElement(suite, "system-out").text = _xml(verified["message"])
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# -- Markdown ----------------------------------------------------------------


def _md(value):
    """One table cell or inline text: special characters escaped, one line."""
    text = MARKDOWN_SPECIAL.sub(r"\\\1", XML_ILLEGAL.sub("\ufffd", _text(value)))
    return re.sub(r"\r\n|\r|\n", "<br>", text).strip() or "-"


def _headline(verified):
    """The outcome's own headline, marked passed or failed."""
    headline = verified["headline"] or verified["message"] or verified["reason"]
    return "**%s**: %s." % ("Passed" if verified["succeeded"] else "Failed", _md(headline.rstrip(".")))


def markdown_report(result, items=None, service=None, title=None, max_rows=50):
    """A Markdown summary of a verification: headline, a table by phase, then the offenders."""
    if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 0:
        raise AnsibleFilterError("max_rows must be a non-negative integer, got %r" % (max_rows,))
    verified = verification(result, items=items, service=service, title=title)
    mark = "\u2705" if verified["succeeded"] else "\u274c"
    lines = ["## %s %s" % (mark, _md(verified["title"])), "", _headline(verified), ""]
    lines += ["| Phase | Tasks |", "| --- | ---: |"]
    lines += ["| %s | %d |" % (_md(phase), count) for phase, count in verified["by_phase"].items()]
    lines += ["| **total** | **%d** |" % verified["count"], ""]
    if verified["no_read"]:
        lines += ["### No read succeeded", "", "| Reason | Failed reads | Cause |", "| --- | ---: | --- |",
                  "| %s | %d of %d | %s |" % (_md(verified["reason"]), verified["failed_polls"], verified["polls"], _md(verified["cause"])), ""]
    offenders = verified["offenders"]
    if offenders:
        lines += ["### Offenders (%d)" % len(offenders), ""]
        lines += ["| ID | Name | State | Phase | Reason | Watched (s) |", "| --- | --- | --- | --- | --- | ---: |"]
        for offender in offenders[:max_rows]:
            lines.append("| %s | %s | %s | %s | %s | %.1f |" % (
                _md(offender["id"]), _md(offender["name"]), _md(offender["state"]), _md(offender["phase"]),
                _md(offender["reason"]), offender["watched_seconds"]))
        if len(offenders) > max_rows:
            lines += ["", "... and %d more." % (len(offenders) - max_rows)]
        lines.append("")
    return "\n".join(lines)
