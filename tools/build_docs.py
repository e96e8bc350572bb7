"""Build the documentation site of hwcloud.tasks into build/docs/html, offline.

    python tools/build_docs.py [--collections DIR] [--dest build/docs]

1. A copy of the collection (tools/sync_view.py) where ansible finds it as
   hwcloud.tasks; ``--collections DIR`` uses a copy the caller made (``make view``).
2. ``antsibull-docs sphinx-init`` writes a Sphinx project into
   build/docs-src; its ``conf.py`` is replaced by an offline one: no intersphinx
   download (references into the Ansible docs resolve through a small local
   inventory written here), no theme assets fetched.
3. ``antsibull-docs collection --fail-on-error`` renders every module, role and
   filter plugin (schema errors fail the build).
4. The hand-written guides, docs/*.md (GUIDES below, in that order), are copied
   beside them and rendered with MyST. A relative link to a file outside docs/
   (README.md, playbooks/demo.yml ...) becomes a link to that file in the
   repository (``repository`` in galaxy.yml); a link to a file that does not
   exist fails the build. CHANGELOG.rst, when present, becomes a page.
5. ``sphinx-build -W --keep-going``: every warning is an error.

Needs the pinned tools of requirements-dev.txt (antsibull-docs, Sphinx,
sphinx-ansible-theme, myst-parser). Makes no network request.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
COLLECTION = "hwcloud.tasks"
DOCS = ROOT / "docs"
# The guides of the site, in reading order. Every docs/*.md must be listed (checked).
GUIDES = (
    "getting-started.md",
    "authentication.md",
    "phases.md",
    "vocabulary.md",
    "verification.md",
    "testing-without-a-cloud.md",
    "awx.md",
    "event-driven.md",
    "versions.md",
    "releasing.md",
    "performance.md",
    "reliability.md",
    "adding-a-service.md",
)
ANSIBLE_DOCS = "https://docs.ansible.com/projects/ansible/devel/"
# Labels of the Ansible documentation that antsibull-docs' output refers to.
ANSIBLE_LABELS = {
    "ansible_configuration_settings": ("reference_appendices/config.html#ansible-configuration-settings", "Ansible Configuration Settings"),
    "common_return_values": ("reference_appendices/common_return_values.html#common-return-values", "Return Values"),
    "module_defaults": ("playbook_guide/playbooks_module_defaults.html#module-defaults", "Module defaults"),
    "playbooks_filters": ("playbook_guide/playbooks_filters.html#playbooks-filters", "Using filters to manipulate data"),
    "collections_installing": ("collections_guide/collections_installing.html#collections-installing", "Installing collections"),
    # The "action" attribute of a module with an action plugin (the info modules run in process through theirs).
    "action_plugins": ("plugins/action.html#action-plugins", "Action plugins"),
}
# A reference to a plugin of another collection, as antsibull-docs writes it.
FOREIGN_PLUGIN_REF = re.compile(
    r"ansible_collections\.(?!hwcloud\.tasks\.)(\w+)\.(\w+)\.(\w+)_(module|filter|lookup|test|role|callback|inventory|connection|become)"
)
# [text](target) in Markdown; the target ends at whitespace or the closing parenthesis.
MARKDOWN_LINK = re.compile(r"(\]\()([^)\s]+)(\))")

CONF_PY = '''\
# Written by tools/build_docs.py; offline: no intersphinx download, no network.
project = {project!r}
copyright = 'hwcloud.tasks contributors'
title = {title!r}
html_short_title = {project!r}
html_title = {title!r}

extensions = ['sphinx.ext.intersphinx', 'sphinx_antsibull_ext', 'myst_parser']
source_suffix = {{'.rst': 'restructuredtext', '.md': 'markdown'}}

# References into the Ansible docs resolve through a local inventory (no fetch).
intersphinx_mapping = {{'ansible_devel': ({ansible_docs!r}, {inventory!r})}}
intersphinx_timeout = 1

myst_heading_anchors = 3
myst_enable_extensions = ['colon_fence']

pygments_style = 'ansible'
highlight_language = 'YAML+Jinja'

html_theme = 'sphinx_ansible_theme'
html_theme_options = {{'collapse_navigation': False}}
html_show_sphinx = False
display_version = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False

default_role = 'any'
'''

INDEX_RST = """\
.. Written by tools/build_docs.py.

