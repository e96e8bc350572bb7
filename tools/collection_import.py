# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Import a module of this checkout's collection from a tool, with or without the ansible_collections/ layout.

The collection's modules import each other by their collection path
(``ansible_collections.hwcloud.tasks...``). A tool run from a plain checkout links the
checkout under a throwaway ``ansible_collections/hwcloud/tasks`` first.
"""

import importlib
import pathlib
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
PREFIX = "ansible_collections.hwcloud.tasks."


def collection_module(name, root=ROOT):
    """The module ``name`` (for example ``plugins.module_utils.kinds``) of the collection at ``root``."""
    qualified = PREFIX + name
    if not _importable_from(root):
        link_root = pathlib.Path(tempfile.mkdtemp(prefix="hwcloud-tasks-view-"))
        (link_root / "ansible_collections" / "hwcloud").mkdir(parents=True)
        (link_root / "ansible_collections" / "hwcloud" / "tasks").symlink_to(root, target_is_directory=True)
        sys.path.insert(0, str(link_root))
        for loaded in [module for module in sys.modules if module.startswith("ansible_collections")]:
            del sys.modules[loaded]
    return importlib.import_module(qualified)


def _importable_from(root):
    """Whether ``ansible_collections.hwcloud.tasks`` already resolves to ``root``."""
    try:
        package = importlib.import_module(PREFIX.rstrip("."))
    except ImportError:
        return False
    location = getattr(package, "__path__", [None])[0]
    return location is not None and pathlib.Path(location).resolve() == pathlib.Path(root).resolve()
