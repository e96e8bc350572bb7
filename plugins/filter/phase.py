# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filter ``phase``: a raw state, or a whole task, to its phase.

One filter per file, so that ansible-doc and Galaxy document each on its own: its documentation is
below, its code ``plugins/plugin_utils/phase_filters.py``.
"""

from __future__ import annotations

from ansible_collections.hwcloud.tasks.plugins.plugin_utils.phase_filters import phase

DOCUMENTATION = r"""
name: phase
version_added: 1.0.0
author: hwcloud.tasks contributors
short_description: Map a Huawei Cloud task state, or a whole task, to a common phase
description:
  - Maps the raw state of a HiLens, VIAS, VAS, Octopus or VIAS batch task to one of the phases
    V(pending), V(running), V(succeeded), V(failed), V(stopped) and V(unknown).
  - Given a string, looks it up, in any case, in the collection's single table of raw states
    (see C(docs/phases.md)). Strings the table does not know, and values that are not strings, give V(unknown).
  - Given a task, job or batch dictionary, derives the phase from the fields of its service. A VIAS
    batch aggregates its C(batch_task_status_info) counts, and a HiLens task its pods' C(task_status)
    values (falling back on its pod counters). When several phases are present, the first of
    V(failed), V(unknown), V(pending), V(running), V(stopped), V(succeeded) wins.
  - The service of a dictionary is detected from its keys unless O(service) names it.
    C(batch_task_status_info) means V(vias_batch); a C(task_status) list or pod counters mean V(hilens);
    C(status) together with C(job_type) means V(octopus); C(state) means V(vias) (VAS tasks share the
    same states); a C(task) dictionary holding C(state) means V(vas).
positional: service
options:
  _input:
    description:
      - A raw state string such as V(RUNNING) or V(create_failed), or one task, job or batch dictionary
        as returned by the API.
    type: raw
    required: true
  service:
    description:
      - The service the item comes from. Needed only when it cannot be detected from the item's keys.
    type: str
    choices: [hilens, vias, vas, octopus, vias_batch]
"""

EXAMPLES = r"""
- name: Map raw states and items to phases
  ansible.builtin.set_fact:
    # 'running'
    state_phase: "{{ 'RUNNING' | hwcloud.tasks.phase }}"
    # 'failed': one failed task makes the whole batch failed
    batch_phase: "{{ {'id': 'b1', 'batch_task_status_info': {'running': 3, 'failed': 1}} | hwcloud.tasks.phase }}"
    # 'pending'; the service is named because the item has no telling keys
    job_phase: "{{ {'id': 7, 'status': 'QUEUING'} | hwcloud.tasks.phase('octopus') }}"

- name: Fail unless the VIAS task is running
  ansible.builtin.assert:
    that: vias_task | hwcloud.tasks.phase == 'running'
    fail_msg: "task {{ vias_task.id }} is {{ vias_task.state }}"
"""

RETURN = r"""
_value:
  description: One of V(pending), V(running), V(succeeded), V(failed), V(stopped), V(unknown).
  type: str
"""


class FilterModule:
    """The filter hwcloud.tasks.phase."""

    def filters(self):
        return {"phase": phase}
