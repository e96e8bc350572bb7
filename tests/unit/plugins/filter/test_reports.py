# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report filters: JUnit XML a CI server reads (parsed, and validated against junit.xsd), and Markdown."""

from __future__ import annotations

import importlib
import inspect
import pathlib
import xml.etree.ElementTree as ET

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.hwcloud.tasks.plugins.plugin_utils.verification_reports import junit_report, markdown_report

HERE = pathlib.Path(__file__).resolve().parent
PHASES = ("pending", "running", "succeeded", "failed", "stopped", "unknown")


@pytest.fixture(scope="module")
def junit_schema():
    xmlschema = pytest.importorskip("xmlschema", reason="xmlschema (requirements-dev.txt) validates the JUnit reports")
    return xmlschema.XMLSchema(str(HERE / "junit.xsd"))


def counts(**phases):
    return dict((phase, phases.get(phase, 0)) for phase in PHASES)


def role_result(**changes):
    """A result as the role assert_task_states sets it."""
    result = {
        "service": "vias", "title": "VIAS rollout", "succeeded": True, "reason": "reached",
        "headline": "all 3 VIAS task(s) running after 42.2 s", "message": "", "not_reached": [],
        "waited": 42.25, "timeout": 600, "started": "2025-05-01T08:00:00Z", "count": 3,
        "by_phase": counts(running=3), "offenders": [], "polls": 5, "transitions": 2,
        "wanted_phases": ["running"], "wanted_states": [], "forbidden_phases": ["failed"], "min_count": 1,
    }
    result.update(changes)
    return result


VIAS_ITEMS = [
    {"id": "t1", "name": "gate-1", "state": "RUNNING", "phase": "running"},
    {"id": "t2", "name": "gate-2", "state": "START_FAILED", "phase": "failed",
     "error": {"code": "VIAS.20002", "message": "insufficient resources"}},
    {"id": "t3", "name": "gate-3", "state": "PENDING", "phase": "pending", "status": "waiting for resources"},
]
START_FAILED = {"id": "t2", "name": "gate-2", "state": "START_FAILED", "phase": "failed",
                "reason": "VIAS.20002: insufficient resources", "watched_seconds": 12.5}
PENDING = {"id": "t3", "name": "gate-3", "state": "PENDING", "phase": "pending",
           "reason": "waiting for resources", "watched_seconds": 600.0}


def parse(document):
    assert document.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(document.encode("utf-8"))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    return root, suites[0]


def cases(suite):
    """{testcase name: (outcome tag or 'passed', its attributes, its text)}."""
    found = {}
    for case in suite.findall("testcase"):
        outcome = [child for child in case if child.tag in ("failure", "error", "skipped")]
        assert len(outcome) <= 1
        if outcome:
            found[case.get("name")] = (outcome[0].tag, dict(outcome[0].attrib), outcome[0].text or "")
        else:
            found[case.get("name")] = ("passed", {}, "")
    return found


# -- JUnit -----------------------------------------------------------------------


def test_a_passed_verification_is_one_passed_case_per_task(junit_schema):
    items = [VIAS_ITEMS[0], dict(VIAS_ITEMS[2], state="RUNNING", phase="running")]
    document = junit_report(role_result(count=2, by_phase=counts(running=2)), items)
    junit_schema.validate(document)
    root, suite = parse(document)
    for element in (root, suite):
        assert (element.get("tests"), element.get("failures"), element.get("errors"), element.get("skipped")) == ("2", "0", "0", "0")
        assert element.get("name") == "VIAS rollout"
        assert element.get("time") == "42.250"
    assert suite.get("timestamp") == "2025-05-01T08:00:00Z"
    assert cases(suite) == {"gate-1 (t1)": ("passed", {}, ""), "gate-3 (t3)": ("passed", {}, "")}
    assert all(case.get("classname") == "hwcloud.tasks.vias" for case in suite.iter("testcase"))
    properties = dict((prop.get("name"), prop.get("value")) for prop in suite.iter("property"))
    assert properties["result"] == "passed" and properties["phase.running"] == "2" and properties["service"] == "vias"


