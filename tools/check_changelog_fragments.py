"""Fail when a change to plugins/ or roles/ comes without a changelog fragment.

    python tools/check_changelog_fragments.py [--base REF] [--preview FILE]
    python tools/check_changelog_fragments.py --preview-only FILE

The rule: if the change touches a file under plugins/ or roles/, it must also add
or modify a file in changelogs/fragments/ (a deleted fragment does not count).
A change that users need not read about gets a fragment with a ``trivial``
section; antsibull-changelog leaves those out of the changelog.

"The change" is the working tree (committed, staged, unstaged and untracked
files that .gitignore does not exclude) compared with a base commit:

1. ``--base REF`` or the environment variable ``CHANGELOG_BASE``: the merge base
   of HEAD and REF (a branch's whole change since it left REF);
2. else, when ``origin/main`` exists and HEAD is not on it: the merge base of
   HEAD and ``origin/main`` (a feature branch or a local commit not pushed yet);
3. else HEAD~1: HEAD is the newest commit of main, as in CI's clean clone of main,
   so the change under review is the last commit plus anything not committed;
4. a repository with a single commit is compared with the empty tree.

In a shallow clone without HEAD~1 the check cannot see the change: it says so
and passes (fetch more history or set CHANGELOG_BASE). Outside a git work tree
it passes with a note.

``--preview FILE`` also renders the changelog the next release would get
(``antsibull-changelog release`` in a throw-away copy, version from galaxy.yml)
into FILE; the sources are not touched. ``--preview-only FILE`` renders it
without checking the rule: ``make build`` puts it into the tarball, so that the
artifact of a version carries that version's changelog.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WATCHED = ("plugins/", "roles/")
FRAGMENTS = "changelogs/fragments/"
FRAGMENT_SUFFIXES = (".yml", ".yaml")


class GitError(Exception):
    pass


def git(*args, cwd=ROOT, check=True):
    result = subprocess.run(["git"] + list(args), cwd=cwd, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise GitError("git %s: %s" % (" ".join(args), result.stderr.strip()))
    return result


def rev_exists(ref, cwd=ROOT):
    return git("rev-parse", "--verify", "--quiet", ref + "^{commit}", cwd=cwd, check=False).returncode == 0


def choose_base(cwd=ROOT, requested=None):
    """(base commit or tree, how it was chosen), or (None, why the check cannot run)."""
    requested = requested or os.environ.get("CHANGELOG_BASE") or None
    if requested:
        if not rev_exists(requested, cwd):
            raise GitError("CHANGELOG_BASE / --base %r is not a commit of this repository" % requested)
        base = git("merge-base", "HEAD", requested, cwd=cwd).stdout.strip()
        return base, "merge base of HEAD and %s" % requested
    if rev_exists("origin/main", cwd):
        base = git("merge-base", "HEAD", "origin/main", cwd=cwd).stdout.strip()
        head = git("rev-parse", "HEAD", cwd=cwd).stdout.strip()
        if base and base != head:
            return base, "merge base of HEAD and origin/main"
    if rev_exists("HEAD~1", cwd):
        return git("rev-parse", "HEAD~1", cwd=cwd).stdout.strip(), "HEAD~1 (the last commit and the work tree)"
    if git("rev-parse", "--is-shallow-repository", cwd=cwd).stdout.strip() == "true":
        return None, "shallow clone without HEAD~1: fetch more history or set CHANGELOG_BASE"
    empty_tree = git("hash-object", "-t", "tree", "/dev/null", cwd=cwd).stdout.strip()
    return empty_tree, "the empty tree (the only commit and the work tree)"


def changed_files(base, cwd=ROOT):
    """{path: status letter} of the work tree against ``base``; untracked files count as added."""
    changes = {}
    fields = git("diff", "--name-status", "--no-renames", "-z", base, "--", cwd=cwd).stdout.split("\0")
    for status, path in zip(fields[0::2], fields[1::2]):
        if path:
            changes[path] = status[:1]
    for path in git("ls-files", "--others", "--exclude-standard", "-z", cwd=cwd).stdout.split("\0"):
        if path:
            changes[path] = "A"
    return changes


def check(cwd=ROOT, requested=None):
    """(ok, report lines)."""
    if git("rev-parse", "--is-inside-work-tree", cwd=cwd, check=False).returncode != 0:
        return True, ["changelog fragments: not a git work tree, nothing to compare"]
    if not rev_exists("HEAD", cwd):
        return True, ["changelog fragments: no commit yet, nothing to compare"]
    base, how = choose_base(cwd, requested)
    if base is None:
        return True, ["changelog fragments: cannot check, %s" % how]
    changes = changed_files(base, cwd)
    watched = sorted(path for path in changes if path.startswith(WATCHED))
    fragments = sorted(
        path for path, status in changes.items() if path.startswith(FRAGMENTS) and path.endswith(FRAGMENT_SUFFIXES) and status != "D"
    )
    compared = "compared with %s" % how
    if not watched:
        return True, ["changelog fragments: no change to %s (%s)" % (" or ".join(WATCHED), compared)]
    if fragments:
        return True, ["changelog fragments: %d changed file(s) under %s, fragment(s) %s (%s)" % (
            len(watched), " or ".join(WATCHED), ", ".join(fragments), compared)]
    lines = ["changelog fragments: these files changed without a changelog fragment (%s):" % compared]
    lines += ["  %s %s" % (changes[path], path) for path in watched]
    lines += [
        "Add a fragment, for example %s<issue>-<topic>.yml:" % FRAGMENTS,
        "  minor_changes:",
        "    - module_name - what changed, for users.",
        "Use the section 'trivial' for a change users need not read about (tests, refactoring).",
    ]
    return False, lines


def preview(output):
    """Render the next release's changelog from the fragments, in a copy."""
    import yaml  # pylint: disable=import-outside-toplevel

    version = yaml.safe_load((ROOT / "galaxy.yml").read_text(encoding="utf-8"))["version"]
    tool = Path(sys.executable).parent / "antsibull-changelog"
    with tempfile.TemporaryDirectory(prefix="changelog-preview-") as tmp:
        collection = Path(tmp) / "ansible_collections" / "hwcloud" / "tasks"
        subprocess.run([sys.executable, str(ROOT / "tools" / "sync_view.py"), tmp], check=True, capture_output=True)
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=tmp, PATH=os.pathsep.join([str(tool.parent), os.environ.get("PATH", "")]))
        changelog = collection / "CHANGELOG.rst"
        recorded = yaml.safe_load((collection / "changelogs" / "changelog.yaml").read_text(encoding="utf-8")) or {}
        if str(version) not in (recorded.get("releases") or {}):
            command = [str(tool) if tool.exists() else "antsibull-changelog", "release", "--version", version,
                       "--date", datetime.date.today().isoformat()]
        else:  # the version is already released: render what is recorded
            command = [str(tool) if tool.exists() else "antsibull-changelog", "generate"]
        result = subprocess.run(command, cwd=collection, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0 or not changelog.is_file():
            print(result.stdout + result.stderr, file=sys.stderr)
            return False
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(changelog, output)
    print("changelog preview of %s: %s" % (version, output))
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--base", help="compare with the merge base of HEAD and this ref (default: CHANGELOG_BASE, see the rule)")
    parser.add_argument("--preview", metavar="FILE", help="also write the next release's changelog to FILE")
    parser.add_argument("--preview-only", metavar="FILE",
                        help="only write the changelog of galaxy.yml's version to FILE (make build ships it in the tarball)")
    options = parser.parse_args(argv)
    if options.preview_only:
        return 0 if preview(options.preview_only) else 1
    try:
        ok, lines = check(requested=options.base)
    except GitError as error:
        print("changelog fragments: %s" % error, file=sys.stderr)
        return 2
    print("\n".join(lines))
    if options.preview and not preview(options.preview):
        return 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
