# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters ``phase`` and ``phase_summary`` over the collection's phase model.

Their documentation lives beside this file in ``phase.yml`` and
``phase_summary.yml``, one file per filter.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible_collections.hwcloud.tasks.plugins.module_utils import phase as phase_model


def _checked_service(service):
    if service is not None and service not in phase_model.SERVICES:
        raise AnsibleFilterError(
            "unknown service %r; expected one of %s"
            % (service, ", ".join(phase_model.SERVICES)))
    return service


def phase(value, service=None):
    """A raw state string, or a task/job/batch item, to its phase."""
    service = _checked_service(service)
    if not isinstance(value, Mapping):
        # Every service's raw states share one table; anything that is not a
        # string maps to unknown.
        return phase_model.phase_of_state(value)
    service = service or phase_model.detect_service(value)
    if service is None:
        raise AnsibleFilterError(
            "cannot tell which service this item comes from (keys: %s); name it, "
            "for example phase('vias_batch'); services: %s"
            % (", ".join(sorted(str(key) for key in value)) or "none",
               ", ".join(phase_model.SERVICES)))
    return phase_model.phase_of_item(service, value)


def phase_summary(items, service=None):
    """Count items per phase and per raw state."""
    service = _checked_service(service)
    if items is None:
        items = []
    if isinstance(items, (str, bytes, Mapping)) or not hasattr(items, "__iter__"):
        raise AnsibleFilterError(
            "phase_summary expects a list of items, got %s" % type(items).__name__)
    try:
        return phase_model.summarize(service, items)
    except ValueError as exc:
        raise AnsibleFilterError("phase_summary: %s" % exc) from exc


class FilterModule:
    """Phase filters of hwcloud.tasks."""

    def filters(self):
        return {
            "phase": phase,
            "phase_summary": phase_summary,
        }
