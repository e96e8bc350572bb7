"""ansible-doc renders complete documentation for every module and filter.

The argument spec each module really builds is captured by running the module's
``main()`` with ``AnsibleModule`` replaced (in a subprocess, against the copy of
the collection ansible uses) and compared with what ``ansible-doc --json``
reports: the same options, and for each its type, required, default, choices,
elements and aliases. An option that is not required is optional in the spec
too, and has the spec's default (or none in either).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap

import pytest

from examples_support import COLLECTION, FILTER_FILES, FILTERS, MODULES, ROOT, read_docs, strip_ansi

# Shared by every module (doc fragment hwcloud.tasks.common, COMMON_ARGUMENT_SPEC).
COMMON_OPTIONS = ("region", "project_id", "endpoint", "auth_token", "access_key", "secret_key", "security_token",
                  "user_name", "password", "domain_name", "iam_endpoint", "validate_certs", "ca_path", "timeout",
                  "retries", "schema_validation")
SPEC_KEYS = ("type", "required", "default", "choices", "elements", "aliases")

CAPTURE_SCRIPT = textwrap.dedent("""
    import importlib, json, sys
    sys.path.insert(0, sys.argv[1])
    import ansible.module_utils.basic as basic

    class Captured(Exception):
        pass

    def capture(*args, **kwargs):
        raise Captured(kwargs.get("argument_spec", args[0] if args else None))

    basic.AnsibleModule = capture
    import ansible_collections.hwcloud.tasks.plugins.module_utils.module as shared
    shared.AnsibleModule = capture

    def plain(spec):
        out = {}
        for name, option in spec.items():
            option = dict(option)
            option.pop("fallback", None)
            if "options" in option:
                option["options"] = plain(option["options"])
            out[name] = option
        return out

    specs = {"modules": {}, "filters": []}
    for name in filter(None, sys.argv[3].split(",")):
        plugin = importlib.import_module("ansible_collections.hwcloud.tasks.plugins.filter." + name)
        specs["filters"] += list(plugin.FilterModule().filters())
    for name in filter(None, sys.argv[2].split(",")):
        module = importlib.import_module("ansible_collections.hwcloud.tasks.plugins.modules." + name)
        try:
            module.main()
        except Captured as exc:
            specs["modules"][name] = plain(exc.args[0])
        else:
            raise SystemExit("%s.main() did not build an AnsibleModule" % name)
    print(json.dumps(specs))
""")


@pytest.fixture(scope="session")
def captured_plugins(collections_root, ansible_env):
    """{"modules": {module: argument spec (fallbacks dropped)}, "filters": [filter names the plugins define]}."""
    command = [sys.executable, "-c", CAPTURE_SCRIPT, str(collections_root), ",".join(MODULES), ",".join(FILTER_FILES)]
    result = subprocess.run(command, env=ansible_env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, "capturing the argument specs failed:\n" + result.stdout + result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="session")
def argument_specs(captured_plugins):
    return captured_plugins["modules"]


@pytest.fixture(scope="session")
def filter_names(captured_plugins):
    return sorted(captured_plugins["filters"])


@pytest.fixture(scope="session")
def module_docs_json(run_ansible):
    result = run_ansible("ansible-doc", "--json", "-t", "module", *["%s.%s" % (COLLECTION, name) for name in MODULES])
    assert result.returncode == 0, "ansible-doc --json failed:\n" + result.stdout + result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="session")
def filter_docs_json(run_ansible):
    result = run_ansible("ansible-doc", "--json", "-t", "filter", *["%s.%s" % (COLLECTION, name) for name in FILTERS])
    assert result.returncode == 0, "ansible-doc --json -t filter failed:\n" + result.stdout + result.stderr
    return json.loads(result.stdout)


def _text(value):
    return " ".join(value) if isinstance(value, list) else (value or "")


def spec_value(option, key):
    """What the argument spec says for ``key``, with AnsibleModule's own defaults."""
    if key == "type":
        return option.get("type", "str")
    if key == "required":
        return bool(option.get("required", False))
    if key in ("choices", "aliases"):
        return sorted(str(item) for item in option.get(key) or ())
    return option.get(key)


