"""The guides as the collection tarball ships them (docs/*.md): a reader of the installed collection, or of
the emulator's wheel beside it, has only what the tarball holds, so every relative link must resolve inside
it and every anchor must name a heading of its page. The emulator's README is not in the tarball (it is the
wheel's description), so the guide for users of the wheel describes the fault rules itself."""

from __future__ import annotations

import posixpath
import re
import subprocess
import tarfile

import pytest

from release_support import ROOT, tool

# The one guide that still links into tools/ and tests/, which the tarball leaves out by design (galaxy.yml
# build_ignore); the others name such files as plain paths since 18cf3b4. Remove it here once it does too.
REPOSITORY_GUIDES = ("versions.md",)
GUIDES = sorted(path.name for path in (ROOT / "docs").glob("*.md") if path.name not in REPOSITORY_GUIDES)
LINK = re.compile(r"\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```[ \t]*$", re.S | re.M)


@pytest.fixture(scope="module")
def tarball(tmp_path_factory, collections_dir):
    """{path: text or None (a folder)} of the tarball `ansible-galaxy collection build` makes of the collection."""
    output = tmp_path_factory.mktemp("tarball")
    collection = collections_dir / "ansible_collections" / "hwcloud" / "tasks"
    subprocess.run([tool("ansible-galaxy"), "collection", "build", "--output-path", str(output), str(collection)],
                   check=True, capture_output=True, text=True)
    members = {}
    with tarfile.open(next(output.glob("hwcloud-tasks-*.tar.gz"))) as archive:
        for member in archive.getmembers():
            name = member.name[2:] if member.name.startswith("./") else member.name
            text = archive.extractfile(member).read().decode("utf-8", "replace") if member.isfile() and name.endswith(".md") else None
            members[name.rstrip("/")] = text
    return members


def heading_anchors(markdown):
    """The anchors of a page's headings, as GitHub and MyST make them."""
    anchors = set()
    for line in FENCE.sub("", markdown).splitlines():
        heading = re.match(r"#{1,6}\s+(.*?)\s*$", line)
        if heading:
            text = re.sub(r"[`*_]", "", heading.group(1)).lower()
            anchors.add(re.sub(r"\s", "-", re.sub(r"[^\w\s-]", "", text)))
    return anchors


def links(markdown):
    """The relative links of a page, outside its fenced code blocks."""
    return [target for target in LINK.findall(FENCE.sub("", markdown)) if not re.match(r"^[a-z][a-z0-9+.-]*:", target)]


def resolve(page, target, members):
    """What is wrong with one link of ``page`` in the tarball, or None."""
    path, _hash, anchor = target.partition("#")
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page), path)) if path else page
    if resolved.startswith("../"):
        return "%s leaves the collection" % target
    if resolved not in members and not any(name.startswith(resolved + "/") for name in members):
        return "%s: the tarball has no %s" % (target, resolved)
    if anchor and resolved.endswith(".md") and anchor not in heading_anchors(members[resolved] or ""):
        return "%s: %s has no heading #%s" % (target, resolved, anchor)
    return None


@pytest.mark.parametrize("guide", GUIDES)
def test_every_link_of_a_shipped_guide_resolves_inside_the_tarball(tarball, guide):
    page = "docs/" + guide
    assert page in tarball, "%s is not in the tarball" % page
    problems = [problem for problem in (resolve(page, target, tarball) for target in links(tarball[page])) if problem]
    assert problems == [], "%s:\n  %s" % (page, "\n  ".join(problems))


@pytest.mark.parametrize("target, problem", [
    ("../tests/emulator/README.md", "the tarball has no tests/emulator/README.md"),
    ("../../outside.md", "leaves the collection"),
    ("event-driven.md#no-such-heading", "has no heading #no-such-heading"),
    ("#no-such-heading", "has no heading #no-such-heading"),
])
def test_a_link_to_what_the_tarball_lacks_is_found(tarball, target, problem):
    assert problem in (resolve("docs/testing-without-a-cloud.md", target, tarball) or "")


def test_links_to_files_folders_and_headings_of_the_tarball_resolve(tarball):
    for target in ("event-driven.md#decision-environment", "../extensions/eda/decision-environment.yml", "examples/ci/", "#fault-rules"):
        assert resolve("docs/testing-without-a-cloud.md", target, tarball) is None, target


def test_the_wheel_users_guide_describes_every_fault_kind_and_option_of_the_emulator():
    from hwcloud_emulator.faults import GENERAL, OPTIONS  # pylint: disable=import-outside-toplevel

    guide = (ROOT / "docs" / "testing-without-a-cloud.md").read_text(encoding="utf-8")
    section = guide.split("### Fault rules", 1)[1]
    rows = dict(re.findall(r"^\| `(\w+)` \| (.*)$", section, re.M))
    assert set(rows) == set(OPTIONS), "kinds the guide describes differ from the emulator's"
    for kind, options in OPTIONS.items():
        for option in options:
            assert "`%s`" % option in rows[kind], "%s: option %s is not described" % (kind, option)
    for key in GENERAL:
        assert "`%s`" % key in section, key
