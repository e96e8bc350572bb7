#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vias_task_info
short_description: Get the details and state of VIAS video analysis tasks
version_added: 1.0.0
description:
  - Reads one or several tasks of Huawei Cloud VIAS (video intelligent analysis service)
    with C(GET /v2/{project_id}/tasks/{task_id}).
  - Returns each task as the API sent it, validated against a JSON Schema, plus a normalized C(phase).
  - A task that does not exist is a failure that names it.
author:
  - hwcloud.tasks maintainers (@hwcloud-tasks)
options:
  task_id:
    description:
      - ID of the task to read, for example V(8656efdafebf440bb7008f174db6c567). Returns RV(task).
      - Mutually exclusive with O(task_ids).
    type: str
  task_ids:
    description:
      - IDs of several tasks to read concurrently, for example V([8656efdafebf440bb7008f174db6c567, 0f1e2d3c4b5a69788796a5b4c3d2e1f0]).
        Returns RV(tasks) in the order asked.
      - Mutually exclusive with O(task_id).
    type: list
    elements: str
extends_documentation_fragment:
  - hwcloud.tasks.common
  - hwcloud.tasks.common.wait
attributes:
  check_mode:
    support: full
    description: The module only reads; it runs the same in check mode.
  diff_mode:
    support: none
    description: The module changes nothing, so there is no diff.
notes:
  - The module never changes anything; C(changed) is always false.
seealso:
  - module: hwcloud.tasks.vias_batch_task_info
"""

EXAMPLES = r"""
- name: Read one VIAS task with credentials from the environment (HW_REGION_NAME, HW_ACCESS_KEY, ...)
  hwcloud.tasks.vias_task_info:
    task_id: "{{ vias_task_id }}"
  register: vias

- name: Fail unless it runs
  ansible.builtin.assert:
    that: vias.task.phase == 'running'
    fail_msg: "VIAS task {{ vias.task.name }} is {{ vias.task.state }}"

- name: Read several tasks at once with an IAM password
  hwcloud.tasks.vias_task_info:
    region: cn-north-4
    project_id: "{{ project_id }}"
    user_name: deploy-bot
    password: "{{ vault_hwcloud_password }}"
    domain_name: my-company
    task_ids: "{{ vias_task_ids }}"
  register: vias_many

- name: Show the phase of each
  ansible.builtin.debug:
    msg: "{{ vias_many.tasks | map(attribute='phase') | list }}"
"""

RETURN = r"""
task:
  description:
    - The task named by O(task_id), as the API returned it, plus C(phase).
    - See the vendor's documentation of the VIAS task for every field.
  returned: when O(task_id) is set
  type: dict
  contains:
    id:
      description: Task ID.
      type: str
      sample: 8656efdafebf440bb7008f174db6c567
    name:
      description: Task name.
      type: str
      sample: entrance-camera-analysis
    state:
      description: Raw state as the API reports it.
      type: str
      sample: RUNNING
    phase:
      description:
        - The normalized phase, one of V(pending), V(running), V(succeeded), V(failed), V(stopped), V(unknown).
        - See the phase table in the collection's documentation.
      type: str
      sample: running
  sample:
    id: 8656efdafebf440bb7008f174db6c567
    name: entrance-camera-analysis
    state: RUNNING
    phase: running
tasks:
  description: The tasks named by O(task_ids), in the order asked, each as in RV(task).
  returned: when O(task_ids) is set
  type: list
  elements: dict
  sample:
    - id: 8656efdafebf440bb7008f174db6c567
      name: entrance-camera-analysis
      state: RUNNING
      phase: running