def test_a_forbidden_phase_fails_its_task_and_skips_the_tasks_not_there_yet(junit_schema):
    result = role_result(succeeded=False, reason="forbidden", waited=12.5, offenders=[START_FAILED], not_reached=["t2", "t3"],
                         by_phase=counts(running=1, failed=1, pending=1))
    document = junit_report(result, VIAS_ITEMS)
    junit_schema.validate(document)
    _root, suite = parse(document)
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("3", "1", "1")
    found = cases(suite)
    assert found["gate-1 (t1)"][0] == "passed"
    tag, attributes, text = found["gate-2 (t2)"]
    assert tag == "failure" and attributes["type"] == "forbidden"
    assert "state START_FAILED, phase failed: VIAS.20002: insufficient resources (watched 12.5 s)" in attributes["message"]
    assert "reason: VIAS.20002: insufficient resources" in text
    tag, attributes, _text = found["gate-3 (t3)"]
    assert tag == "skipped" and attributes["type"] == "not_reached" and "state PENDING" in attributes["message"]
    assert suite.find("testcase/failure[@type='forbidden']") is not None


def test_a_timeout_fails_every_task_not_in_a_wanted_phase(junit_schema):
    result = role_result(succeeded=False, reason="timeout", waited=600.0, offenders=[PENDING], message="not in time",
                         not_reached=["t3"])
    document = junit_report(result, [VIAS_ITEMS[0], VIAS_ITEMS[2]])
    junit_schema.validate(document)
    _root, suite = parse(document)
    tag, attributes, _text = cases(suite)["gate-3 (t3)"]
    assert tag == "failure" and attributes["type"] == "timeout"
    assert attributes["message"].startswith("not running within 600 s: state PENDING, phase pending: waiting for resources")
    assert suite.find("system-out").text == "not in time"
    assert [case.get("time") for case in suite.iter("testcase")] == ["600.000", "600.000"]


def test_without_items_the_offenders_are_the_cases(junit_schema):
    result = role_result(succeeded=False, reason="timeout", offenders=[PENDING, dict(PENDING, id="t4", name="")])
    document = junit_report(result)
    junit_schema.validate(document)
    _root, suite = parse(document)
    assert sorted(cases(suite)) == ["gate-3 (t3)", "t4"]
    assert suite.get("failures") == "2"


def test_too_few_tasks_is_one_more_failing_case(junit_schema):
    headline = "at least 5 HiLens task(s) wanted, 2 found within wait_timeout=600 s (watched 600.1 s)"
    result = role_result(service="hilens", succeeded=False, reason="too_few", count=2, min_count=5, offenders=[], headline=headline)
    document = junit_report(result, [])
    junit_schema.validate(document)
    _root, suite = parse(document)
    tag, attributes, _text = cases(suite)["whole selection"]
    assert tag == "failure" and attributes["type"] == "too_few"
    assert attributes["message"] == headline


def test_an_incomplete_read_is_a_failing_case_of_its_own(junit_schema):
    headline = ("no complete read of the HiLens tasks within wait_timeout=600 s (watched 600.0 s): Gathered 100 unique records "
                "but the API reported a total of 300; an incomplete list gives no verdict")
    result = role_result(service="hilens", succeeded=False, reason="incomplete", offenders=[], headline=headline, message=headline)
    document = junit_report(result, [])
    junit_schema.validate(document)
    tag, attributes, _text = cases(parse(document)[1])["whole selection"]
    assert tag == "failure" and attributes["type"] == "incomplete" and "total of 300" in attributes["message"]
    assert "**Failed**: no complete read of the HiLens tasks" in markdown_report(result)


def test_the_reports_render_the_outcome_and_work_nothing_out_again(junit_schema):
    # The wait said t1 was not reached; a report that judged the item itself would call a RUNNING task passed.
    result = role_result(succeeded=False, reason="timeout", offenders=[], not_reached=["t1"], headline="1 of 1 VIAS task(s) not running")
    found = cases(parse(junit_report(result, [VIAS_ITEMS[0]]))[1])
    assert found["gate-1 (t1)"][0] == "skipped"
    assert "**Failed**: 1 of 1 VIAS task(s) not running." in markdown_report(result)


