"""The hand-written guides: every one is in the site, and their links resolve (the site
itself is built by `make docs`, tools/build_docs.py)."""

from __future__ import annotations

import importlib.util
import re

import pytest
import yaml

from release_support import ROOT, env_fallbacks

spec = importlib.util.spec_from_file_location("build_docs", ROOT / "tools" / "build_docs.py")
build_docs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_docs)

REPOSITORY = "https://github.com/example/hwcloud.tasks"


def test_every_guide_is_in_the_site_and_every_listed_guide_exists():
    build_docs.check_guides()


@pytest.mark.parametrize("name", build_docs.GUIDES)
def test_guide_links_resolve(name):
    _text, errors = build_docs.rewrite_links((ROOT / "docs" / name).read_text(encoding="utf-8"), ROOT / "docs" / name, REPOSITORY)
    assert errors == []


def test_links_between_guides_stay_and_links_to_other_files_go_to_the_repository():
    source = ROOT / "docs" / "getting-started.md"
    text = "[a](authentication.md#precedence) [b](../requirements.txt) [c](../playbooks/examples/) [d](https://x.org/) [e](#top)"
    rewritten, errors = build_docs.rewrite_links(text, source, REPOSITORY)
    assert errors == []
    assert rewritten == (
        "[a](authentication.md#precedence) [b](%s/blob/main/requirements.txt) [c](%s/tree/main/playbooks/examples) "
        "[d](https://x.org/) [e](#top)" % (REPOSITORY, REPOSITORY)
    )


def test_dead_links_and_links_out_of_the_repository_are_errors_but_code_blocks_are_not_read():
    source = ROOT / "docs" / "getting-started.md"
    text = "[a](no-such-guide.md) [b](../../outside.txt)\n```yaml\nx: \"[c](missing.md)\"\n```\n"
    _rewritten, errors = build_docs.rewrite_links(text, source, REPOSITORY)
    assert len(errors) == 2
    assert "no file docs/no-such-guide.md" in errors[0]
    assert "leaves the repository" in errors[1]


def test_authentication_guide_lists_every_environment_variable_the_modules_read():
    guide = (ROOT / "docs" / "authentication.md").read_text(encoding="utf-8")
    for option, details in env_fallbacks().items():
        for name in details["env"]:
            assert "`%s`" % name in guide, "docs/authentication.md does not name %s (option %s)" % (name, option)


def test_versions_guide_states_the_supported_minimum_of_meta_runtime():
    minimum = re.match(r">=\s*(\d+\.\d+)", yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text(encoding="utf-8"))["requires_ansible"]).group(1)
    guide = (ROOT / "docs" / "versions.md").read_text(encoding="utf-8")
    assert "%s and later" % minimum in guide
    matrix = importlib.util.spec_from_file_location("test_matrix_tool", ROOT / "tools" / "test_matrix.py")
    tool = importlib.util.module_from_spec(matrix)
    matrix.loader.exec_module(tool)
    assert tool.VERSIONS[0] == minimum
    assert "| %s |" % ", ".join(tool.VERSIONS) in guide
