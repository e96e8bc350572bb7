"""Import a built tarball with galaxy-importer under Automation Hub's settings, and name
everything Galaxy would warn about or show wrongly.

    python tools/galaxy_import_check.py build/dist/hwcloud-tasks-X.Y.Z.tar.gz

Automation Hub imports certified content with ansible-doc, ansible-lint (production profile),
the required-tags and the changelog checks on (AUTOMATION_HUB_SETTINGS, written to the file
GALAXY_IMPORTER_CONFIG names). ansible-test is off: Automation Hub runs it in a container, there
is no container engine here, and ``make sanity`` runs it. The importer finds ansible-doc and
ansible-lint on PATH: this virtualenv's, the pinned ones.

A problem is:
- a WARNING or ERROR line of the import, or an import that fails;
- content listed more than once;
- a module, filter, role or other plugin that ansible-doc knows, or an event source the
  tarball ships, that the import does not list with its documentation (for a role: the
  description of meta/main.yml, which ``ansible-doc -t role -l`` shows too);
- content of a documented kind that the import lists without documentation.
Prints the problems and exits 1, or prints what the import lists and exits 0.

Galaxy refuses a tarball whose MANIFEST.json names no repository ("'repository' is required")
before it checks anything else. The project has no public home yet and galaxy.yml names none
(never an invented one), so until it does the import is run on a copy of the tarball whose
MANIFEST.json carries STAND_IN_REPOSITORY, an address that cannot exist (RFC 2606), and the
output says so: every other check still runs, and publication waits for a real home.
"""

from __future__ import annotations

import argparse
import collections
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from galaxy_importer import constants

BIN = Path(sys.executable).parent
NAMESPACE, NAME = "hwcloud", "tasks"
FQCN = "%s.%s" % (NAMESPACE, NAME)

AUTOMATION_HUB_SETTINGS = {
    "RUN_ANSIBLE_DOC": True,
    "RUN_ANSIBLE_LINT": True,
    "OFFLINE_ANSIBLE_LINT": True,
    "CHECK_REQUIRED_TAGS": True,
    "CHECK_CHANGELOG": True,
    "REQUIRE_V1_OR_GREATER": True,
    "RUN_ANSIBLE_TEST": False,
    "RUN_FLAKE8": False,
    "LOG_LEVEL_MAIN": "INFO",
}
STAND_IN_REPOSITORY = "https://no-public-home-yet.invalid/hwcloud.tasks"
# The steps the settings turn on, as the importer announces them: a run without them proves nothing.
EXPECTED_STEPS = ("Getting doc strings via ansible-doc", "Linting collection via ansible-lint")
ROLE = constants.ContentType.ROLE.value
EXTENSION_TYPES = tuple(constants.ALLOWED_EXTENSION_DIRS)
# The kinds whose every item Galaxy shows with its documentation; action plugins, module_utils,
# doc fragments and playbooks carry none.
DOCUMENTED_TYPES = frozenset(constants.ANSIBLE_DOC_SUPPORTED_TYPES) | {ROLE} | set(EXTENSION_TYPES)


@dataclass
class Import:
    """What one import said (its log lines), listed (``importer_result.json``) and ansible-doc knows of the tarball."""

    returncode: int
    log: list
    result: dict
    ansible_doc: dict = field(default_factory=dict)  # {plugin type: {short name: documentation or summary}}
    event_sources: dict = field(default_factory=dict)  # {extension type: [short names shipped]}
    stand_in_repository: bool = False  # imported with STAND_IN_REPOSITORY: the tarball names no repository

    def listed(self):
        """``{(type, name): [descriptions]}`` of the contents list (a name listed twice has two)."""
        found = collections.defaultdict(list)
        for content in self.result.get("contents", []):
            found[(content["content_type"], content["name"])].append(content.get("description") or "")
        return found

    def documented(self):
        """``{(type, name)}`` the docs blob holds documentation for."""
        blob = (self.result.get("docs_blob") or {}).get("contents", [])
        return {(entry["content_type"], entry["content_name"]) for entry in blob if (entry.get("doc_strings") or {}).get("doc")}


def importer_config(path, local_tmp):
    lines = ["[galaxy-importer]"] + ["%s = %s" % (key, value) for key, value in AUTOMATION_HUB_SETTINGS.items()]
    lines.append("ANSIBLE_LOCAL_TMP = %s" % local_tmp)
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


