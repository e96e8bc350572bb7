"""meta/execution-environment.yml: the build context ansible-builder makes of it, and what
ansible-builder's introspection reads from it in an execution environment that installs
the collection. No image is built (no container engine needed)."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess

import pytest
import yaml

from release_support import ROOT, tool

DEFINITION = ROOT / "meta" / "execution-environment.yml"
RUNTIME = ROOT / "meta" / "runtime.yml"


def requirement_names(lines):
    names = []
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.append(re.split(r"[<>=!~;\[ ]", line, maxsplit=1)[0].lower())
    return names


def definition():
    return yaml.safe_load(DEFINITION.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def build_context(tmp_path_factory, collections_dir):
    """What `make ee` does: the definition beside requirements.txt, bindep.txt and the tarball, then
    `ansible-builder create`."""
    workdir = tmp_path_factory.mktemp("ee")
    for name in ("requirements.txt", "bindep.txt"):
        shutil.copy(ROOT / name, workdir / name)
    shutil.copy(DEFINITION, workdir / "execution-environment.yml")
    collection = collections_dir / "ansible_collections" / "hwcloud" / "tasks"
    subprocess.run([tool("ansible-galaxy"), "collection", "build", "--output-path", str(workdir), str(collection)],
                   check=True, capture_output=True, text=True)
    result = subprocess.run(
        [tool("ansible-builder"), "create", "--file", str(workdir / "execution-environment.yml"), "--context", str(workdir / "context"),
         "--output-filename", "Containerfile"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return workdir / "context"


def test_definition_is_schema_version_3_with_dependencies_relative_to_the_collection_root():
    data = definition()
    assert data["version"] == 3
    for kind, expected in (("python", "requirements.txt"), ("system", "bindep.txt")):
        path = data["dependencies"][kind]
        # ansible-builder's introspection of an installed collection joins these to the collection root.
        assert path == expected, "dependencies.%s must be %s, relative to the collection root (got %r)" % (kind, expected, path)
        assert (ROOT / path).is_file()


def test_ansible_core_of_the_image_starts_at_the_supported_minimum():
    minimum = re.match(r">=\s*(\d+\.\d+)", yaml.safe_load(RUNTIME.read_text(encoding="utf-8"))["requires_ansible"]).group(1)
    assert definition()["dependencies"]["ansible_core"]["package_pip"].startswith("ansible-core>=%s" % minimum)


def tested_releases():
    """VERSIONS of tools/test_matrix.py, the releases the matrix runs (read, not imported: it is a script)."""
    tree = ast.parse((ROOT / "tools" / "test_matrix.py").read_text(encoding="utf-8"))
    assignments = [node for node in tree.body if isinstance(node, ast.Assign)]
    found = [node.value for node in assignments if any(getattr(target, "id", None) == "VERSIONS" for target in node.targets)]
    assert found, "no VERSIONS in tools/test_matrix.py"
    return ast.literal_eval(found[0])


def test_ansible_core_of_the_image_is_every_tested_release_and_no_untested_one():
    """The image takes the newest release the matrix proves, never one it does not."""
    newest = tested_releases()[-1]
    major, minor = (int(part) for part in newest.split("."))
    requirement = definition()["dependencies"]["ansible_core"]["package_pip"]
    assert re.search(r",\s*<\s*%d\.%d\b" % (major, minor + 1), requirement), \
        "ansible-core in the image must stop right after %s, the newest release tools/test_matrix.py tests (got %r)" % (newest, requirement)


def test_build_context_has_a_containerfile_from_the_base_image(build_context):
    containerfile = (build_context / "Containerfile").read_text(encoding="utf-8")
    assert 'ARG EE_BASE_IMAGE="%s"' % definition()["images"]["base_image"]["name"] in containerfile
    assert "introspect" in containerfile and "install-from-bindep" in containerfile
    assert "ansible-galaxy collection install --offline" in containerfile


def test_build_context_python_requirements_include_requests_and_jsonschema(build_context):
    names = requirement_names((build_context / "_build" / "requirements.txt").read_text(encoding="utf-8").splitlines())
    assert "requests" in names and "jsonschema" in names, names


def test_build_context_system_requirements_are_bindep_txt(build_context):
    assert (build_context / "_build" / "bindep.txt").read_text(encoding="utf-8") == (ROOT / "bindep.txt").read_text(encoding="utf-8")


def test_build_context_carries_the_collection_tarball(build_context):
    version = yaml.safe_load((ROOT / "galaxy.yml").read_text(encoding="utf-8"))["version"]
    assert (build_context / "_build" / "collections" / ("hwcloud-tasks-%s.tar.gz" % version)).is_file()


def test_an_execution_environment_installing_the_tarball_finds_its_requirements(build_context, tmp_path):
    """ansible-builder's introspection step, run on the collection installed from the tarball, as in
    any execution environment that lists hwcloud.tasks among its Galaxy requirements."""
    introspect = pytest.importorskip("ansible_builder._target_scripts.introspect")
    tarball = next((build_context / "_build" / "collections").glob("hwcloud-tasks-*.tar.gz"))
    installed = tmp_path / "installed"
    # Without --force, ansible-galaxy skips a collection it finds in ANSIBLE_COLLECTIONS_PATH.
    subprocess.run([tool("ansible-galaxy"), "collection", "install", "--offline", "--force", "-p", str(installed), str(tarball)],
                   check=True, capture_output=True, text=True)
    found = introspect.process(data_dir=str(installed))
    assert {"requests", "jsonschema"} <= set(requirement_names(found["python"]["hwcloud.tasks"])), found
    assert any(line.startswith("ca-certificates") for line in found["system"]["hwcloud.tasks"]), found
