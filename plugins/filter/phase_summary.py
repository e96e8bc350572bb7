# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filter ``phase_summary``: items counted per phase and per raw state.

One filter per file, so that ansible-doc and Galaxy document each on its own: its documentation is
below, its code ``plugins/plugin_utils/phase_filters.py``.
"""

from __future__ import annotations

from ansible_collections.hwcloud.tasks.plugins.plugin_utils.phase_filters import phase_summary

DOCUMENTATION = r"""
name: phase_summary
version_added: 1.0.0
author: hwcloud.tasks contributors
short_description: Count Huawei Cloud tasks per phase and per raw state
description:
  - Counts a list of HiLens, VIAS, VAS, Octopus or VIAS batch items by phase, as the
    P(hwcloud.tasks.phase#filter) filter computes it, and by raw state.
  - The raw state of a VIAS or VAS task is its C(state), of an Octopus job its C(status). A VIAS batch
    shows its non-zero counts, such as V(running=3,failed=1); a HiLens task its pods' statuses with
    their counts, or its non-zero pod counters when no pod reports a status. An item with no state
    shows as V((none\)).
  - Without O(service), the service of each item is detected from its keys as the
    P(hwcloud.tasks.phase#filter) filter does.
positional: service
options:
  _input:
    description: The items, for example the C(batch_task_list) of a VIAS batch task listing.
    type: list
    elements: dict
    required: true
  service:
    description:
      - The service all items come from. Needed only when it cannot be detected from the items' keys.
    type: str
    choices: [hilens, vias, vas, octopus, vias_batch]
"""

EXAMPLES = r"""
- name: Count Octopus jobs per phase
  ansible.builtin.set_fact:
    # {'total': 2,
    #  'by_phase': {'pending': 0, 'running': 0, 'succeeded': 1, 'failed': 1, 'stopped': 0, 'unknown': 0},
    #  'by_state': {'FINISHED': 1, 'RUN_FAILED': 1}}
    jobs_summary: "{{ [{'id': 1, 'status': 'FINISHED'}, {'id': 2, 'status': 'RUN_FAILED'}] | hwcloud.tasks.phase_summary('octopus') }}"

- name: Fail when any VIAS batch failed
  ansible.builtin.assert:
    that: (batches.batch_task_list | hwcloud.tasks.phase_summary('vias_batch')).by_phase.failed == 0
"""

RETURN = r"""
_value:
  description: The counts.
  type: dict
  contains:
    total:
      description: Number of items.
      type: int
      sample: 5
    by_phase:
      description: Number of items in each phase; all six phases are always present.
      type: dict
      sample: {pending: 0, running: 3, succeeded: 1, failed: 1, stopped: 0, unknown: 0}
    by_state:
      description: Number of items per raw state, as displayed.
      type: dict
      sample: {RUNNING: 3, SUCCEEDED: 1, START_FAILED: 1}
"""


class FilterModule:
    """The filter hwcloud.tasks.phase_summary."""

    def filters(self):
        return {"phase_summary": phase_summary}
