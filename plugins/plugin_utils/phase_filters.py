# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the filters ``phase`` and ``phase_summary`` do, over the collection's phase model.

Each filter is a file of its own under ``plugins/filter/`` with its
documentation beside it; this file holds their code and ``kind_named``, which
the report filters use too. What an item of each service looks like is the
business of ``module_utils/kinds.py``.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible_collections.hwcloud.tasks.plugins.module_utils.kinds import SERVICES, UnknownKindError, detect_kind, kind_of, summarize
from ansible_collections.hwcloud.tasks.plugins.module_utils.phase import phase_of_state


def kind_named(service):
    """The kind of ``service`` (None when not given); an unknown name is a filter error naming the five."""
    if service is None:
        return None
    try:
        return kind_of(service)
    except UnknownKindError as exc:
        raise AnsibleFilterError(str(exc)) from None


def phase(value, service=None):
    """A raw state string, or a task/job/batch item, to its phase."""
    kind = kind_named(service)
    if not isinstance(value, Mapping):
        # Every service's raw states share one table; anything that is not a string maps to unknown.
        return phase_of_state(value)
    kind = kind or detect_kind(value)
    if kind is None:
        raise AnsibleFilterError(
            "cannot tell which service this item comes from (keys: %s); name it, "
            "for example phase('vias_batch'); services: %s"
            % (", ".join(sorted(str(key) for key in value)) or "none", ", ".join(SERVICES)))
    return kind.phase(value)


def phase_summary(items, service=None):
    """Count items per phase and per raw state."""
    kind = kind_named(service)
    if items is None:
        items = []
    if isinstance(items, (str, bytes, Mapping)) or not hasattr(items, "__iter__"):
        raise AnsibleFilterError("phase_summary expects a list of items, got %s" % type(items).__name__)
    try:
        return summarize(kind, items)
    except ValueError as exc:
        raise AnsibleFilterError("phase_summary: %s" % exc) from exc
