#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vas_task_info
short_description: Find VAS video analysis tasks, or read them by id, with their state
version_added: 1.0.0
description:
  - Reads the tasks of a Huawei Cloud VAS (video analysis service) service.
  - With O(task_id) or O(task_ids), reads those tasks with C(GET /v2/{project_id}/services/{service_name}/tasks/{task_id});
    a task that does not exist is a failure that names it, and an answer about another task is refused.
  - Without them, lists the tasks of O(service_name) with C(GET /v2/{project_id}/services/{service_name}/tasks),
    filtered by the API (O(state), O(name_like), O(id_like), O(service_version), O(created_since), O(created_until)),
    every page unless O(offset) or O(limit) names one, pages after the first concurrently.
  - The public endpoint of VAS is the C(iva) host of the region.
  - Accepts both shapes the single-task API uses (the task at the top level, or under C(task)) and returns the task itself.
    Every answer is validated against a JSON Schema; every task gets a normalized C(phase).
author:
  - hwcloud.tasks maintainers (@hwcloud-tasks)
options:
  task_id:
    description:
      - ID of the task to read, for example V(8656efdafebf440bb7008f174db6c567). Returns RV(task).
      - Mutually exclusive with O(task_ids). Without either, the service's tasks are listed.
    type: str
  task_ids:
    description:
      - IDs of several tasks to read concurrently, for example V([8656efdafebf440bb7008f174db6c567]).
        Returns RV(tasks) in the order asked.
      - Mutually exclusive with O(task_id).
    type: list
    elements: str
  service_name:
    description:
      - The VAS service that runs the tasks, for example V(c-queue-status-analysis-edge).
    type: str
    default: c-queue-status-analysis-edge
  service_version:
    description:
      - When listing, only tasks of this version of the service, for example V(3.0).
    type: str
  state:
    description:
      - When listing, only tasks in this raw state, for example V(RUNNING).
    type: str
    choices: [PENDING, RECOVERING, STARTING, UPGRADING, CREATE_FAILED, START_FAILED, RUNNING, STOPPING, STOPPED, ABNORMAL,
              SUCCEEDED, FAILED, DELETING, FREEZING, FROZEN]
  name_like:
    description:
      - When listing, only tasks whose name contains this text, for example V(gate).
    type: str
  id_like:
    description:
      - When listing, only tasks whose id contains this text, for example V(8656ef).
    type: str
  created_since:
    description:
      - When listing, only tasks created at or after this time, as UTC epoch milliseconds (V(1714550400000))
        or an ISO 8601 date-time (V(2024-05-01T08:00:00Z); UTC when it has no offset).
    type: raw
  created_until:
    description:
      - When listing, only tasks created at or before this time, in the same forms as O(created_since).
      - Example V(2024-05-02T08:00:00Z).
    type: raw
  order:
    description:
      - When listing, the order of the tasks, for example V(name:ASC). The API's default is newest first.
      - A read of every page is proven consistent on the assumption that a task keeps its place in this order while it is
        read; V(updated_at:ASC) and V(updated_at:DESC) move a task whenever it changes, so it could slip past a page
        boundary unseen. Keep the default or order by creation time when the read gates a deployment.
    type: str
    choices: ['name:ASC', 'name:DESC', 'created_at:ASC', 'created_at:DESC', 'updated_at:ASC', 'updated_at:DESC']
  offset:
    description:
      - When listing, read only the page that starts at this position (0 or more), for example V(100).
      - When neither O(offset) nor O(limit) is set, every page is read.
    type: int
  limit:
    description:
      - When listing, read only one page of this many tasks (1-100), for example V(50).
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
notes:
  - O(page_concurrency), O(max_pages) and O(wait_min_count) apply to the list; O(fields), O(summary) and O(return_items)
    apply to tasks read by id too. The filters and O(offset)/O(limit) cannot be combined with O(task_id) or O(task_ids).
"""

EXAMPLES = r"""
- name: Read one queue-status edge task
  hwcloud.tasks.vas_task_info:
    region: cn-north-4
    project_id: "{{ project_id }}"
    task_id: "{{ vas_task_id }}"
  register: vas

- name: Report its state
  ansible.builtin.debug:
    msg: "{{ vas.task.name }} is {{ vas.task.state }} ({{ vas.task.phase }})"

