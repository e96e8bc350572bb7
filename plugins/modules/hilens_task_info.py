#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: hilens_task_info
short_description: List the tasks of a HiLens deployment with their state on every pod
version_added: 1.0.0
description:
  - Reads the tasks of one Huawei Cloud HiLens (professional edition) deployment
    with C(GET /v3/{project_id}/ai-mgr/deployments/{deployment_id}/tasks).
  - Reads every page unless O(offset) or O(limit) names one; pages after the first are read concurrently.
  - Returns each task as the API sent it, validated against a JSON Schema, plus a normalized C(phase)
    derived from its per-pod C(task_status) entries and pod counters.
author:
  - hwcloud.tasks maintainers (@hwcloud-tasks)
options:
  deployment_id:
    description:
      - ID of the deployment whose tasks to list, for example V(2f1e8d3c-4b5a-4c6d-9e8f-7a6b5c4d3e2f).
    type: str
    required: true
  offset:
    description:
      - Read only the page that starts at this position (0 or more), for example V(200).
      - When neither O(offset) nor O(limit) is set, every page is read.
    type: int
  limit:
    description:
      - Read only one page of this many tasks (1-100), for example V(50).
      - When neither O(offset) nor O(limit) is set, every page is read with the largest page size.
    type: int
extends_documentation_fragment:
  - hwcloud.tasks.common
  - hwcloud.tasks.common.wait
  - hwcloud.tasks.common.list
attributes:
  check_mode:
    support: full
    description: The module only reads; it runs the same in check mode.
  diff_mode:
    support: none
    description: The module changes nothing, so there is no diff.
seealso:
  - module: hwcloud.tasks.vias_task_info
"""

EXAMPLES = r"""
- name: List every task of a deployment (credentials from the environment)
  hwcloud.tasks.hilens_task_info:
    deployment_id: "{{ hilens_deployment_id }}"
  register: hilens

- name: Fail when a task failed on any pod
  ansible.builtin.assert:
    that: hilens.tasks | selectattr('phase', 'equalto', 'failed') | list | length == 0

- name: Count the tasks by phase only, without returning them
  hwcloud.tasks.hilens_task_info:
    deployment_id: "{{ hilens_deployment_id }}"
    summary: true
    return_items: false
  register: hilens_counts

- name: Read the first page of 20 tasks, names and pod counters only
  hwcloud.tasks.hilens_task_info:
    deployment_id: "{{ hilens_deployment_id }}"
    offset: 0
    limit: 20
    fields: [name, ok_pod_number, fail_pod_number]
"""

RETURN = r"""
tasks:
  description:
    - The tasks of the deployment, as the API returned them, plus C(phase) (only O(fields) and the id when it is set).
  returned: when O(return_items) is true
  type: list
  elements: dict
  contains:
    task_id:
      description: Task ID.
      type: str
      sample: 6c3f1e0a9b8d4e2f
    name:
      description: Task name.
      type: str
      sample: gate-camera-3
    task_status:
      description: State of the task on each pod; C(cause) says why it failed there.
      type: list
      elements: dict
      sample: [{pod_id: pod-1, pod_name: edge-node-1, task_status: RUNNING}]
    phase:
      description: Normalized phase, one of V(pending), V(running), V(succeeded), V(failed), V(stopped), V(unknown).
      type: str
      sample: running
  sample:
    - task_id: 6c3f1e0a9b8d4e2f
      name: gate-camera-3
      ok_pod_number: 0
      cur_pod_number: 1
      fail_pod_number: 0
      pending_pod_number: 0
      sum_pod_number: 1
      task_status: [{pod_id: pod-1, pod_name: edge-node-1, task_status: RUNNING}]
      phase: running
total:
  description:
    - The number of items the API reports for the query, over all pages; the same name in every module that reads a list
      (the API itself calls it C(count), or C(total) in Octopus).
  returned: when the list was read
  type: int
  sample: 5000
count:
  description: The same number as RV(total), under the name most of the APIs give it.
  returned: when the list was read
  type: int
  sample: 5000
summary:
  description: The number of tasks by phase (all six phases) and by raw state.
  returned: when O(summary) is true
  type: dict
  sample: {total: 3, by_phase: {pending: 0, running: 2, succeeded: 0, failed: 1, stopped: 0, unknown: 0}, by_state: {RUNNING: 2, FAILED: 1}}
complete:
  description:
    - Whether the items gathered are one consistent read of the whole list. The pages overlap, so a record inserted or
      deleted before a page boundary while the pages were read shows where two pages disagree; such a read is read
      again, at most twice. False, with a warning and RV(incomplete_reason), when it kept moving, a page came back
      short, or the total changed while it was read; a wait never succeeds on such a read.
  returned: when the list was read
  type: bool
  sample: true
incomplete_reason:
  description:
    - Why the read is not complete, in one sentence with the evidence and what to do, for example which page began with
      which record where the page before it held another.
  returned: when RV(complete) is false
  type: str
  sample: "Gathered 5000 records of the 5000 the API reported across 51 pages, not a complete list: the list moved while it
    was being read, on each of 3 reads: the page at record 99 began with 4f1c... where the page before held 7a2b... at that
    place (records were inserted or deleted before it between the two reads). Run again for a consistent view, or filter
    the query to a stable set."
pages:
  description: How many pages the last read of the list took (the pages overlap by a record).
  returned: when the list was read
  type: int
  sample: 50
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

from ansible_collections.hwcloud.tasks.plugins.module_utils.declaration import (
    PAGE_HINT,
    ListSelection,
    ModuleDeclaration,
    named_page,
    paging_options,
)
from ansible_collections.hwcloud.tasks.plugins.module_utils.kinds import KINDS
from ansible_collections.hwcloud.tasks.plugins.module_utils.module import run_module

KIND = KINDS["hilens"]


def select(params):
    return ListSelection(
        KIND.list_api,
        path_params=dict(deployment_id=params["deployment_id"]),
        named_page=named_page(KIND.list_api.paging, params),
    )


DECLARATION = ModuleDeclaration(
    "hilens_task_info",
    KIND,
    options=dict(KIND.selection, **paging_options(KIND.list_api.paging)),
    select=select,
    list_options=True,
    ranges=(("offset", 0, None, PAGE_HINT), ("limit", 1, 100, PAGE_HINT)),
)


def main():
    run_module(DECLARATION)


if __name__ == "__main__":
    main()