def doc_value(option, key):
    if key == "required":
        return bool(option.get("required", False))
    if key in ("choices", "aliases"):
        return sorted(str(item) for item in option.get(key) or ())
    return option.get(key)


def compare_options(documented, spec, where):
    """Problems between documented options and the argument spec, recursively."""
    problems = []
    for name in sorted(set(spec) - set(documented)):
        problems.append("%s%s: in the argument spec, not documented" % (where, name))
    for name in sorted(set(documented) - set(spec)):
        problems.append("%s%s: documented, not in the argument spec" % (where, name))
    for name in sorted(set(spec) & set(documented)):
        doc, arg = documented[name], spec[name]
        if not doc.get("type"):
            problems.append("%s%s: no type" % (where, name))
        if not _text(doc.get("description")).strip():
            problems.append("%s%s: no description" % (where, name))
        for key in SPEC_KEYS:
            if doc_value(doc, key) != spec_value(arg, key):
                problems.append("%s%s: %s is %r in the docs, %r in the argument spec"
                                % (where, name, key, doc_value(doc, key), spec_value(arg, key)))
        if not doc_value(doc, "required") and spec_value(arg, "required"):
            problems.append("%s%s: documented as optional but required" % (where, name))
        if doc.get("options") or arg.get("options"):
            problems += compare_options(doc.get("options") or {}, arg.get("options") or {}, "%s%s." % (where, name))
    return problems


def return_problems(values, where=""):
    """Return values without a description, type or sample, walking ``contains``."""
    problems = []
    for name, value in sorted((values or {}).items()):
        for key in ("description", "type", "sample"):
            if key not in value or (key != "sample" and not _text(value[key]).strip()):
                problems.append("%s%s: no %s" % (where, name, key))
        if not where and not value.get("returned"):
            problems.append("%s: no returned" % name)
        if value.get("contains"):
            problems += return_problems(value["contains"], "%s%s." % (where, name))
    return problems


@pytest.mark.parametrize("module", MODULES)
def test_module_doc_text(module, run_ansible, argument_specs):
    result = run_ansible("ansible-doc", "-t", "module", "%s.%s" % (COLLECTION, module))
    assert result.returncode == 0, "ansible-doc %s failed:\n%s%s" % (module, result.stdout, result.stderr)
    text = strip_ansi(result.stdout)
    options_part, examples_heading, rest = text.partition("EXAMPLES:")
    assert examples_heading, "ansible-doc shows no EXAMPLES for %s:\n%s" % (module, text)
    assert "RETURN VALUES:" in rest, "ansible-doc shows no RETURN VALUES for %s:\n%s" % (module, text)
    spec = argument_specs[module]
    if module.endswith("_info"):  # the API modules; report_file reads no API
        assert set(COMMON_OPTIONS) <= set(spec), "%s lacks shared options %s" % (module, sorted(set(COMMON_OPTIONS) - set(spec)))
    # Without colour ansible-doc marks each option "= name" (required) or "- name".
    shown = dict((name, marker) for marker, name in re.findall(r"^\s*([-=]) ([a-z_][a-z0-9_]*)\s", options_part, re.MULTILINE))
    missing = sorted(set(spec) - set(shown))
    assert not missing, "ansible-doc %s does not show the options %s" % (module, missing)
    wrong = sorted(name for name in spec if (shown[name] == "=") != bool(spec[name].get("required")))
    assert not wrong, "ansible-doc %s marks these options required when they are not, or the reverse: %s" % (module, wrong)
    aliases = sorted(alias for option in spec.values() for alias in option.get("aliases") or ())
    assert all(alias in options_part for alias in aliases), "ansible-doc %s does not show the aliases %s" % (module, aliases)
    first_example = read_docs(module)["EXAMPLES"].strip().splitlines()[0]
    assert first_example.strip() in rest, "ansible-doc %s does not show the module's EXAMPLES" % module


