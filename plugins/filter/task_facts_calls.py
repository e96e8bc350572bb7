# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filter ``task_facts_calls``: the role gather_task_facts' variables checked and its module calls planned.

One filter per file, so that ansible-doc and Galaxy document each on its own: its documentation is
below, its code ``plugins/plugin_utils/role_plans.py``.
"""

from __future__ import annotations

from ansible_collections.hwcloud.tasks.plugins.plugin_utils.role_plans import task_facts_calls

DOCUMENTATION = r"""
name: task_facts_calls
version_added: 1.0.0
author: hwcloud.tasks contributors
short_description: Check the variables of the role gather_task_facts and plan its module calls
description:
  - Used by the role R(hwcloud.tasks.gather_task_facts,ansible_collections.hwcloud.tasks.gather_task_facts_role)
    to check every one of its variables before any request (unknown variables with the nearest known name, each
    entry's selection and filters against its service), and to plan one module call per entry.
positional: spec
options:
  _input:
    description: Every variable of the role, as a dictionary of name to value.
    type: dict
    required: true
  spec:
    description: The options of the role's argument spec.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Plan the calls the way the role does
  ansible.builtin.set_fact:
    plan: >-
      {{ {'gather_task_facts_services': [{'service': 'octopus', 'filters': {'statuses': ['RUNNING']}}]}
         | hwcloud.tasks.task_facts_calls(spec) }}
  vars:
    spec: "{{ (lookup('ansible.builtin.file', 'roles/gather_task_facts/meta/argument_specs.yml') | from_yaml).argument_specs.main.options }}"
"""

RETURN = r"""
_value:
  description: The plan.
  type: dict
  contains:
    problems:
      description: One sentence per problem; empty when every variable is right.
      type: list
      elements: str
      sample: ["gather_task_facts_services[0].filters for octopus take data_id, end_time, id, ...; not job_type (did you mean job_types?)"]
    calls:
      description: One call per entry (empty when there is a problem) - C(service), C(module), C(args), C(fact).
      type: list
      elements: dict
      sample: [{service: octopus, module: hwcloud.tasks.octopus_system_job_info, args: {statuses: [RUNNING]}, fact: hwcloud_tasks_octopus}]
"""


class FilterModule:
    """The filter hwcloud.tasks.task_facts_calls."""

    def filters(self):
        return {"task_facts_calls": task_facts_calls}
