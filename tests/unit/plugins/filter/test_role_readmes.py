# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What each role's README says about which services each selection variable applies to, held to its sources.

The table under the marker in roles/*/README.md says, per variable and service, `required`, `optional` or `-`. It must
agree with the kinds' descriptions (plugins/module_utils/kinds.py), with the services the argument spec's description
of that variable names (V(service)), and with what the role's own check (the filters task_states_call and
task_facts_calls) accepts and refuses."""

from __future__ import annotations

import pathlib
import re

import pytest
import yaml

from ansible_collections.hwcloud.tasks.plugins.module_utils.kinds import KINDS, SERVICES
from ansible_collections.hwcloud.tasks.plugins.plugin_utils.role_plans import task_facts_calls, task_states_call

ROLES = pathlib.Path(__file__).resolve().parents[4] / "roles"
MARKER = "<!-- selection table: checked by tests/unit/plugins/filter/test_role_readmes.py -->"
CELLS = ("required", "optional", "-")
# What each selection variable is in the kinds' descriptions: (applies to the kind, required by it).
SOURCES = {
    "deployment_id": lambda kind: ("deployment_id" in kind.selection, bool(kind.selection.get("deployment_id", {}).get("required"))),
    "task_ids": lambda kind: ("task_ids" in kind.selection, not kind.list_module),
    "vas_service_name": lambda kind: ("service_name" in kind.selection, False),
    "filters": lambda kind: (bool(kind.filters), False),
}


def sample(variable, kind):
    """A value of the variable that the service would take, when it takes it."""
    if variable == "filters":
        name = sorted(kind.filters or {"name_like": None})[0]
        value = (kind.filters or {}).get(name, {})
        chosen = value.get("choices")
        return {name: ([chosen[0]] if value.get("type") == "list" else chosen[0]) if chosen
                else (["x"] if value.get("type") == "list" else 1 if value.get("type") == "int" else True if value.get("type") == "bool" else "x")}
    return {"deployment_id": "dep-1", "task_ids": ["t1"], "vas_service_name": "svc"}[variable]


def read_table(role):
    text = (ROLES / role / "README.md").read_text(encoding="utf-8")
    assert MARKER in text, "roles/%s/README.md lost its selection table marker" % role
    lines = [line.strip() for line in text.split(MARKER, 1)[1].strip().splitlines()]
    rows = [line for line in lines[:lines.index("") if "" in lines else len(lines)] if line.startswith("|")]
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert header[1:] == list(SERVICES), header
    table = {}
    for row in rows[2:]:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        name = cells[0].strip("`")
        assert all(cell in CELLS for cell in cells[1:]), row
        table[name] = dict(zip(SERVICES, cells[1:]))
    return table


def states_plan(service, selection):
    values = {"assert_task_states_service": service}
    values.update(("assert_task_states_" + name, value) for name, value in selection.items())
    return task_states_call(values, spec_of("assert_task_states"))["problems"]


def facts_plan(service, selection):
    return task_facts_calls({"gather_task_facts_services": [dict(selection, service=service)]}, spec_of("gather_task_facts"))["problems"]


def spec_of(role):
    spec = yaml.safe_load((ROLES / role / "meta" / "argument_specs.yml").read_text(encoding="utf-8"))["argument_specs"]["main"]["options"]
    for name, types in yaml.safe_load((ROLES / role / "vars" / "main.yml").read_text(encoding="utf-8"))["%s__types" % role].items():
        spec[name] = dict(spec[name], **types)
    return spec


def described_services(role, variable):
    """The services the argument spec's description of a selection variable names."""
    spec = spec_of(role)
    option = spec["assert_task_states_" + variable] if role == "assert_task_states" else spec["gather_task_facts_services"]["options"][variable]
    description = " ".join(option["description"] if isinstance(option["description"], list) else [option["description"]])
    return set(re.findall(r"V\((%s)\)" % "|".join(SERVICES), description))


ROLE_CASES = [("assert_task_states", "assert_task_states_", states_plan), ("gather_task_facts", "", facts_plan)]
CASES = [(role, prefix, planner, variable) for role, prefix, planner in ROLE_CASES for variable in sorted(SOURCES)]


def case_id(case):
    return "%s:%s" % (case[0], case[3])


@pytest.mark.parametrize("role, prefix, planner", ROLE_CASES, ids=[case[0] for case in ROLE_CASES])
def test_the_table_lists_every_selection_variable_once(role, prefix, planner):  # pylint: disable=unused-argument
    assert sorted(read_table(role)) == sorted(prefix + variable for variable in SOURCES)


@pytest.mark.parametrize("role, prefix, planner, variable", CASES, ids=[case_id(case) for case in CASES])
def test_the_table_says_what_the_kinds_say(role, prefix, planner, variable):  # pylint: disable=unused-argument
    row = read_table(role)[prefix + variable]
    for service, kind in KINDS.items():
        applies, required = SOURCES[variable](kind)
        assert row[service] == ("required" if required else "optional" if applies else "-"), (role, variable, service)


@pytest.mark.parametrize("role, prefix, planner, variable", CASES, ids=[case_id(case) for case in CASES])
def test_the_argument_spec_names_the_services_the_table_gives(role, prefix, planner, variable):  # pylint: disable=unused-argument
    row = read_table(role)[prefix + variable]
    assert described_services(role, variable) == set(service for service, cell in row.items() if cell != "-")


@pytest.mark.parametrize("role, prefix, planner, variable", CASES, ids=[case_id(case) for case in CASES])
def test_the_roles_check_accepts_and_refuses_as_the_table_says(role, prefix, planner, variable):
    table = read_table(role)
    for service, kind in KINDS.items():
        base = dict((name[len(prefix):], sample(name[len(prefix):], kind)) for name, row in table.items() if row[service] == "required")
        cell = table[prefix + variable][service]
        named = re.compile(r"(^|\W)%s%s\b" % (re.escape(prefix), variable))
        assert planner(service, base) == [], (service, base)
        if cell == "required":
            without = dict((name, value) for name, value in base.items() if name != variable)
            assert any(named.search(problem) for problem in planner(service, without)), (service, variable)
        elif cell == "optional":
            assert planner(service, dict(base, **{variable: sample(variable, kind)})) == [], (service, variable)
        else:
            problems = planner(service, dict(base, **{variable: sample(variable, kind)}))
            assert any(named.search(problem) for problem in problems), (service, variable, problems)