- name: Read several tasks at once
  hwcloud.tasks.vas_task_info:
    task_ids: "{{ vas_task_ids }}"
  register: vas_many

- name: Find the service's failed tasks, without carrying their ids from the step that created them
  hwcloud.tasks.vas_task_info:
    service_name: c-queue-status-analysis-edge
    state: FAILED
    fields: [name, state, error]
  register: vas_failed

- name: Wait until every task of the service whose name contains the rollout's name runs
  hwcloud.tasks.vas_task_info:
    name_like: "{{ vas_rollout_name }}"
    wait_for: [running]
    wait_timeout: 600
    summary: true
    return_items: false
"""

RETURN = r"""
task:
  description:
    - The task named by O(task_id), unwrapped from C(task) when the API wrapped it, plus C(phase).
  returned: when O(task_id) is set and O(return_items) is true
  type: dict
  contains:
    id:
      description: Task ID.
      type: str
      sample: 8656efdafebf440bb7008f174db6c567
    state:
      description: Raw state as the API reports it.
      type: str
      sample: RUNNING
    phase:
      description: Normalized phase, one of V(pending), V(running), V(succeeded), V(failed), V(stopped), V(unknown).
      type: str
      sample: running
  sample:
    id: 8656efdafebf440bb7008f174db6c567
    name: queue-status-analysis-edge
    state: RUNNING
    service_version: "3.0"
    phase: running
tasks:
  description:
    - The tasks named by O(task_ids), in the order asked, each as in RV(task); or, without ids, the service's tasks as the
      list API returned them, plus C(phase) (only O(fields) and the id when it is set).
  returned: when O(task_ids) is set, or neither O(task_id) nor O(task_ids) is (the list), and O(return_items) is true
  type: list
  elements: dict
  sample:
    - id: 8656efdafebf440bb7008f174db6c567
      name: gate-3
      state: RUNNING
      phase: running
summary:
  description: The number of tasks by phase (all six phases) and by raw state.
  returned: when O(summary) is true
  type: dict
  sample: {total: 3, by_phase: {pending: 0, running: 2, succeeded: 0, failed: 1, stopped: 0, unknown: 0}, by_state: {RUNNING: 2, FAILED: 1}}
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
    ObjectSelection,
    named_page,
    paging_options,
)
from ansible_collections.hwcloud.tasks.plugins.module_utils.errors import ParameterError
from ansible_collections.hwcloud.tasks.plugins.module_utils.kinds import KINDS
from ansible_collections.hwcloud.tasks.plugins.module_utils.module import run_module
from ansible_collections.hwcloud.tasks.plugins.module_utils.timestamps import to_epoch_millis

KIND = KINDS["vas"]
PAGING = KIND.list_api.paging


def select(params):
    """Tasks by id (task_id, task_ids), or the service's list (neither), filtered and paged as asked."""
    list_options = sorted(name for name in list(KIND.filters) + ["offset", "limit"] if params.get(name) is not None)
    if params["task_id"] is not None or params["task_ids"] is not None:
        if list_options:
            raise ParameterError(
                "%s select from the list of the service's tasks; they cannot be combined with task_id or task_ids "
                "(omit the ids to list the tasks)" % ", ".join(list_options))
        single = params["task_id"] is not None
        ids = [params["task_id"]] if single else params["task_ids"]
        return ObjectSelection(KIND.object_api, ids, single, path_params=dict(service_name=params["service_name"]))
    query = dict((name, params[name]) for name in ("service_version", "state", "name_like", "id_like", "order"))
    query.update((name, to_epoch_millis(name, params[name])) for name in ("created_since", "created_until"))
    return ListSelection(
        KIND.list_api,
        path_params=dict(service_name=params["service_name"]),
        query=query,
        named_page=named_page(PAGING, params),
    )


DECLARATION = ModuleDeclaration(
    "vas_task_info",
    KIND,
    options=dict(KIND.selection, **dict(KIND.filters, **paging_options(PAGING))),
    select=select,
    list_options=True,
    ranges=(("offset", 0, None, PAGE_HINT), ("limit", 1, 100, PAGE_HINT)),
    mutually_exclusive=[("task_id", "task_ids")],
)


def main():
    run_module(DECLARATION)


if __name__ == "__main__":
    main()
