# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filter ``junit_report``: a verification as a JUnit XML document.

One filter per file, so that ansible-doc and Galaxy document each on its own: its documentation is
below, its code ``plugins/plugin_utils/verification_reports.py``.
"""

from __future__ import annotations

from ansible_collections.hwcloud.tasks.plugins.plugin_utils.verification_reports import junit_report

DOCUMENTATION = r"""
name: junit_report
version_added: 1.0.0
author: hwcloud.tasks contributors
short_description: Turn a verification of Huawei Cloud task states into a JUnit XML report
description:
  - Renders the outcome of a wait for task states as a JUnit XML document that CI servers
    (Jenkins, GitLab, GitHub Actions test reporters, Azure Pipelines) show as test results.
  - The document has one C(testsuites) element holding one C(testsuite) named after the title, with the counts
    C(tests), C(failures), C(errors), C(skipped) and the time waited in seconds as C(time).
  - Each task is one C(testcase) named C(NAME \(ID\)) of class C(hwcloud.tasks.SERVICE). A task in a forbidden phase
    has a C(failure) of type V(forbidden); a task that did not reach the phases wanted in time has a C(failure)
    of type V(timeout). The failure message gives the raw state, the phase, the reason the API gives
    (HiLens C(cause), VIAS C(status) or C(error), Octopus C(msg_error)) and how long the task was watched.
  - When the wait stopped early because a task reached a forbidden phase, the other tasks not yet in a wanted phase
    are C(skipped) (type V(not_reached)). Too few tasks is one more failing case of type V(too_few), a list that
    never read complete one of type V(incomplete).
  - When no read succeeded - an API error before any wait, or every poll failed (C(polls) equals C(failed_polls),
    whatever the reason, V(unreachable) included) - the report holds one C(error) case named C(SERVICE API), of
    the reason's type, whose message is the cause (C(last_poll_error), or the failure's message), so that a report
    is never an empty C(tests="0").
  - Tasks are known only when the items are given (O(items), or the result's C(items), C(tasks), C(jobs),
    C(batch_tasks) or C(task)); otherwise the report lists the offenders only.
  - Text is escaped for XML, and characters XML 1.0 cannot carry are replaced with U+FFFD.
  - The filter reads no clock; the suite's C(timestamp) is the result's C(started) when it has one.
positional: items, service, title
options:
  _input:
    description:
      - The verification to report. Either the fact C(assert_task_states_result) set by the role
        P(hwcloud.tasks.assert_task_states#role), or the registered result of a C(hwcloud.tasks) info module
        that waited (it carries C(wait)).
      - Keys read, all optional - C(service), C(title), C(succeeded), C(reason) (V(reached), V(forbidden),
        V(timeout), V(too_few), V(incomplete), V(unreachable) or V(error)), C(message), C(waited), C(timeout),
        C(started), C(count), C(by_phase), C(polls), C(failed_polls), C(last_poll_error),
        C(offenders) (each with C(id), C(name), C(state), C(phase), C(reason), C(watched_seconds)),
        C(wanted_phases), C(wanted_states), C(forbidden_phases), C(min_count), C(items); or the same under C(wait).
    type: dict
    required: true
  items:
    description:
      - The tasks, jobs or batch tasks as the info module returned them, one test case each.
      - Defaults to the result's own C(items), C(tasks), C(jobs), C(batch_tasks) or C(task).
    type: list
    elements: dict
  service:
    description:
      - The service the items come from. Defaults to the result's C(service), else it is detected from the items.
    type: str
    choices: [hilens, vias, vas, octopus, vias_batch]
  title:
    description:
      - Name of the test suite. Defaults to the result's C(title), else C(hwcloud.tasks SERVICE).
    type: str
"""

EXAMPLES = r"""
- name: Wait for the tasks of a rollout, without failing yet
  hwcloud.tasks.vias_task_info:
    task_ids: "{{ rollout_task_ids }}"
    wait_for: [running]
    wait_timeout: 600
  register: rollout
  failed_when: false

- name: Write a JUnit report of the wait for the CI server
  ansible.builtin.copy:
    content: "{{ rollout | hwcloud.tasks.junit_report(title='VIAS rollout') }}"
    dest: "{{ lookup('ansible.builtin.env', 'CI_PROJECT_DIR') }}/junit-rollout.xml"
    mode: "0644"
  delegate_to: localhost

- name: The role writes the same report itself from its result
  ansible.builtin.include_role:
    name: hwcloud.tasks.assert_task_states
  vars:
    assert_task_states_service: vias
    assert_task_states_task_ids: "{{ rollout_task_ids }}"
    assert_task_states_junit_path: "{{ playbook_dir }}/junit-rollout.xml"
"""

RETURN = r"""
_value:
  description:
    - The JUnit XML document, with an XML declaration, indented, ending with a newline.
    - Shaped as C(testsuites > testsuite > testcase > failure|error|skipped), as the common Ant/Jenkins
      JUnit schema (C(junit-10.xsd)) describes it.
  type: str
  sample: |
    <?xml version="1.0" encoding="UTF-8"?>
    <testsuites name="VIAS rollout" tests="2" failures="1" errors="0" skipped="0" time="12.500">
      <testsuite name="VIAS rollout" tests="2" failures="1" errors="0" skipped="0" time="12.500">
        <properties>
          <property name="service" value="vias" />
        </properties>
        <testcase name="gate-task-00001 (8656efdafebf440bb7008f174db6c567)" classname="hwcloud.tasks.vias" time="12.500">
          <failure message="reached the forbidden phase failed: state START_FAILED, phase failed (watched 12.5 s)"
                   type="forbidden">id: 8656efdafebf440bb7008f174db6c567</failure>
        </testcase>
        <testcase name="gate-task-00002 (0f1e2d3c4b5a69788796a5b4c3d2e1f0)" classname="hwcloud.tasks.vias" time="12.500" />
      </testsuite>
    </testsuites>
"""


class FilterModule:
    """The filter hwcloud.tasks.junit_report."""

    def filters(self):
        return {"junit_report": junit_report}
