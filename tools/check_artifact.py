"""Check a built collection tarball: what must ship does, what must not doesn't, and the
README that Galaxy shows links to nothing the tarball lacks.

    python tools/check_artifact.py build/dist/hwcloud-tasks-X.Y.Z.tar.gz
"""

from __future__ import annotations

import posixpath
import re
import sys
import tarfile
from urllib.parse import unquote

MUST_SHIP = (
    "MANIFEST.json",
    "meta/runtime.yml",
    # Galaxy lists the event source from meta/extensions.yml; .ansible-lint marks the collection root for
    # galaxy-importer's ansible-lint; meta/main.yml gives each role its description.
    "meta/extensions.yml",
    ".ansible-lint",
    "roles/assert_task_states/meta/main.yml",
    "roles/gather_task_facts/meta/main.yml",
    "plugins/modules/vias_task_info.py",
    "plugins/module_utils/http_client.py",
    "plugins/doc_fragments/common.py",
    "plugins/action/vias_task_info.py",
    "plugins/plugin_utils/in_process.py",
    "extensions/eda/plugins/event_source/task_events.py",
    "extensions/eda/rulebooks/task_failed.yml",
    "README.md",
    "CHANGELOG.rst",
)
MUST_SHIP_PREFIXES = ("schemas/",)
NEVER_SHIP = (
    ".venv/", "build/", "tests/output/", "tests/emulator/", "tests/unit/", "tests/examples/", "tests/release/", "tests/support/",
    "tests/reliability/", "extensions/molecule/", "benchmarks/", ".git/", "tools/",
)

FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.S | re.M)
CODE_SPAN = re.compile(r"(`+).+?\1", re.S)
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+[\"'(][^)]*)?\)")
REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s.*)?$", re.M)
HTML_LINK = re.compile(r"""\b(?:href|src)\s*=\s*["']([^"']*)["']""", re.I)
ABSOLUTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|#)", re.I)


def relative_links(markdown):
    """The link targets of a Markdown text that are relative paths (code blocks and spans are not read)."""
    text = CODE_SPAN.sub("", FENCE.sub("", markdown))
    targets = INLINE_LINK.findall(text) + REFERENCE_DEFINITION.findall(text) + HTML_LINK.findall(text)
    return [target for target in targets if target and not ABSOLUTE.match(target)]


def unresolved_links(markdown, names, document="README.md"):
    """Relative links of DOCUMENT (a path in the tarball) to no file or folder among NAMES."""
    files = set(names)
    folders = {posixpath.dirname(name) for name in names}
    folders |= {folder.rsplit("/", index)[0] for folder in list(folders) for index in range(1, folder.count("/") + 1)}
    problems = []
    for target in relative_links(markdown):
        path = unquote(target.split("#", 1)[0].split("?", 1)[0])
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(document), path)) if path else document
        if resolved.startswith("../") or resolved == ".." or not (resolved in files or resolved.rstrip("/") in folders):
            problems.append("%s links to %s, which the tarball does not ship" % (document, target))
    return problems


def problems_of(names, readme):
    problems = ["missing: %s" % name for name in MUST_SHIP if name not in names]
    problems += ["missing anything under %s" % prefix for prefix in MUST_SHIP_PREFIXES if not any(n.startswith(prefix) for n in names)]
    problems += ["must not ship: %s" % name for name in names if name.startswith(NEVER_SHIP) or "__pycache__" in name]
    problems += unresolved_links(readme, names) if readme is not None else []
    return problems


def read(path):
    """(file names, README.md's text or None) of a tarball."""
    with tarfile.open(path) as archive:
        members = {(m.name[2:] if m.name.startswith("./") else m.name): m for m in archive.getmembers()}
        readme = members.get("README.md")
        text = archive.extractfile(readme).read().decode("utf-8") if readme is not None and readme.isfile() else None
    return sorted(name for name, member in members.items() if member.isfile()), text


def main(path):
    names, readme = read(path)
    problems = problems_of(names, readme)
    if problems:
        print("%s:\n  %s" % (path, "\n  ".join(problems)))
        return 1
    print("%s: %d files, contents as expected" % (path, len(names)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
