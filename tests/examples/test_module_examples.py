"""Every module's EXAMPLES, run as written against the API emulator.

Each module's EXAMPLES block becomes the task list of a real play on localhost.
The play adds only what a user's inventory would: ``vars`` giving every variable
the examples reference a real value from the emulator, and ``module_defaults``
for the action group pointing every module at the emulator (``endpoint`` wins
over the ``region`` some examples set). The emulator's account is the one the
examples name literally (user ``deploy-bot`` in domain ``my-company``).

The data is chosen so that the examples' own assertions hold honestly: the
VIAS task read is a running one, the HiLens deployment's tasks are all moved to
RUNNING and every VIAS batch to running (a healthy account) with the emulator's
schedules. The Octopus example asks for imports created since 2024-05-01, which
the emulator's data (all created before 2024) does not hold: its assertion holds
on an empty list.
"""

from __future__ import annotations

import textwrap

import jinja2
import jinja2.meta
import pytest
import yaml

from examples_support import COLLECTION, EXECUTION_PATHS, MODULES, count_tasks, module_defaults, prepare_emulator, read_docs

# Names ansible itself defines, or that a task may use without the play defining them.
ANSIBLE_NAMES = {"omit", "item", "ansible_loop", "ansible_facts", "hostvars", "inventory_hostname",
                 "groups", "group_names", "ansible_check_mode", "ansible_playbook_python", "playbook_dir",
                 "lookup", "query", "q", "now", "undef"}
# Task keys whose value is a bare Jinja expression rather than a templated string.
CONDITIONALS = ("when", "failed_when", "changed_when", "until", "that")


def _strings(value, expression=False):
    """(text, is_bare_expression) of every string in a task."""
    if isinstance(value, str):
        yield value, expression
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, expression or key in CONDITIONALS)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, expression)


class _AnyFilter(dict):
    """Filters for introspection only: every name is taken (the collection's filters are not loaded here)."""

    def __contains__(self, name):
        return True

    def get(self, name, default=None):
        return super().get(name) or (lambda *args, **kwargs: None)


def referenced_names(tasks):
    """Variables the tasks read, less the ones they define themselves (register, set_fact, vars)."""
    environment = jinja2.Environment()
    environment.filters = _AnyFilter(environment.filters)
    used, defined = set(), set()
    for task in tasks:
        for text, expression in _strings(task):
            source = "{{ %s }}" % text if expression and "{{" not in text else text
            used |= jinja2.meta.find_undeclared_variables(environment.parse(source))
        defined.update([task["register"]] if "register" in task else [])
        defined.update(task.get("vars") or {})
        defined.update(task.get("ansible.builtin.set_fact") or task.get("set_fact") or {})
    return used - defined - ANSIBLE_NAMES


def example_playbook(module, variables, defaults):
    examples = textwrap.dedent(read_docs(module)["EXAMPLES"]).strip("\n")
    play_vars = dict(variables, ansible_python_interpreter="{{ ansible_playbook_python }}")
    header = "\n".join([
        "- name: The EXAMPLES of %s.%s, as documented" % (COLLECTION, module),
        "  hosts: localhost",
        "  gather_facts: false",
        "  vars: %s" % yaml.safe_dump(play_vars, default_flow_style=True, width=10000).strip(),
        "  module_defaults:",
        "    group/%s.hwcloud: %s" % (COLLECTION, yaml.safe_dump(defaults, default_flow_style=True, width=10000).strip()),
        "  tasks:",
    ])
    return header + "\n" + textwrap.indent(examples, "    ") + "\n"


@pytest.mark.parametrize("path", sorted(EXECUTION_PATHS))
@pytest.mark.parametrize("module", MODULES)
def test_examples_run(module, path, examples_emulator, run_playbook, tmp_path):
    tasks = yaml.safe_load(read_docs(module).get("EXAMPLES") or "")
    assert isinstance(tasks, list) and tasks, "%s has no EXAMPLES task list" % module
    assert any(("%s.%s" % (COLLECTION, module)) in task for task in tasks), \
        "no example of %s calls %s.%s by its full name" % (module, COLLECTION, module)

    variables = prepare_emulator(examples_emulator)
    missing = referenced_names(tasks) - set(variables)
    assert not missing, "the examples of %s use %s: give them values in prepare_emulator()" % (module, sorted(missing))

    playbook = tmp_path / ("%s_examples.yml" % module)
    playbook.write_text(example_playbook(module, variables, module_defaults(examples_emulator)), encoding="utf-8")
    # Only the tasks that write a file change something (report_file's examples and the directory they write to).
    writes = sum(1 for task in tasks if any(key in task for key in (COLLECTION + ".report_file", "ansible.builtin.file")))
    run_playbook(playbook, expected_ok=count_tasks(tasks), env=EXECUTION_PATHS[path], expected_changed=writes)

    calls = sum(1 for task in tasks if any(key.startswith(COLLECTION + ".") for key in task))
    stats = examples_emulator.admin("GET", "stats")
    assert stats["api_requests"] >= calls, "the examples of %s did not reach the emulator: %s" % (module, stats)
    assert stats["iam_token_requests"] >= 1, "the examples of %s did not log in with IAM: %s" % (module, stats)