wait:
  description:
    - How the wait asked by O(wait_for) or O(wait_for_states) ended.
    - The same fields, rendered the same way, make the fact C(assert_task_states_result) of the role
      hwcloud.tasks.assert_task_states and the input of the report filters hwcloud.tasks.junit_report and
      hwcloud.tasks.markdown_report.
  returned: when O(wait_for) or O(wait_for_states) is set
  type: dict
  sample:
    succeeded: true
    reason: reached
    headline: all 4 VIAS task(s) running after 12.5 s
    waited: 12.5
    timeout: 300
    polls: 4
    failed_polls: 0
  contains:
    succeeded:
      description: Whether every item reached a wanted phase in time, none a forbidden one, and the read behind it was complete.
      type: bool
      sample: true
    reason:
      description:
        - V(reached); V(forbidden) (an item reached a phase of O(fail_on)); V(timeout);
          V(too_few) (fewer items than O(ignore:wait_min_count)); V(incomplete) (at the deadline the last read of the
          list was not consistent, or an object read answered with another object, so no verdict can be given); or
          V(unreachable) (the first read got no answer at all after its retries, so the wait ended at once).
      type: str
      sample: reached
    headline:
      description: One sentence that says how the wait ended, with the configured timeout and the time watched.
      type: str
      sample: "1 of 4 VIAS task(s) not running within wait_timeout=300 s (watched 300.2 s)"
    message:
      description:
        - The headline, then each offender (at most 20) with its raw state, phase and the reason the API gives.
        - The module's C(msg) when the wait failed.
      type: str
      sample: "1 of 4 VIAS task(s) not running within wait_timeout=300 s (watched 300.2 s): 8656...: state PENDING, phase pending"
    waited:
      description: Seconds the module waited.
      type: float
      sample: 12.5
    timeout:
      description: The O(wait_timeout) the wait had.
      type: float
      sample: 300
    polls:
      description: How many times the module read the selection.
      type: int
      sample: 4
    failed_polls:
      description:
        - Polls that were throttled, failed, or could not be trusted (an incomplete list, another object's answer),
          and were tried again at the next poll.
      type: int
      sample: 0
    count:
      description: How many items the last successful read held.
      type: int
      sample: 4
    transitions:
      description: Every change of phase seen during the wait, with the raw state and when it was seen.
      type: list
      elements: dict
      sample:
        - {id: 8656efdafebf440bb7008f174db6c567, from: pending, to: running, state: RUNNING, at: "2024-05-01T08:00:12.500000Z", after_seconds: 12.5}
    offenders:
      description:
        - The items in a forbidden phase, or not yet in a wanted one at the timeout, each with its raw state as shown
          (C(state)), its raw states (C(states), upper-case; several for a batch or a HiLens task's pods), its phase
          and the reason the API gives.
      type: list
      elements: dict
      sample:
        - id: 8656efdafebf440bb7008f174db6c567
          name: gate-3
          state: START_FAILED
          states: [START_FAILED]
          phase: failed
          reason: "VIAS.2001: no resources"
          watched_seconds: 30.1
    not_reached:
      description: The ids of the items that were not in a wanted phase when the wait ended.
      type: list
      elements: str
      sample: [8656efdafebf440bb7008f174db6c567]
    last_poll_error:
      description: Why the last failed poll failed, when one did (polls that fail are retried until O(wait_timeout)).
      type: str
      sample: "GET https://vias.cn-north-4.myhuaweicloud.com/v2/0a1b.../tasks/8656...: HTTP 429 APIGW.0308: The throttling threshold has been reached"
    wanted_phases:
      description: The phases waited for.
      type: list
      elements: str
      sample: [running]
    wanted_states:
      description: The raw states waited for, upper-case.
      type: list
      elements: str
      sample: []
    forbidden_phases:
      description: The phases that end the wait as a failure.
      type: list
      elements: str
      sample: [failed]
    min_count:
      description: The number of items that had to exist.
      type: int
      sample: 1
api_calls:
  description: What the module sent to the API in this run, retries included; also returned when the module fails.
  returned: always
  type: dict
  sample: {requests: 50, retries: 0, throttled: 0}
  contains:
    requests:
      description: HTTP requests sent, every retry and IAM token request included.
      type: int
      sample: 50
    retries:
      description: Requests that were sent again after a throttle, a server error or a dropped connection.
      type: int
      sample: 0
    throttled:
      description: Answers that asked the module to slow down (HTTP 429).
      type: int
      sample: 0
"""

from ansible_collections.hwcloud.tasks.plugins.module_utils.declaration import ModuleDeclaration, ObjectSelection
from ansible_collections.hwcloud.tasks.plugins.module_utils.errors import ParameterError
from ansible_collections.hwcloud.tasks.plugins.module_utils.kinds import KINDS
from ansible_collections.hwcloud.tasks.plugins.module_utils.module import run_module

KIND = KINDS["vias"]


def select(params):
    single = params["task_id"] is not None
    if not single and params["task_ids"] is None:
        # required_one_of counts an option set to null as given.
        raise ParameterError("one of task_id or task_ids is required (got null); give the id of at least one task")
    return ObjectSelection(KIND.object_api, [params["task_id"]] if single else params["task_ids"], single)


DECLARATION = ModuleDeclaration(
    "vias_task_info",
    KIND,
    options=dict(KIND.selection),
    select=select,
    mutually_exclusive=[("task_id", "task_ids")],
    required_one_of=[("task_id", "task_ids")],
)


def main():
    run_module(DECLARATION)


if __name__ == "__main__":
    main()