def clean_env(**extra):
    """This process's environment without settings of its own for the importer or ansible; the pinned tools first on PATH."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GALAXY_IMPORTER_", "ANSIBLE_"))}
    env.update(PATH=os.pathsep.join([str(BIN), os.environ.get("PATH", "")]), ANSIBLE_NOCOLOR="1", **extra)
    return env


def run_import(tarball, workdir):
    """Import TARBALL with Automation Hub's settings (WORKDIR holds the config and the result)."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "galaxy-importer.cfg"
    importer_config(config, workdir / "ansible-tmp")
    result_file = workdir / "importer_result.json"
    result_file.unlink(missing_ok=True)
    proc = subprocess.run(
        [sys.executable, "-m", "galaxy_importer.main", str(Path(tarball).resolve())],
        cwd=workdir, env=clean_env(GALAXY_IMPORTER_CONFIG=str(config)), capture_output=True, text=True, check=False,
    )
    log = (proc.stdout + proc.stderr).splitlines()
    result = json.loads(result_file.read_text(encoding="utf-8")) if result_file.is_file() else {}
    return Import(returncode=proc.returncode, log=log, result=result)


def with_repository(tarball, workdir):
    """(TARBALL, False) when its MANIFEST.json names a repository; else (a copy naming STAND_IN_REPOSITORY, True)."""
    with tarfile.open(tarball) as archive:
        manifest = json.load(archive.extractfile("MANIFEST.json"))
        if manifest["collection_info"].get("repository"):
            return Path(tarball), False
        manifest["collection_info"]["repository"] = STAND_IN_REPOSITORY
        copy = Path(workdir) / Path(tarball).name
        with tarfile.open(copy, "w:gz") as target:
            for member in archive.getmembers():
                if member.name == "MANIFEST.json":
                    data = json.dumps(manifest, indent=4).encode("utf-8")
                    member.size = len(data)
                    target.addfile(member, io.BytesIO(data))
                else:
                    target.addfile(member, archive.extractfile(member) if member.isfile() else None)
    return copy, True


def unpack(tarball, collections_root):
    target = Path(collections_root) / "ansible_collections" / NAMESPACE / NAME
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tarball) as archive:
        archive.extractall(target, filter="data")
    return target


