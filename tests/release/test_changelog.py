"""Changelog: every change to plugins/ or roles/ has a fragment, the fragments lint, and the
next release's changelog renders. The rule itself is tested on throw-away repositories."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from release_support import ROOT, tool

spec = importlib.util.spec_from_file_location("check_changelog_fragments", ROOT / "tools" / "check_changelog_fragments.py")
checker = importlib.util.module_from_spec(spec)
spec.loader.exec_module(checker)


def in_git_work_tree():
    return subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=ROOT, capture_output=True, check=False).returncode == 0


# --- this repository ----------------------------------------------------------------------------


@pytest.mark.skipif(not in_git_work_tree(), reason="not a git work tree")
def test_every_change_to_plugins_and_roles_comes_with_a_fragment():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "check_changelog_fragments.py")], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_fragments_lint(collections_dir):
    collection = collections_dir / "ansible_collections" / "hwcloud" / "tasks"
    result = subprocess.run([tool("antsibull-changelog"), "lint"], cwd=collection, capture_output=True, text=True, check=False)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_changelog_yaml_lints():
    result = subprocess.run(
        [tool("antsibull-changelog"), "lint-changelog-yaml", "--no-semantic-versioning-check", "changelogs/changelog.yaml"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    if "unrecognized arguments" in result.stderr:
        result = subprocess.run([tool("antsibull-changelog"), "lint-changelog-yaml", "changelogs/changelog.yaml"],
                                cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_next_release_changelog_renders(tmp_path):
    output = tmp_path / "CHANGELOG.rst"
    assert checker.preview(output), "antsibull-changelog release failed in a copy"
    text = output.read_text(encoding="utf-8")
    assert "hwcloud.tasks Release Notes" in text
    assert "New Modules" in text and "hwcloud.tasks.vias_task_info" in text


# --- the rule, on throw-away repositories ------------------------------------------------------


def git(repo, *args):
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"] + list(args),
                          cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


def write(repo, path, text="x\n"):
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def commit(repo, message, *paths):
    for path in paths:
        write(repo, path, "%s %s\n" % (path, message))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.delenv("CHANGELOG_BASE", raising=False)
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    write(path, ".gitignore", "build/\n")
    commit(path, "skeleton", "README.md", "plugins/modules/a.py", "changelogs/fragments/1-a.yml")
    return path


def test_single_commit_is_compared_with_the_empty_tree(repo):
    ok, lines = checker.check(repo)
    assert ok and "empty tree" in lines[0]


def test_last_commit_changing_a_module_without_a_fragment_fails(repo):
    commit(repo, "change a", "plugins/modules/a.py")
    ok, lines = checker.check(repo)
    assert not ok
    assert "  M plugins/modules/a.py" in lines
    assert "HEAD~1" in lines[0]


def test_last_commit_changing_a_role_with_a_new_fragment_passes(repo):
    commit(repo, "role", "roles/r/tasks/main.yml", "changelogs/fragments/2-r.yml")
    assert checker.check(repo)[0]


def test_modifying_an_existing_fragment_counts(repo):
    commit(repo, "change a", "plugins/modules/a.py", "changelogs/fragments/1-a.yml")
    assert checker.check(repo)[0]


def test_deleting_a_fragment_does_not_count(repo):
    write(repo, "plugins/modules/a.py", "changed\n")
    (repo / "changelogs" / "fragments" / "1-a.yml").unlink()
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "drop fragment")
    assert not checker.check(repo)[0]


def test_a_change_outside_plugins_and_roles_needs_no_fragment(repo):
    commit(repo, "docs", "docs/guide.md", "tests/unit/test_a.py", "README.md")
    ok, lines = checker.check(repo)
    assert ok and "no change" in lines[0]


def test_uncommitted_and_untracked_changes_count_with_the_last_commit(repo):
    commit(repo, "docs", "docs/guide.md")
    write(repo, "plugins/filter/new.py")
    ok, lines = checker.check(repo)
    assert not ok and "  A plugins/filter/new.py" in lines
    write(repo, "changelogs/fragments/3-new.yml")  # untracked fragment
    assert checker.check(repo)[0]


def test_ignored_files_do_not_count(repo):
    commit(repo, "docs", "docs/guide.md")
    write(repo, "build/plugins/modules/a.py")
    assert checker.check(repo)[0]


def test_a_fragment_that_is_not_yaml_does_not_count(repo):
    commit(repo, "change a", "plugins/modules/a.py", "changelogs/fragments/notes.txt")
    assert not checker.check(repo)[0]


def test_branch_ahead_of_origin_main_is_compared_with_the_merge_base(repo):
    base = commit(repo, "main tip", "docs/guide.md")
    git(repo, "update-ref", "refs/remotes/origin/main", base)
    commit(repo, "feature 1", "plugins/modules/a.py", "changelogs/fragments/2-a.yml")
    commit(repo, "feature 2", "plugins/modules/a.py")
    ok, lines = checker.check(repo)
    assert ok and "origin/main" in lines[0], lines  # the fragment of the branch's first commit covers the second


def test_head_on_origin_main_falls_back_to_the_last_commit(repo):
    commit(repo, "feature", "plugins/modules/a.py", "changelogs/fragments/2-a.yml")
    head = commit(repo, "fix", "plugins/modules/a.py")
    git(repo, "update-ref", "refs/remotes/origin/main", head)
    ok, lines = checker.check(repo)
    assert not ok and "HEAD~1" in lines[0]


def test_changelog_base_names_the_base(repo, monkeypatch):
    start = commit(repo, "release", "docs/guide.md")
    commit(repo, "feature", "plugins/modules/a.py", "changelogs/fragments/2-a.yml")
    commit(repo, "fix", "plugins/modules/a.py")
    monkeypatch.setenv("CHANGELOG_BASE", start)
    ok, lines = checker.check(repo)
    assert ok and start in lines[0]


def test_unknown_changelog_base_is_an_error(repo, monkeypatch):
    monkeypatch.setenv("CHANGELOG_BASE", "no-such-ref")
    with pytest.raises(checker.GitError):
        checker.check(repo)


def test_shallow_clone_without_parent_passes_with_a_note(repo, tmp_path):
    commit(repo, "change a", "plugins/modules/a.py")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "file://%s" % repo, str(clone)], check=True, capture_output=True)
    ok, lines = checker.check(clone)
    # A depth-1 clone has origin/main == HEAD and no HEAD~1.
    assert ok and "shallow" in lines[0]


def test_outside_a_work_tree_passes_with_a_note(tmp_path):
    ok, lines = checker.check(tmp_path)
    assert ok and "not a git work tree" in lines[0]
