# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write what must be literal text from the registry of services (plugins/module_utils/kinds.py, KINDS).

    python tools/sync_registry.py [--check] [--root DIR]

The list of services lives in one place, the kinds. What Python can derive, it
derives at run time. What ansible-doc, ansible-core and the role machinery read as
text cannot, so this tool writes it and ``--check`` (run by
tests/unit/test_registry.py) fails when a copy drifts:

* every ``choices: [...]`` of services in the documentation of the filters, the
  roles' argument specs and the event source;
* every sentence that enumerates the services (``one of V(hilens), V(vias), ...``);
* one role call file per service, roles/gather_task_facts/tasks/call_<service>.yml:
  the module of the kind with every option a plan can send, each omitted unless
  planned (options: the kind's selection, its filters, then the wait and result
  options the module takes).

A new service added to the registry gets all of them by running this tool.
"""

import argparse
import pathlib
import re
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from collection_import import ROOT, collection_module  # noqa: E402

# Where services are enumerated as text.
DOCUMENTED = ("plugins/filter/*.py", "roles/*/meta/argument_specs.yml", "extensions/eda/plugins/event_source/*.py")
CALL_FILES = "roles/gather_task_facts/tasks"
WAIT_OPTIONS = ("wait_for", "wait_for_states", "fail_on", "wait_timeout", "wait_sleep", "wait_progress", "wait_min_count")
RESULT_OPTIONS = ("summary", "return_items", "fields")
# The roles name tasks with task_ids; task_id is the modules' shorthand for one, which no plan sends.
NOT_PLANNED = ("task_id",)
CALL_TEMPLATE = """---
# One read of the {title}s, shared by both roles. gather_task_facts__call is a plan that the filter
# hwcloud.tasks.task_facts_calls or hwcloud.tasks.task_states_call made (plugin_utils/role_plans.py): the options
# to send (every other option is omitted), and whether a failure ends the play (gather) or is kept for the verdict.
# Written by tools/sync_registry.py from the registry of services (plugins/module_utils/kinds.py): do not edit.
- name: Read the {title}s ({{{{ gather_task_facts__call.title | default('as planned') }}}})
  hwcloud.tasks.{module}:
{options}
  # Under the module's own name: merged over the play's group/hwcloud.tasks.hwcloud defaults, not instead of them.
  module_defaults:
    hwcloud.tasks.{module}: "{{{{ gather_task_facts__connection | default({{}}, true) }}}}"
  register: gather_task_facts__result
  failed_when: gather_task_facts__result is failed and not gather_task_facts__call.keep_going
"""


def services_pattern(services):
    """A run of at least two known service names, as a choices list or an enumeration of V(...) would hold them."""
    name = "(?:%s)" % "|".join(sorted((re.escape(service) for service in services), key=len, reverse=True))
    choices = re.compile(r"(choices: \[)(%s(?:, %s)+)(\])" % (name, name))
    enumeration = re.compile(r"(one of )(V\(%s\)(?:, V\(%s\))+)" % (name, name))
    return choices, enumeration


def synced_text(text, services):
    """``text`` with every enumeration of services replaced by the registry's."""
    choices, enumeration = services_pattern(services)
    text = choices.sub(lambda match: match.group(1) + ", ".join(services) + match.group(3), text)
    return enumeration.sub(lambda match: match.group(1) + ", ".join("V(%s)" % service for service in services), text)


def call_file(kind, declaration):
    """The text of the role call file of ``kind``."""
    spec = declaration.argument_spec()
    names = [name for name in kind.selection if name not in NOT_PLANNED] + sorted(kind.filters)
    names += [name for name in WAIT_OPTIONS + RESULT_OPTIONS if name in spec]
    missing = [name for name in names if name not in spec]
    if missing:
        raise ValueError("%s: the kind names options its module does not take: %s" % (kind.module, ", ".join(missing)))
    options = "\n".join('    %s: "{{ gather_task_facts__call.args.%s | default(omit) }}"' % (name, name) for name in names)
    return CALL_TEMPLATE.format(title=kind.title, module=kind.module, options=options)


def wanted_files(root):
    """{path: text} of every file the registry writes, as it should be."""
    kinds = collection_module("plugins.module_utils.kinds", root)
    services = list(kinds.SERVICES)
    wanted = {}
    for pattern in DOCUMENTED:
        for path in sorted(root.glob(pattern)):
            text = path.read_text(encoding="utf-8")
            wanted[path] = synced_text(text, services)
    for kind in kinds.KINDS.values():
        declaration = collection_module("plugins.modules.%s" % kind.module, root).DECLARATION
        wanted[root / CALL_FILES / ("call_%s.yml" % kind.name)] = call_file(kind, declaration)
    return wanted


def stale_call_files(root, services):
    """Call files of services the registry no longer has."""
    return [path for path in sorted((root / CALL_FILES).glob("call_*.yml")) if path.stem[len("call_"):] not in services]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report what differs from the registry; exit 1 if anything does")
    parser.add_argument("--root", default=str(ROOT), help="the collection to sync (default: this checkout)")
    args = parser.parse_args(argv)
    root = pathlib.Path(args.root).resolve()
    wanted = wanted_files(root)
    services = list(collection_module("plugins.module_utils.kinds", root).SERVICES)
    drifted = [path for path, text in wanted.items() if not path.exists() or path.read_text(encoding="utf-8") != text]
    orphans = stale_call_files(root, services)
    if args.check:
        for path in drifted:
            sys.stderr.write("%s differs from the registry of services; run python tools/sync_registry.py\n" % path.relative_to(root))
        for path in orphans:
            sys.stderr.write("%s is the call file of a service the registry does not have\n" % path.relative_to(root))
        return 1 if drifted or orphans else 0
    for path in drifted:
        path.write_text(wanted[path], encoding="utf-8")
        print("wrote %s" % path.relative_to(root))
    for path in orphans:
        path.unlink()
        print("removed %s" % path.relative_to(root))
    return 0


if __name__ == "__main__":
    sys.exit(main())