def ansible_doc(collections_root, *args):
    proc = subprocess.run(
        [str(BIN / "ansible-doc"), *args], env=clean_env(ANSIBLE_COLLECTIONS_PATH=str(collections_root)),
        capture_output=True, text=True, check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError("ansible-doc %s failed:\n%s" % (" ".join(args), proc.stderr[-3000:]))
    return json.loads(proc.stdout)


def short(fqcn):
    return fqcn[len(FQCN) + 1:] if fqcn.startswith(FQCN + ".") else fqcn


def what_ansible_doc_knows(collection_path):
    """``{type: {name: doc}}`` of every documented plugin and role of the collection, as ansible-doc sees them."""
    root = Path(collection_path).parents[2]
    dump = ansible_doc(root, "--metadata-dump", "--no-fail-on-errors", FQCN)["all"]
    known = {kind: {short(name): doc for name, doc in items.items() if name.startswith(FQCN + ".")} for kind, items in dump.items()}
    known = {kind: items for kind, items in known.items() if items}
    # The role summaries carry meta/main.yml's galaxy_info (its description, or UNDOCUMENTED).
    known[ROLE] = {short(name): summary for name, summary in ansible_doc(root, "-t", "role", "-l", "--json", FQCN).items()}
    return known


def shipped_event_sources(collection_path):
    """``{extension type: [names]}``: the plugins under extensions/eda/plugins/<kind>/ of the tarball."""
    found = {}
    for kind in EXTENSION_TYPES:
        folder = Path(collection_path) / "extensions" / kind
        found[kind] = sorted(path.stem for path in folder.glob("*.py") if path.name != "__init__.py") if folder.is_dir() else []
    return found


def import_and_inventory(tarball, workdir):
    """Run the import of TARBALL and gather what ansible-doc and the tarball say it holds."""
    stand_in_dir = Path(workdir) / "stand-in"
    stand_in_dir.mkdir(parents=True, exist_ok=True)
    importable, stand_in = with_repository(tarball, stand_in_dir)
    imported = run_import(importable, Path(workdir) / "import")
    imported.stand_in_repository = stand_in
    collection_path = unpack(tarball, Path(workdir) / "collections")
    imported.ansible_doc = what_ansible_doc_knows(collection_path)
    imported.event_sources = shipped_event_sources(collection_path)
    return imported


# --- the problems --------------------------------------------------------------------------------

def log_problems(imported):
    """The import's failure, its WARNING and ERROR lines, and any step the settings turn on that did not run."""
    problems = ["the import failed (exit %d)" % imported.returncode] if imported.returncode or not imported.result else []
    problems += [line for line in imported.log if line.startswith(("WARNING:", "ERROR:", "CRITICAL:"))]
    problems += ["the import never said %r: the setting did not take" % step for step in EXPECTED_STEPS
                 if not any(line.startswith(step) for line in imported.log)]
    return problems


def listing_problems(imported):
    """Content listed twice, and content of a documented kind listed without its documentation."""
    listed, documented = imported.listed(), imported.documented()
    problems = ["%s %s: listed %d times" % (kind, name, len(descriptions)) for (kind, name), descriptions in sorted(listed.items())
                if len(descriptions) > 1]
    for (kind, name), descriptions in sorted(listed.items()):
        if kind == ROLE and not all(descriptions):
            problems.append("role %s: listed without a description (galaxy_info.description of its meta/main.yml)" % name)
        elif kind in DOCUMENTED_TYPES and kind != ROLE and (kind, name) not in documented:
            problems.append("%s %s: listed without documentation" % (kind, name))
    return problems


def coverage_problems(imported):
    """What ansible-doc knows, or the tarball ships as an event source, that the import does not list with its documentation."""
    listed, documented = imported.listed(), imported.documented()
    problems = []
    for kind, items in sorted(imported.ansible_doc.items()):
        if kind == "keyword":  # ansible-doc's playbook keywords, not content
            continue
        for name, doc in sorted(items.items()):
            if kind == ROLE:
                if (doc or {}).get("description", "UNDOCUMENTED") == "UNDOCUMENTED":
                    problems.append("role %s: ansible-doc -t role -l says UNDOCUMENTED (no galaxy_info in meta/main.yml)" % name)
                if (kind, name) not in listed:
                    problems.append("role %s: ansible-doc knows it, the import does not list it" % name)
            elif isinstance(doc, dict) and doc.get("error"):
                problems.append("%s %s: ansible-doc cannot read its documentation: %s" % (kind, name, doc["error"]))
            elif (kind, name) not in listed:
                problems.append("%s %s: ansible-doc knows it, the import does not list it" % (kind, name))
            elif (kind, name) not in documented:
                problems.append("%s %s: the import lists it without the documentation ansible-doc shows" % (kind, name))
    for kind, names in sorted(imported.event_sources.items()):
        for name in names:
            if (kind, name) not in listed:
                problems.append("%s %s: shipped, not listed (meta/extensions.yml names its folder)" % (kind, name))
            elif (kind, name) not in documented:
                problems.append("%s %s: listed without documentation (its DOCUMENTATION does not parse)" % (kind, name))
    return problems


def problems(imported):
    return log_problems(imported) + listing_problems(imported) + coverage_problems(imported)


def listing(imported):
    """One line per listed content, as Galaxy shows the list: kind, name, description."""
    documented = imported.documented()
    lines = []
    for (kind, name), descriptions in sorted(imported.listed().items()):
        note = descriptions[0] or ("(documented)" if (kind, name) in documented else "")
        lines.append("%-26s %-26s %s" % (kind, name, note[:70]))
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tarball", help="the built collection tarball")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="galaxy-import-") as workdir:
        imported = import_and_inventory(options.tarball, workdir)
    print("\n".join(listing(imported)))
    if imported.stand_in_repository:
        print("\nNOTE: galaxy.yml names no repository, which Galaxy requires to publish; imported with %s" % STAND_IN_REPOSITORY)
    found = problems(imported)
    if found:
        print("\n%d problem(s):\n  %s" % (len(found), "\n  ".join(found)))
        return 1
    print("\ngalaxy-importer with Automation Hub's settings: no warning, no error, every content listed with its documentation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