def test_an_api_error_is_an_error_case(junit_schema):
    module_result = {"failed": True, "msg": "HTTP 404 APIG.0101: deployment dep-gone not found", "status": 404}
    document = junit_report(module_result, service="hilens", title="HiLens")
    junit_schema.validate(document)
    _root, suite = parse(document)
    assert (suite.get("tests"), suite.get("errors"), suite.get("failures")) == ("1", "1", "0")
    tag, attributes, _text = cases(suite)["hilens API"]
    assert tag == "error" and "dep-gone" in attributes["message"]


REFUSED = "GET http://127.0.0.1:9/v2/p1/services/vias/tasks/t1 failed: Connection refused"


@pytest.mark.parametrize("reason, polls", [("unreachable", 1), ("timeout", 4), ("incomplete", 3)])
def test_when_no_read_succeeded_the_report_is_one_error_case_with_the_cause(junit_schema, reason, polls):
    # Before, an endpoint that refused every connection gave tests="0": a CI server shows that as nothing run.
    result = role_result(succeeded=False, reason=reason, polls=polls, failed_polls=polls, last_poll_error=REFUSED, count=0,
                         by_phase=counts(), not_reached=[], headline="no read of the VIAS tasks succeeded within ...")
    document = junit_report(result, [])
    junit_schema.validate(document)
    _root, suite = parse(document)
    assert (suite.get("tests"), suite.get("errors"), suite.get("failures")) == ("1", "1", "0")
    tag, attributes, _text = cases(suite)["vias API"]
    assert (tag, attributes["type"], attributes["message"]) == ("error", reason, REFUSED)
    text = markdown_report(result)
    assert "### No read succeeded" in text
    assert "| %s | %d of %d | %s |" % (reason, polls, polls, REFUSED.replace("_", "\\_")) in text


def test_a_wait_with_a_read_that_succeeded_has_no_error_case():
    result = role_result(succeeded=False, reason="timeout", polls=4, failed_polls=3, last_poll_error=REFUSED,
                         offenders=[PENDING], not_reached=["t3"], headline="1 of 3 VIAS task(s) not running")
    assert "vias API" not in cases(parse(junit_report(result, VIAS_ITEMS))[1])
    assert "No read succeeded" not in markdown_report(result)


def test_a_module_wait_that_read_nothing_is_an_error_case_too():
    wait = {"succeeded": False, "reason": "unreachable", "polls": 1, "failed_polls": 1, "last_poll_error": REFUSED, "waited": 0.4,
            "headline": "no read of the VIAS tasks succeeded", "offenders": [], "not_reached": []}
    found = cases(parse(junit_report({"failed": True, "msg": "no read", "tasks": [], "wait": wait}, service="vias"))[1])
    assert list(found) == ["vias API"] and found["vias API"][1]["message"] == REFUSED


def test_a_registered_module_result_is_read_as_it_is(junit_schema):
    """A hilens_task_info result that waited: items, summary and wait as the module returns them."""
    failed_pod = {"pod_id": "p2", "task_status": "FAILED", "cause": "OOMKilled: out of memory"}
    tasks = [
        {"task_id": "h1", "name": "task-00001", "task_status": [{"pod_id": "p1", "task_status": "RUNNING"}], "phase": "running"},
        {"task_id": "h2", "name": "task-00002", "task_status": [failed_pod], "phase": "failed"},
    ]
    module_result = {
        "failed": True, "msg": "1 item(s) reached a forbidden phase", "tasks": tasks, "count": 2,
        "summary": {"total": 2, "by_phase": counts(running=1, failed=1), "by_state": {}},
        "wait": {"succeeded": False, "reason": "forbidden", "waited": 3.5, "polls": 2, "failed_polls": 0,
                 "wanted_phases": ["running"], "wanted_states": [], "forbidden_phases": ["failed"], "min_count": 1,
                 "transitions": [], "offenders": [{"id": "h2", "name": "task-00002", "state": "FAILED=1", "phase": "failed",
                                                   "reason": "OOMKilled: out of memory", "watched_seconds": 3.5}]},
    }
    document = junit_report(module_result)
    junit_schema.validate(document)
    root, suite = parse(document)
    assert root.get("time") == "3.500"
    found = cases(suite)
    assert found["task-00001 (h1)"][0] == "passed"
    assert found["task-00002 (h2)"][1]["message"].endswith("state FAILED=1, phase failed: OOMKilled: out of memory (watched 3.5 s)")
    assert all(case.get("classname") == "hwcloud.tasks.hilens" for case in suite.iter("testcase"))


