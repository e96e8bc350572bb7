#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vias_batch_task_info
short_description: List VIAS batch tasks with the number of their tasks in each state
version_added: 1.0.0
description:
  - Reads the batch tasks of Huawei Cloud VIAS (video intelligent analysis service)
    with C(GET /v2/{project_id}/batch-tasks).
  - Every filter is optional. Reads every page (200 per page, pages after the first concurrently)
    unless O(page_num) or O(limit) names one, or O(is_paged=false) asks the API for everything at once.
  - Returns each batch task as the API sent it, validated against a JSON Schema, plus a normalized C(phase)
    aggregated from its C(batch_task_status_info) counts.
author:
  - hwcloud.tasks maintainers (@hwcloud-tasks)
options:
  is_paged:
    description:
      - Whether the API pages its answer. V(false) asks for every record in one response.
      - Example V(false).
    type: bool
    default: true
  page_num:
    description:
      - Read only this page (1-10000), for example V(3). The API pages by number, not by offset.
      - When neither O(page_num) nor O(limit) is set, every page is read.
    type: int
  limit:
    description:
      - Read only one page of this many batch tasks (5-200), for example V(50).
      - Named O(limit) as in the other modules that read a list; the API calls it C(page_size), which is accepted too.
      - When neither O(page_num) nor O(limit) is set, every page is read with the largest page size.
    type: int
    aliases: [page_size]
  order_by:
    description:
      - Ascending or descending order, for example V(asc).
    type: str
    choices: [asc, desc]
    default: desc
  sort_name:
    description:
      - The field to sort by, for example V(task_count).
      - A read of every page is proven consistent on the assumption that a task keeps its place in this order while it is
        read; V(task_count) changes while tasks run, so a task whose count changes during the read could slip past a
        page boundary unseen. Keep the default V(created_at) when the read gates a deployment.
    type: str
    choices: [task_count, created_at]
    default: created_at
  video_group:
    description:
      - Only batch tasks of these video source groups, comma-separated, for example V(entrance,parking).
      - Must match the API's pattern C(^[a-zA-Z0-9\u4e00-\u9fa5,-_]{1,1000}$).
    type: str
  task_state:
    description:
      - Only batch tasks with at least one task in this raw state (lower case), for example V(failed).
    type: str
    choices: [pending, recovering, starting, upgrading, create_failed, start_failed, running, stopping, stopped,
              abnormal, succeeded, failed, deleting, freezing, frozen, stopped_no_service, scheduling, lack_of_resources]
  type_like:
    description:
      - Which name O(name_like) searches, for example V(batch_task_name).
    type: str
    choices: [batch_task_name, publish_service_name]
  name_like:
    description:
      - Part of the name to search for (0-100 characters), for example V(gate). Requires O(type_like).
    type: str
  manufacturer:
    description:
      - Only batch tasks of this vendor (2-64 characters of the API's pattern), for example V(huawei).
    type: str
  title:
    description:
      - Only batch tasks of this algorithm (2-64 characters of the API's pattern), for example V(crowd-count).
    type: str
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
- name: Gather every batch task of the account
  hwcloud.tasks.vias_batch_task_info:
    region: cn-north-4
    project_id: "{{ project_id }}"
  register: batches

- name: Gate a rollout on batch tasks with failed tasks
  hwcloud.tasks.vias_batch_task_info:
    task_state: failed
    summary: true
    return_items: false
  register: failed_batches

- name: Stop when any batch task has failed tasks
  ansible.builtin.assert:
    that: failed_batches.total == 0

- name: Find batch tasks by name, oldest first, names and counts only
  hwcloud.tasks.vias_batch_task_info:
    type_like: batch_task_name
    name_like: gate
    order_by: asc
    fields: [batch_task_name, batch_task_status_info]
"""

RETURN = r"""
batch_tasks:
  description:
    - The batch tasks, as the API returned them, plus C(phase) (only O(fields) and the id when it is set).
  returned: when O(return_items) is true
  type: list
  elements: dict
  contains:
    id:
      description: Batch task ID.
      type: str
      sample: 4d5e6f708192a3b4c5d6e7f8091a2b3c
    batch_task_name:
      description: Batch task name.
      type: str
      sample: gate-cameras
    batch_task_status_info:
      description: Number of the batch's tasks in each raw state (states with none are usually left out).
      type: dict
      sample: {running: 3, failed: 1}
    phase:
      description:
        - Normalized phase of the whole batch, one of V(pending), V(running), V(succeeded), V(failed), V(stopped), V(unknown).
        - V(failed) when any of its tasks failed, then V(unknown), V(pending), V(running), V(stopped), V(succeeded).
      type: str
      sample: failed
  sample:
    - id: 4d5e6f708192a3b4c5d6e7f8091a2b3c
      batch_task_name: gate-cameras
      video_group_name: "2312,1889"
      alg_name: crowd-count
      type: "0"
      num_task: 4
      created_at: 1685667905165
      batch_task_status_info: {running: 3, failed: 1}
      phase: failed
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
  description: The number of batch tasks by phase (all six phases) and by raw state.
  returned: when O(summary) is true
  type: dict
  sample: {total: 2, by_phase: {pending: 0, running: 1, succeeded: 0, failed: 1, stopped: 0, unknown: 0}, by_state: {"running=3": 1, "failed=1,running=3": 1}}
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

import re

from ansible_collections.hwcloud.tasks.plugins.module_utils.declaration import (
    PAGE_HINT,
    ListSelection,
    ModuleDeclaration,
    named_page,
    paging_options,
)
from ansible_collections.hwcloud.tasks.plugins.module_utils.errors import ParameterError
from ansible_collections.hwcloud.tasks.plugins.module_utils.kinds import KINDS
from ansible_collections.hwcloud.tasks.plugins.module_utils.module import run_module

KIND = KINDS["vias_batch"]
PAGING = KIND.list_api.paging
# The vendor's patterns, kept as written: ",-_" is a character range there (',' to '_'),
# so the API accepts more punctuation than it seems to, and so do we.
VIDEO_GROUP_PATTERN = re.compile("^[a-zA-Z0-9\u4e00-\u9fa5,-_]{1,1000}\\Z")
NAME_PATTERN = re.compile("^[a-zA-Z0-9\u4e00-\u9fa5,-_]{2,64}\\Z")


def select(params):
    for name, pattern, size in (("video_group", VIDEO_GROUP_PATTERN, "1-1000"), ("manufacturer", NAME_PATTERN, "2-64"), ("title", NAME_PATTERN, "2-64")):
        if params[name] is not None and not pattern.match(params[name]):
            raise ParameterError(
                "%s must be %s letters, digits, Chinese characters or the punctuation the API allows "
                "(pattern %s) (got %r)" % (name, size, pattern.pattern, params[name])
            )
    if params["name_like"] is not None and len(params["name_like"]) > 100:
        raise ParameterError("name_like must be at most 100 characters (got %d)" % len(params["name_like"]))
    query = dict(
        (name, params[name])
        for name in ("order_by", "sort_name", "video_group", "task_state", "type_like", "name_like", "manufacturer", "title")
    )
    if not params["is_paged"]:
        if params["page_num"] is not None or params["limit"] is not None:
            raise ParameterError("page_num and limit (page_size) page the answer; they cannot be set with is_paged: false")
        query["is_paged"] = "false"
        return ListSelection(KIND.list_api, query=query, unpaged=True)
    return ListSelection(KIND.list_api, query=query, named_page=named_page(PAGING, params))


DECLARATION = ModuleDeclaration(
    "vias_batch_task_info",
    KIND,
    options=dict(KIND.filters, **paging_options(PAGING, size_aliases=["page_size"])),
    select=select,
    list_options=True,
    ranges=(("page_num", 1, 10000, PAGE_HINT), ("limit", 5, 200, PAGE_HINT, "limit (page_size)")),
    required_by=dict(name_like="type_like"),
)


def main():
    run_module(DECLARATION)


if __name__ == "__main__":
    main()
