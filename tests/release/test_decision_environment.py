"""extensions/eda/decision-environment.yml: the build context `make de` makes of it, and what the image's
galaxy and builder stages do with that context, run here on the files ansible-builder wrote (no image is
built: no container engine needed)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import yaml
from ansible_builder._target_scripts import introspect
from packaging.requirements import Requirement

from release_support import BIN, ROOT, tool
from test_execution_environment import requirement_names  # one reading of a requirements file for both images

DEFINITION = ROOT / "extensions" / "eda" / "decision-environment.yml"
EE_DEFINITION = ROOT / "meta" / "execution-environment.yml"


def definition():
    return yaml.safe_load(DEFINITION.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def build_context(tmp_path_factory, collections_dir):
    """`make de` itself, into a directory of this test, with the tools of the running virtualenv (its view is the
    session's collection: not remade, and setup never runs)."""
    output = tmp_path_factory.mktemp("de") / "de"
    result = subprocess.run(
        ["make", "--no-print-directory", "-o", "view", "de", "COLLECTIONS=%s" % collections_dir, "DE_DIR=%s" % output, "BIN=%s" % BIN],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return output / "context"


@pytest.fixture(scope="module")
def galaxy_stage(build_context, tmp_path_factory):
    """The image's galaxy stage on this machine: `_build/` as its working directory, the collection
    requirements installed from there, offline."""
    workdir = tmp_path_factory.mktemp("galaxy") / "build"
    shutil.copytree(build_context / "_build", workdir)
    installed = workdir.parent / "collections"
    result = subprocess.run(
        [tool("ansible-galaxy"), "collection", "install", "--offline", "--force", "-r", "requirements.yml", "--collections-path", str(installed)],
        cwd=workdir, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return installed


def test_definition_is_schema_version_3_with_the_ansible_core_range_of_the_execution_environment():
    data = definition()
    assert data["version"] == 3
    ee = yaml.safe_load(EE_DEFINITION.read_text(encoding="utf-8"))
    for key in ("ansible_core", "ansible_runner"):
        assert data["dependencies"][key] == ee["dependencies"][key], key


def test_the_rulebook_release_the_example_is_tested_with_is_one_the_image_may_install():
    pinned = next(line for line in (ROOT / "requirements-dev.txt").read_text(encoding="utf-8").splitlines()
                  if line.startswith("ansible-rulebook=="))
    version = pinned.split("==", 1)[1].strip()
    wanted = [Requirement(line) for line in definition()["dependencies"]["python"]]
    rulebook = next(requirement for requirement in wanted if requirement.name == "ansible-rulebook")
    assert rulebook.specifier.contains(version), "%s does not admit the tested ansible-rulebook %s" % (rulebook, version)


def test_build_context_has_a_containerfile_that_installs_the_collection_in_the_galaxy_stage(build_context):
    containerfile = (build_context / "Containerfile").read_text(encoding="utf-8")
    assert 'ARG EE_BASE_IMAGE="%s"' % definition()["images"]["base_image"]["name"] in containerfile
    assert "FROM base AS galaxy" in containerfile and "ansible-galaxy collection install" in containerfile
    assert "introspect" in containerfile and "install-from-bindep" in containerfile
    # The rule engine's JVM, where jpy looks for it.
    assert re.search(r"^ENV JAVA_HOME=/usr/lib/jvm/\S*17\S*$", containerfile, re.MULTILINE), containerfile


def test_build_context_adds_ansible_rulebook_and_java_17(build_context):
    assert "ansible-rulebook" in requirement_names((build_context / "_build" / "requirements.txt").read_text(encoding="utf-8").splitlines())
    bindep = (build_context / "_build" / "bindep.txt").read_text(encoding="utf-8")
    assert re.search(r"^java-17-openjdk\S* \[platform:rpm\]$", bindep, re.MULTILINE), bindep


def test_build_context_carries_the_collection_tarball_of_this_version(build_context):
    tarball = build_context / "_build" / "collections" / "hwcloud-tasks.tar.gz"
    listing = subprocess.run(["tar", "-xzOf", str(tarball), "MANIFEST.json"], capture_output=True, text=True, check=True).stdout
    version = yaml.safe_load((ROOT / "galaxy.yml").read_text(encoding="utf-8"))["version"]
    assert '"version": "%s"' % version in listing


def test_galaxy_stage_installs_the_collection_with_its_event_source(galaxy_stage):
    installed = galaxy_stage / "ansible_collections" / "hwcloud" / "tasks"
    assert (installed / "extensions" / "eda" / "plugins" / "event_source" / "task_events.py").is_file()
    assert (installed / "extensions" / "eda" / "rulebooks" / "task_failed.yml").is_file()


def test_builder_stage_finds_the_collection_requirements_and_the_definition_s_own(build_context, galaxy_stage):
    """ansible-builder's introspection, as the builder stage runs it: the collection's requirements.txt
    and bindep.txt (through its meta/execution-environment.yml) and the definition's additions."""
    found = introspect.process(
        data_dir=str(galaxy_stage),
        user_pip=str(build_context / "_build" / "requirements.txt"),
        user_bindep=str(build_context / "_build" / "bindep.txt"),
    )
    assert {"requests", "jsonschema"} <= set(requirement_names(found["python"]["hwcloud.tasks"])), found
    assert "ansible-rulebook" in requirement_names(found["python"]["user"]), found
    assert any(line.startswith("ca-certificates") for line in found["system"]["hwcloud.tasks"]), found
    assert any(line.startswith("java-17-openjdk") for line in found["system"]["user"]), found
