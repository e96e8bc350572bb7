# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filter ``task_states_call``: the role assert_task_states' variables checked and its module call planned.

One filter per file, so that ansible-doc and Galaxy document each on its own: its documentation is
below, its code ``plugins/plugin_utils/role_plans.py``.
"""

from __future__ import annotations

from ansible_collections.hwcloud.tasks.plugins.plugin_utils.role_plans import task_states_call

DOCUMENTATION = r"""
name: task_states_call
version_added: 1.0.0
author: hwcloud.tasks contributors
short_description: Check the variables of the role assert_task_states and plan its module call
description:
  - Used by the role R(hwcloud.tasks.assert_task_states,ansible_collections.hwcloud.tasks.assert_task_states_role)
    to check every one of its variables before any request, and to plan the one module call that waits.
  - Names every problem at once, in one line each; a variable of the role's prefix that its argument spec does not
    know (a typing error such as C(assert_task_states_phase)) is a problem, with the nearest known name.
  - What each service accepts (its selection, its filters with their types, its raw states) comes from the
    collection's description of that kind of item, the same one the modules use.
positional: spec
options:
  _input:
    description: Every variable of the role, as a dictionary of name to value.
    type: dict
    required: true
  spec:
    description: The options of the role's argument spec (C(argument_specs.main.options) of C(meta/argument_specs.yml)).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Plan a call the way the role does
  ansible.builtin.set_fact:
    plan: >-
      {{ {'assert_task_states_service': 'vias', 'assert_task_states_task_ids': ['t1'],
          'assert_task_states_phases': ['running'], 'assert_task_states_fail_on': ['failed'],
          'assert_task_states_timeout': 60, 'assert_task_states_poll_interval': 5,
          'assert_task_states_progress_interval': 30, 'assert_task_states_markdown_mode': 'write'}
         | hwcloud.tasks.task_states_call(spec) }}
  vars:
    spec: "{{ (lookup('ansible.builtin.file', 'roles/assert_task_states/meta/argument_specs.yml') | from_yaml).argument_specs.main.options }}"
"""

RETURN = r"""
_value:
  description: The plan.
  type: dict
  contains:
    problems:
      description: One sentence per problem; empty when every variable is right (then the other keys are there).
      type: list
      elements: str
      sample: ["assert_task_states_phase is not a variable of this role (did you mean assert_task_states_phases?); it would be ignored"]
    service:
      description: The service.
      type: str
      sample: vias
    module:
      description: The module that reads it.
      type: str
      sample: hwcloud.tasks.vias_task_info
    args:
      description: The module's options for the call (selection, filters, wait options).
      type: dict
      sample: {task_ids: [t1], wait_for: [running], wait_for_states: [], fail_on: [failed], wait_timeout: 60, wait_sleep: 5, wait_progress: 30}
    timeout:
      description: The role's own timeout (the call's C(wait_timeout) is what is left of it when the module starts).
      type: int
      sample: 600
    wanted:
      description: What every item must reach, in words.
      type: str
      sample: running or state SUCCEEDED
    title:
      description: The title of the verification.
      type: str
      sample: "hwcloud.tasks vias: 1 task(s)"
    items_key:
      description: Where the module returns several items.
      type: str
      sample: tasks
    list:
      description: Whether the call reads a list (so a minimum count applies) rather than tasks by id.
      type: bool
      sample: false
    max_listed:
      description: The most offenders the message lists.
      type: int
      sample: 100
    keep_going:
      description: Always true; a failed call is kept for the verdict instead of ending the play.
      type: bool
      sample: true
"""


class FilterModule:
    """The filter hwcloud.tasks.task_states_call."""

    def filters(self):
        return {"task_states_call": task_states_call}