.. _docsite_root_index:

{title}
{underline}

{description}

.. toctree::
   :maxdepth: 1
   :caption: Guides

{guides}

.. toctree::
   :maxdepth: 2
   :caption: Reference

   collections/hwcloud/tasks/index
   collections/environment_variables
{changelog}
.. toctree::
   :hidden:
   :glob:

   collections/index
   collections/index_*
   collections/deprecations
"""


class BuildError(Exception):
    pass


def run(command, cwd=None, env=None, quiet=False):
    """Run a step; ``quiet`` keeps its output unless it fails."""
    printable = " ".join(str(part) for part in command)
    print("$ " + printable, flush=True)
    result = subprocess.run([str(part) for part in command], cwd=cwd, env=env, check=False, capture_output=quiet, text=True)
    if result.returncode != 0:
        if quiet:
            print(result.stdout + result.stderr, file=sys.stderr)
        raise BuildError("failed: " + printable)


def tool(name):
    """A tool of this virtualenv (the pinned one), else from PATH."""
    local = BIN / name
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if not found:
        raise BuildError("%s not found: run make setup (requirements-dev.txt)" % name)
    return found


def galaxy():
    return yaml.safe_load((ROOT / "galaxy.yml").read_text(encoding="utf-8"))


def check_guides():
    on_disk = sorted(path.name for path in DOCS.glob("*.md"))
    missing = [name for name in GUIDES if not (DOCS / name).is_file()]
    unlisted = [name for name in on_disk if name not in GUIDES]
    if missing or unlisted:
        raise BuildError(
            "GUIDES in tools/build_docs.py and docs/*.md differ: missing files %s, unlisted files %s" % (missing or "none", unlisted or "none")
        )


def rewrite_links(text, source, repository):
    """Keep links between guides (MyST resolves them); send the others to the repository; fail on dead ones."""
    errors = []

    def replace(match):
        target = match.group(2)
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            return match.group(0)
        path, _hash, anchor = target.partition("#")
        resolved = (source.parent / path).resolve()
        try:
            relative = resolved.relative_to(ROOT)
        except ValueError:
            errors.append("%s: link %s leaves the repository" % (source.relative_to(ROOT), target))
            return match.group(0)
        if not resolved.exists():
            errors.append("%s: link %s: no file %s" % (source.relative_to(ROOT), target, relative.as_posix()))
            return match.group(0)
        if resolved.parent == DOCS and resolved.suffix == ".md":
            return match.group(0)
        kind = "tree" if resolved.is_dir() else "blob"
        url = "%s/%s/main/%s" % (repository.rstrip("/"), kind, relative.as_posix())
        return match.group(1) + url + ("#" + anchor if anchor else "") + match.group(3)

    # Fenced code blocks are left alone: a `](x)` inside one is not a link.
    parts = re.split(r"(^```.*?^```[ \t]*$)", text, flags=re.S | re.M)
    rewritten = "".join(part if part.startswith("```") else MARKDOWN_LINK.sub(replace, part) for part in parts)
    return rewritten, errors


def write_inventory(path, rst_dir):
    """A Sphinx inventory (v2) of the Ansible labels and foreign plugins the generated pages refer to."""
    lines = []
    for label, (uri, title) in sorted(ANSIBLE_LABELS.items()):
        lines.append("%s std:label -1 %s %s" % (label, uri, title))
    foreign = set()
    for page in rst_dir.rglob("*.rst"):
        foreign.update(FOREIGN_PLUGIN_REF.findall(page.read_text(encoding="utf-8")))
    for namespace, name, plugin, kind in sorted(foreign):
        label = "ansible_collections.%s.%s.%s_%s" % (namespace, name, plugin, kind)
        uri = "collections/%s/%s/%s_%s.html#%s" % (namespace, name, plugin, kind, label.replace(".", "-").replace("_", "-"))
        lines.append("%s std:label -1 %s %s.%s.%s %s" % (label, uri, namespace, name, plugin, kind))
    header = "# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n# The remainder of this file is compressed using zlib.\n"
    path.write_bytes(header.encode() + zlib.compress(("\n".join(lines) + "\n").encode()))


def prepare_collections(option):
    if option:
        collections = Path(option).resolve()
    else:
        collections = ROOT / "build" / "docs-collections"
        run([sys.executable, ROOT / "tools" / "sync_view.py", collections], quiet=True)
    if not (collections / "ansible_collections" / "hwcloud" / "tasks" / "galaxy.yml").is_file():
        raise BuildError("no hwcloud.tasks under %s (run tools/sync_view.py %s)" % (collections, collections))
    return collections


def build(dest, collections):
    check_guides()
    meta = galaxy()
    repository = meta.get("repository") or ""
    source_dir = ROOT / "build" / "docs-src"
    html_dir = dest / "html"

    env = dict(os.environ)
    env.pop("ANSIBLE_COLLECTIONS_PATHS", None)
    env.update(ANSIBLE_COLLECTIONS_PATH=str(collections), PATH=os.pathsep.join([str(BIN), env.get("PATH", "")]), ANSIBLE_NOCOLOR="1")

    # antsibull-docs wants its destination owned by the user and writable by nobody else.
    shutil.rmtree(source_dir, ignore_errors=True)
    source_dir.mkdir(parents=True)
    source_dir.chmod(0o700)
    run([tool("antsibull-docs"), "sphinx-init", "--use-current", "--lenient", "--dest-dir", source_dir, COLLECTION], env=env, quiet=True)
    rst_dir = source_dir / "rst"
    rst_dir.mkdir(exist_ok=True)
    rst_dir.chmod(0o700)
    run(
        [tool("antsibull-docs"), "--config-file", source_dir / "antsibull-docs.cfg", "collection", "--use-current", "--fail-on-error",
         "--cleanup", "everything", "--dest-dir", rst_dir, COLLECTION],
        env=env,
    )

    title = "%s.%s %s" % (meta["namespace"], meta["name"], meta["version"])
    (source_dir / "conf.py").write_text(
        CONF_PY.format(
            project=COLLECTION, title=title + " documentation", ansible_docs=ANSIBLE_DOCS, inventory=str(source_dir / "ansible_devel.inv")
        ), encoding="utf-8"
    )
    write_inventory(source_dir / "ansible_devel.inv", rst_dir)

    errors = []
    guides_dir = rst_dir / "docs"
    guides_dir.mkdir()
    for name in GUIDES:
        text, link_errors = rewrite_links((DOCS / name).read_text(encoding="utf-8"), DOCS / name, repository)
        errors += link_errors
        (guides_dir / name).write_text(text, encoding="utf-8")
    if errors:
        raise BuildError("dead links in docs/:\n  " + "\n  ".join(errors))

    changelog = ""
    if (ROOT / "CHANGELOG.rst").is_file():
        shutil.copyfile(ROOT / "CHANGELOG.rst", rst_dir / "changelog.rst")
        changelog = "   changelog\n"
    description = " ".join(str(meta.get("description", "")).split())
    (rst_dir / "index.rst").write_text(
        INDEX_RST.format(
            title=title,
            underline="=" * len(title),
            description=description,
            guides="\n".join("   docs/" + name[: -len(".md")] for name in GUIDES),
            changelog=changelog,
        ),
        encoding="utf-8",
    )

    shutil.rmtree(html_dir, ignore_errors=True)
    run(
        [tool("sphinx-build"), "-W", "--keep-going", "-q", "-b", "html", "-c", source_dir, "-d", source_dir / "doctrees", rst_dir, html_dir],
        env=env,
    )
    print("documentation site: %s" % (html_dir / "index.html"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--collections", help="a collections root that already holds hwcloud.tasks (default: a fresh copy in build/docs-collections)")
    parser.add_argument("--dest", default=str(ROOT / "build" / "docs"), help="output directory; the site goes to DEST/html")
    options = parser.parse_args(argv)
    try:
        build(Path(options.dest).resolve(), prepare_collections(options.collections))
    except BuildError as error:
        print("build_docs: %s" % error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