def test_batch_and_octopus_items_show_their_own_state_and_reason(junit_schema):
    batches = [{"id": "b1", "batch_task_name": "gate-batch", "batch_task_status_info": {"running": 3, "succeeded": 1}}]
    document = junit_report(role_result(service="vias_batch", wanted_phases=[], wanted_states=["RUNNING", "SUCCEEDED"],
                                        succeeded=False, reason="timeout", offenders=[]), batches)
    junit_schema.validate(document)
    assert cases(parse(document)[1])["gate-batch (b1)"][0] == "passed"  # every state of the batch is wanted
    jobs = [{"id": 7, "job_type": "PACKAGE_IMPORT", "data_id": "DPK0000001", "status": "QUEUING"}]
    document = junit_report(role_result(service="octopus", succeeded=False, reason="forbidden", offenders=[], not_reached=[7]), jobs)
    tag, attributes, _text = cases(parse(document)[1])["PACKAGE_IMPORT DPK0000001 (7)"]
    assert tag == "skipped" and "state QUEUING, phase pending" in attributes["message"]


def test_text_is_escaped_and_what_xml_cannot_carry_is_replaced(junit_schema):
    nasty = 'a<b>&"c"\' ]]> \x1b[31m\x00 \u5317\u95e8'
    result = role_result(title="Rollout <prod> & \"blue\"", succeeded=False, reason="forbidden",
                         offenders=[dict(START_FAILED, name=nasty, reason="line one\nline two <br/>")])
    document = junit_report(result, [dict(VIAS_ITEMS[1], name=nasty)])
    junit_schema.validate(document)
    root, suite = parse(document)
    assert root.get("name") == 'Rollout <prod> & "blue"'
    found = cases(suite)
    name = 'a<b>&"c"\' ]]> \ufffd[31m\ufffd \u5317\u95e8 (t2)'
    assert list(found) == [name]
    _tag, attributes, text = found[name]
    assert "line one\nline two <br/>" in attributes["message"]  # a newline survives in an attribute
    assert "reason: line one\nline two <br/>" in text


def test_the_schema_is_real(junit_schema):
    """The XSD refuses what a CI server could not read, so that validating means something."""
    document = junit_report(role_result(), VIAS_ITEMS[:1])
    assert junit_schema.is_valid(document)
    assert not junit_schema.is_valid(document.replace(' tests="1"', "", 1).replace(' tests="1"', ""))
    assert not junit_schema.is_valid(document.replace('time="42.250"', 'time="soon"'))
    assert not junit_schema.is_valid(document.replace("<testcase ", "<test ").replace("</testcase>", "</test>"))


# -- Markdown -------------------------------------------------------------------


def test_markdown_of_a_passed_verification():
    text = markdown_report(role_result())
    lines = text.splitlines()
    assert lines[0] == "## \u2705 VIAS rollout"
    assert "**Passed**: all 3 VIAS task(s) running after 42.2 s." in lines
    assert "| running | 3 |" in lines and "| **total** | **3** |" in lines
    assert [line for line in lines if line.startswith("| ") and line.split("|")[1].strip() in PHASES] == [
        "| %s | %d |" % (phase, 3 if phase == "running" else 0) for phase in PHASES]
    assert "Offenders" not in text
    assert text.endswith("\n")


def test_markdown_lists_the_offenders_after_the_phases():
    result = role_result(succeeded=False, reason="forbidden", offenders=[START_FAILED], by_phase=counts(running=2, failed=1),
                         headline="1 of 3 VIAS task(s) reached a forbidden phase (failed) after 42.2 s")
    text = markdown_report(result)
    assert text.index("| Phase | Tasks |") < text.index("### Offenders (1)")
    assert "**Failed**: 1 of 3 VIAS task(s) reached a forbidden phase (failed) after 42.2 s." in text
    assert "| t2 | gate-2 | START\\_FAILED | failed | VIAS.20002: insufficient resources | 12.5 |" in text.splitlines()