@pytest.mark.parametrize("module", MODULES)
def test_module_doc_json(module, module_docs_json, argument_specs):
    entry = module_docs_json.get("%s.%s" % (COLLECTION, module))
    assert entry, "ansible-doc --json has no entry for %s" % module
    doc = entry["doc"]
    for key in ("short_description", "description", "author", "version_added"):
        assert _text(doc.get(key)).strip() if key != "author" else doc.get(key), "%s: no %s" % (module, key)
    problems = compare_options(doc.get("options") or {}, argument_specs[module], "")
    assert not problems, "%s: options:\n  %s" % (module, "\n  ".join(problems))
    assert (entry.get("examples") or "").strip() == read_docs(module)["EXAMPLES"].strip(), \
        "%s: ansible-doc's EXAMPLES are not the module's" % module
    assert entry.get("return"), "%s: no RETURN" % module
    problems = return_problems(entry["return"])
    assert not problems, "%s: RETURN:\n  %s" % (module, "\n  ".join(problems))


def test_module_list(run_ansible):
    result = run_ansible("ansible-doc", "-t", "module", "-l", COLLECTION)
    assert result.returncode == 0, result.stdout + result.stderr
    listed = sorted(line.split()[0] for line in strip_ansi(result.stdout).splitlines() if line.strip())
    assert listed == ["%s.%s" % (COLLECTION, name) for name in MODULES]


def test_filter_list(run_ansible, filter_names):
    assert filter_names == FILTERS, "filters defined %s, files (plugins/filter/*.py) %s" % (filter_names, FILTERS)
    result = run_ansible("ansible-doc", "-t", "filter", "-l", COLLECTION)
    assert result.returncode == 0, result.stdout + result.stderr
    listed = sorted(line.split()[0] for line in strip_ansi(result.stdout).splitlines() if line.strip())
    assert listed == ["%s.%s" % (COLLECTION, name) for name in FILTERS]


@pytest.mark.parametrize("name", FILTERS)
def test_filter_doc(name, run_ansible, filter_docs_json):
    result = run_ansible("ansible-doc", "-t", "filter", "%s.%s" % (COLLECTION, name))
    assert result.returncode == 0, "ansible-doc -t filter %s failed:\n%s%s" % (name, result.stdout, result.stderr)
    assert "EXAMPLES" in strip_ansi(result.stdout) and "RETURN" in strip_ansi(result.stdout)
    entry = filter_docs_json.get("%s.%s" % (COLLECTION, name))
    assert entry, "ansible-doc --json -t filter has no entry for %s" % name
    assert _text(entry["doc"].get("short_description")).strip() and _text(entry["doc"].get("description")).strip()
    options = entry["doc"].get("options") or {}
    assert "_input" in options, "%s: _input is not documented" % name
    bare = sorted(option for option, value in options.items()
                  if not value.get("type") or not _text(value.get("description")).strip())
    assert not bare, "%s: options without type or description: %s" % (name, bare)
    assert (entry.get("examples") or "").strip(), "%s: no EXAMPLES" % name
    returned = (entry.get("return") or {}).get("_value") or {}
    assert returned.get("type") and _text(returned.get("description")).strip(), "%s: RETURN _value is incomplete" % name


def test_docs_match_sources(collection_dir):
    """The collection ansible runs is a copy of these sources (else run make view / tools/sync_view.py)."""
    stale = []
    for source in sorted(list((ROOT / "plugins").rglob("*.py")) + list((ROOT / "plugins").rglob("*.yml"))
                         + [ROOT / "meta" / "runtime.yml"]):
        if "__pycache__" in source.parts:
            continue
        copy = collection_dir / source.relative_to(ROOT)
        if not copy.is_file() or copy.read_bytes() != source.read_bytes():
            stale.append(str(source.relative_to(ROOT)))
    assert not stale, "the collection under %s differs from the sources in %s: run make view" % (collection_dir, stale)
