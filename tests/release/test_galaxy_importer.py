"""The built tarball as Galaxy and Automation Hub see it: galaxy-importer (the official importer, pinned in
requirements-dev.txt) run with Automation Hub's settings for certified content (tools/galaxy_import_check.py)
finds nothing to warn about and lists every module, filter, role, plugin and event source with its
documentation, and the README that Galaxy shows links to nothing the tarball lacks."""

from __future__ import annotations

import importlib.util
import io
import json
import sys
import tarfile

import pytest

from release_support import ROOT


def _tool(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / ("%s.py" % name))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


build_collection = _tool("build_collection")
check_artifact = _tool("check_artifact")
galaxy_import_check = _tool("galaxy_import_check")


@pytest.fixture(scope="module")
def tarball(tmp_path_factory, collections_dir):
    """The tarball as `make build` makes it (the changelog of its version rendered into it)."""
    return build_collection.build(collections_dir / "ansible_collections" / "hwcloud" / "tasks", tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def imported(tarball, tmp_path_factory):
    return galaxy_import_check.import_and_inventory(tarball, tmp_path_factory.mktemp("galaxy-import"))


def _report(problems, imported):
    return "%d problem(s):\n  %s\nthe import lists:\n  %s" % (
        len(problems), "\n  ".join(problems), "\n  ".join(galaxy_import_check.listing(imported)))


def test_the_import_with_automation_hubs_settings_has_no_warning_and_no_error(imported):
    problems = galaxy_import_check.log_problems(imported)
    assert problems == [], _report(problems, imported)


def test_the_import_lists_every_content_once_and_none_without_its_documentation(imported):
    problems = galaxy_import_check.listing_problems(imported)
    assert problems == [], _report(problems, imported)


def test_everything_ansible_doc_knows_and_every_event_source_is_listed_with_its_documentation(imported):
    problems = galaxy_import_check.coverage_problems(imported)
    assert problems == [], _report(problems, imported)
    # The inventory the comparison rests on is not empty: it found the collection's content.
    assert {"module", "filter", "role"} <= set(imported.ansible_doc), sorted(imported.ansible_doc)
    assert imported.event_sources["eda/plugins/event_source"], imported.event_sources


def test_every_relative_link_of_the_shipped_readme_resolves_inside_the_tarball(tarball):
    names, readme = check_artifact.read(tarball)
    assert readme is not None, "the tarball has no README.md"
    assert check_artifact.unresolved_links(readme, names) == []


def test_the_tarball_ships_what_galaxy_reads_and_nothing_of_the_repository_tooling(tarball):
    names, readme = check_artifact.read(tarball)
    assert check_artifact.problems_of(names, readme) == []


# --- the checks themselves find what they are there to find -------------------------------------------------

def _import(log=(), contents=(), documented=(), ansible_doc=None, event_sources=None, returncode=0):
    steps = ["%s..." % step for step in galaxy_import_check.EXPECTED_STEPS]
    result = {
        "contents": [{"content_type": kind, "name": name, "description": description} for kind, name, description in contents],
        "docs_blob": {"contents": [{"content_type": kind, "content_name": name, "doc_strings": {"doc": {"short_description": "x"}}}
                                   for kind, name in documented]},
    }
    return galaxy_import_check.Import(returncode=returncode, log=steps + list(log), result=result,
                                      ansible_doc=ansible_doc or {}, event_sources=event_sources or {})


def test_a_warning_an_error_a_failed_import_and_a_step_that_did_not_run_are_problems():
    imported = _import(log=["Loading module x", "WARNING: changelogs/config.yaml:1: schema[tasks]", "ERROR: Error running ansible-doc"],
                       returncode=1)
    imported.log.remove("Linting collection via ansible-lint...")
    problems = galaxy_import_check.log_problems(imported)
    assert problems[0] == "the import failed (exit 1)"
    assert "WARNING: changelogs/config.yaml:1: schema[tasks]" in problems
    assert "ERROR: Error running ansible-doc" in problems
    assert any("Linting collection via ansible-lint" in problem for problem in problems)
    assert len(problems) == 4


def test_content_listed_twice_or_without_documentation_is_a_problem():
    imported = _import(
        contents=[("filter", "phase", "Map"), ("filter", "phase", "Map"), ("filter", "reports", ""), ("role", "gather_task_facts", ""),
                  ("action", "vias_task_info", ""), ("module_utils", "engine", "")],
        documented=[("filter", "phase")],
    )
    assert galaxy_import_check.listing_problems(imported) == [
        "filter phase: listed 2 times",
        "filter reports: listed without documentation",
        "role gather_task_facts: listed without a description (galaxy_info.description of its meta/main.yml)",
    ]


def test_what_ansible_doc_knows_and_the_import_leaves_out_or_undocumented_is_a_problem():
    imported = _import(
        contents=[("module", "vias_task_info", "Get"), ("filter", "phase", "Map"), ("role", "gather_task_facts", "Read"),
                  ("eda/plugins/event_source", "task_events", "")],
        documented=[("module", "vias_task_info")],
        ansible_doc={
            "module": {"vias_task_info": {"doc": {}}, "hilens_task_info": {"doc": {}}},
            "filter": {"phase": {"doc": {}}, "broken": {"error": "could not parse"}},
            "keyword": {"hosts": {"description": "not content"}},
            "role": {"gather_task_facts": {"description": "UNDOCUMENTED"}, "assert_task_states": {"description": "Wait"}},
        },
        event_sources={"eda/plugins/event_source": ["other_source", "task_events"], "eda/plugins/event_filter": []},
    )
    assert galaxy_import_check.coverage_problems(imported) == [
        "filter broken: ansible-doc cannot read its documentation: could not parse",
        "filter phase: the import lists it without the documentation ansible-doc shows",
        "module hilens_task_info: ansible-doc knows it, the import does not list it",
        "role assert_task_states: ansible-doc knows it, the import does not list it",
        "role gather_task_facts: ansible-doc -t role -l says UNDOCUMENTED (no galaxy_info in meta/main.yml)",
        "eda/plugins/event_source other_source: shipped, not listed (meta/extensions.yml names its folder)",
        "eda/plugins/event_source task_events: listed without documentation (its DOCUMENTATION does not parse)",
    ]


def test_the_importer_gets_automation_hubs_settings(tmp_path):
    galaxy_import_check.importer_config(tmp_path / "galaxy-importer.cfg", tmp_path / "tmp")
    from galaxy_importer import config  # pylint: disable=import-outside-toplevel

    # The importer's own reading of the file (GALAXY_IMPORTER_CONFIG), as in galaxy_importer.main.
    parsed = config.ConfigFile._load_file([str(tmp_path / "galaxy-importer.cfg")])  # pylint: disable=protected-access
    settings = config.Config(config_data=config.ConfigFile._to_dictionary(parsed))  # pylint: disable=protected-access
    assert (settings.run_ansible_doc, settings.run_ansible_lint, settings.check_required_tags, settings.check_changelog) == (True,) * 4
    assert settings.run_ansible_test is False


@pytest.mark.parametrize("readme, unresolved", [
    ("[guide](docs/phases.md) and [folder](docs/) and [top](#top) and [web](https://example.org/x.md)", []),
    ("[tools](tools/seed.py) [out](../x.md) ![img](images/a.png)\n[ref]: benchmarks/README.md\n<a href=\"tests/x.py\">x</a>",
     ["tools/seed.py", "../x.md", "images/a.png", "benchmarks/README.md", "tests/x.py"]),
    ("```yaml\nx: \"[c](missing.md)\"\n```\nand `[d](missing.md)` in a code span", []),
])
def test_a_readme_link_to_what_the_tarball_lacks_is_found_and_code_is_not_read(readme, unresolved):
    names = ["README.md", "docs/phases.md", "docs/vocabulary.md"]
    problems = check_artifact.unresolved_links(readme, names)
    assert [problem.split(" links to ", 1)[1].split(",", 1)[0] for problem in problems] == unresolved


def test_the_artifact_check_reads_the_readme_of_a_tarball(tmp_path):
    path = _tarball(tmp_path / "hwcloud-tasks-1.0.0.tar.gz", {"README.md": "[x](tools/a.py)", "docs/a.md": ""})
    names, readme = check_artifact.read(path)
    problems = check_artifact.problems_of(names, readme)
    assert "README.md links to tools/a.py, which the tarball does not ship" in problems
    assert "missing: meta/extensions.yml" in problems


def _tarball(path, files):
    """A small tarball of ``{name: text}``."""
    with tarfile.open(path, "w:gz") as archive:
        for name, text in files.items():
            data = text.encode()
            member = tarfile.TarInfo(name)
            member.size = len(data)
            archive.addfile(member, io.BytesIO(data))
    return path


def _tarball_with_manifest(path, collection_info):
    return _tarball(path, {"MANIFEST.json": json.dumps({"collection_info": collection_info}), "README.md": "readme"})


def test_a_tarball_without_repository_is_imported_with_the_stand_in_and_says_so(tmp_path):
    original = _tarball_with_manifest(tmp_path / "hwcloud-tasks-1.0.0.tar.gz", {"name": "tasks", "repository": None})
    (tmp_path / "copy").mkdir()
    copy, stand_in = galaxy_import_check.with_repository(original, tmp_path / "copy")
    assert stand_in and copy != original
    with tarfile.open(copy) as archive:
        assert json.load(archive.extractfile("MANIFEST.json"))["collection_info"]["repository"] == galaxy_import_check.STAND_IN_REPOSITORY
        assert archive.extractfile("README.md").read() == b"readme"


def test_a_tarball_with_a_repository_is_imported_as_it_is(tmp_path):
    original = _tarball_with_manifest(tmp_path / "hwcloud-tasks-1.0.0.tar.gz", {"name": "tasks", "repository": "https://example.org/x"})
    assert galaxy_import_check.with_repository(original, tmp_path) == (original, False)