def test_markdown_cells_cannot_break_the_table():
    offender = dict(PENDING, name="a|b", reason="<script>x</script>\nnext `line`")
    text = markdown_report(role_result(succeeded=False, reason="timeout", offenders=[offender]))
    (row,) = [line for line in text.splitlines() if line.startswith("| t3 |")]
    assert row.count("|") - row.count("\\|") == 7
    assert "<script>" not in text and "\\<script\\>" in row and "<br>next \\`line\\`" in row


def test_markdown_stops_at_max_rows():
    offenders = [dict(PENDING, id="t%d" % number) for number in range(5)]
    text = markdown_report(role_result(succeeded=False, reason="timeout", offenders=offenders), max_rows=2)
    assert "| t1 |" in text and "| t2 |" not in text
    assert "... and 3 more." in text


def test_markdown_of_too_few_and_of_an_error():
    text = markdown_report(role_result(service="hilens", succeeded=False, reason="too_few", count=1, min_count=4,
                                       headline="at least 4 HiLens task(s) wanted, 1 found within wait_timeout=600 s (watched 600.2 s)"))
    assert "**Failed**: at least 4 HiLens task(s) wanted, 1 found within wait\\_timeout=600 s (watched 600.2 s)." in text
    text = markdown_report({"failed": True, "msg": "HTTP 401: token expired"}, service="vias")
    assert "## \u274c hwcloud.tasks vias" in text and "**Failed**: HTTP 401: token expired" in text


def test_markdown_counts_items_when_there_is_no_summary():
    text = markdown_report({"wait": {"succeeded": True, "reason": "reached", "waited": 1}, "tasks": VIAS_ITEMS})
    assert "| failed | 1 |" in text and "| pending | 1 |" in text and "| **total** | **3** |" in text


# -- bad input --------------------------------------------------------------------


@pytest.mark.parametrize("report", [junit_report, markdown_report])
@pytest.mark.parametrize("value, kwargs, message", [
    ("done", {}, "expected the result"),
    (None, {}, "expected the result"),
    ({"succeeded": True}, {"items": "t1"}, "items must be a list"),
    ({"succeeded": True}, {"items": ["t1"]}, "items must be a list of dictionaries, found a str"),
    ({"succeeded": True}, {"service": "iva"}, "unknown service 'iva'"),
    ({"succeeded": False, "offenders": ["t1"]}, {}, "each offender must be a dictionary"),
])
def test_bad_input_is_a_clear_filter_error(report, value, kwargs, message):
    with pytest.raises(AnsibleFilterError, match=message):
        report(value, **kwargs)


@pytest.mark.parametrize("max_rows", [-1, "5", True])
def test_markdown_refuses_a_bad_max_rows(max_rows):
    with pytest.raises(AnsibleFilterError, match="max_rows"):
        markdown_report(role_result(), max_rows=max_rows)


# -- plugin and documentation -------------------------------------------------------


@pytest.mark.parametrize("name, function", [("junit_report", junit_report), ("markdown_report", markdown_report)])
def test_each_filter_has_its_documentation(name, function):
    module = importlib.import_module("ansible_collections.hwcloud.tasks.plugins.filter." + name)
    docs = {"DOCUMENTATION": yaml.safe_load(module.DOCUMENTATION), "EXAMPLES": module.EXAMPLES, "RETURN": yaml.safe_load(module.RETURN)}
    documentation = docs["DOCUMENTATION"]
    assert documentation["name"] == name
    assert str(documentation["version_added"]) == "1.0.0"
    assert documentation["short_description"] and documentation["description"]
    assert documentation["options"]["_input"]["required"] is True
    parameters = list(inspect.signature(function).parameters)[1:]
    assert sorted(documentation["options"]) == sorted(["_input"] + parameters)
    assert [part.strip() for part in documentation["positional"].split(",")] == parameters
    assert all(option.get("type") and option.get("description") for option in documentation["options"].values())
    assert documentation["options"]["service"]["choices"] == ["hilens", "vias", "vas", "octopus", "vias_batch"]
    assert docs["RETURN"]["_value"]["type"] == "str"
    examples = yaml.safe_load(docs["EXAMPLES"])
    assert any("hwcloud.tasks.%s" % name in str(task) for task in examples)
