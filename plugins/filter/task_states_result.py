# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filter ``task_states_result``: the fact assert_task_states_result, rendered from the wait's outcome.

One filter per file, so that ansible-doc and Galaxy document each on its own: its documentation is
below, its code ``plugins/plugin_utils/role_plans.py``.
"""

from __future__ import annotations

from ansible_collections.hwcloud.tasks.plugins.plugin_utils.role_plans import task_states_result

DOCUMENTATION = r"""
name: task_states_result
version_added: 1.0.0
author: hwcloud.tasks contributors
short_description: Turn the result of a module that waited into the fact assert_task_states_result
description:
  - Used by the role R(hwcloud.tasks.assert_task_states,ansible_collections.hwcloud.tasks.assert_task_states_role).
    Renders the module's wait outcome (its headline, offenders and the items it did not see reach a wanted phase)
    with the title of the verification, and adds the counts by phase. It works nothing out again.
  - A module result without C(wait) (the call failed before any poll, for example refused credentials) gives
    the reason V(error) and a message that quotes the module's.
positional: call
options:
  _input:
    description: The registered result of the module call.
    type: dict
    required: true
  call:
    description: The plan the call was made from (P(hwcloud.tasks.task_states_call#filter)).
    type: dict
    required: true
  started:
    description: When the verification started, as text.
    type: str
    default: ""
  started_at:
    description:
      - When the verification started, in epoch seconds. The verdict's C(waited) and headline then count from it
        (what the role watched), against the role's own timeout; else the module's wait is counted.
    type: float
"""

EXAMPLES = r"""
- name: Keep what a wait saw
  ansible.builtin.set_fact:
    verdict: "{{ registered_wait | hwcloud.tasks.task_states_result(plan, started='2025-05-01T08:00:00Z') }}"
"""

RETURN = r"""
_value:
  description:
    - The verdict, as the role's fact C(assert_task_states_result) - C(service), C(title), C(started), C(succeeded),
      C(reason), C(headline), C(message), C(waited), C(timeout), C(polls), C(failed_polls), C(last_poll_error) (why
      the last failed poll failed; when C(polls) equals C(failed_polls) no read succeeded and this is the cause),
      C(transitions) (a count),
      C(count), C(by_phase), C(offenders), C(not_reached), C(wanted_phases), C(wanted_states), C(forbidden_phases),
      C(min_count).
  type: dict
  sample: {service: vias, succeeded: false, reason: forbidden, headline: "1 of 3 VIAS task(s) reached a forbidden phase (failed) after 12.5 s"}
"""


class FilterModule:
    """The filter hwcloud.tasks.task_states_result."""

    def filters(self):
        return {"task_states_result": task_states_result}
