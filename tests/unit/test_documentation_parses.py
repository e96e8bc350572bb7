# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every documentation block is YAML that parses, fragments included: a stray ': ' in a sentence breaks ansible-doc.

The full checks (types, defaults, examples) are ansible-test sanity's validate-modules; this is the fast guard
that fails in the unit run, before the slower suites.
"""

from __future__ import annotations

import importlib
import pathlib
import runpy

import pytest
import yaml

from ansible_collections.hwcloud.tasks.plugins.doc_fragments.common import ModuleDocFragment
from ansible_collections.hwcloud.tasks.plugins.module_utils.kinds import SERVICES

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODULES = sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("*.py") if path.name != "__init__.py")
FRAGMENTS = sorted(name for name in vars(ModuleDocFragment) if name.isupper())


@pytest.mark.parametrize("name", FRAGMENTS)
def test_doc_fragment_is_yaml_with_options(name):
    fragment = yaml.safe_load(getattr(ModuleDocFragment, name))
    assert isinstance(fragment.get("options"), dict) and fragment["options"], name
    for option, spec in fragment["options"].items():
        descriptions = spec["description"] if isinstance(spec["description"], list) else [spec["description"]]
        assert all(isinstance(line, str) for line in descriptions), "%s.%s: a description line is not text" % (name, option)


@pytest.mark.parametrize("name", MODULES)
def test_module_documentation_blocks_are_yaml(name):
    module = importlib.import_module("ansible_collections.hwcloud.tasks.plugins.modules." + name)
    documentation = yaml.safe_load(module.DOCUMENTATION)
    assert documentation["module"] == name
    for option, spec in documentation.get("options", {}).items():
        descriptions = spec["description"] if isinstance(spec["description"], list) else [spec["description"]]
        assert all(isinstance(line, str) for line in descriptions), "%s.%s: a description line is not text" % (name, option)
    assert isinstance(yaml.safe_load(module.RETURN), dict)
    assert yaml.safe_load_all(module.EXAMPLES) is not None and list(yaml.safe_load_all(module.EXAMPLES))


EVENT_SOURCE = ROOT / "extensions" / "eda" / "plugins" / "event_source" / "task_events.py"


@pytest.fixture(scope="module")
def event_source():
    """The event source's globals, as ansible-rulebook loads it (``runpy`` on the file)."""
    return runpy.run_path(str(EVENT_SOURCE))


def test_event_source_documentation_is_yaml_and_documents_its_own_options_as_it_takes_them(event_source):
    documentation = yaml.safe_load(event_source["DOCUMENTATION"])
    assert all(isinstance(line, str) for line in documentation["description"] + documentation["notes"])
    options = documentation["options"]
    assert set(options) == set(event_source["SOURCE_SPEC"])
    for name, spec in event_source["SOURCE_SPEC"].items():
        documented = options[name]
        if name == "service":  # the registry's services, whichever of the two holds them
            spec = dict(spec, choices=list(SERVICES))
        for key in ("type", "default", "required", "choices", "elements"):
            assert documented.get(key) == spec.get(key), "%s: %s is %r in the documentation, %r in SOURCE_SPEC" % (
                name, key, documented.get(key), spec.get(key))
        descriptions = documented["description"]
        assert all(isinstance(line, str) for line in descriptions), name
        assert any("example v(" in line.lower() for line in descriptions), "%s: no example value" % name


def test_event_source_examples_are_rulebooks_of_this_source(event_source):
    rulebooks = yaml.safe_load(event_source["EXAMPLES"])
    assert rulebooks and all("hwcloud.tasks.task_events" in source for rulebook in rulebooks for source in rulebook["sources"])
