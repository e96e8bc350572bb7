# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every documentation block is YAML that parses, fragments included: a stray ': ' in a sentence breaks ansible-doc.

The full checks (types, defaults, examples) are ansible-test sanity's validate-modules; this is the fast guard
that fails in the unit run, before the slower suites.
"""

from __future__ import annotations

import importlib
import pathlib

import pytest
import yaml

from ansible_collections.hwcloud.tasks.plugins.doc_fragments.common import ModuleDocFragment

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
