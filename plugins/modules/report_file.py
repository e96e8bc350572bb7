#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: report_file
short_description: Write a verification report (JUnit or Markdown) to a file
version_added: 1.1.0
description:
  - Writes a report, such as the JUnit XML or Markdown summary that the role C(hwcloud.tasks.assert_task_states)
    renders, to a file in one atomic step, or replaces one marked block of it.
  - On the controller (the local connection, as the roles use it) it runs in the worker process, without shipping a
    module, so that writing a report costs a few hundredths of a second; elsewhere it runs as a module.
author:
  - hwcloud.tasks maintainers (@hwcloud-tasks)
options:
  path:
    description:
      - The file to write, for example V(reports/verification.xml). Its directory must exist.
    type: path
    required: true
  content:
    description:
      - The text of the report, for example V({{ result | hwcloud.tasks.junit_report }}).
    type: str
    required: true
  mode:
    description:
      - Permissions of the file, an octal string such as V(0644).
    type: raw
    default: "0644"
  marker:
    description:
      - When set, O(content) replaces the block between the lines V(<!-- BEGIN marker -->) and V(<!-- END marker -->)
        of the file, or is appended as such a block when there is none; the rest of the file is kept.
        For example V(hwcloud.tasks.assert_task_states rollout). One line, without V(--).
      - When not set (the default), O(content) is the whole file.
    type: str
attributes:
  check_mode:
    support: full
    description: Reports whether the file would change, and writes nothing.
  diff_mode:
    support: none
    description: No diff is returned.
notes:
  - The file is written to a temporary file in the same directory and renamed over the old one, so a reader never
    sees half a report.
"""

EXAMPLES = r"""
- name: Read the rollout's VIAS tasks, waiting until they run
  hwcloud.tasks.vias_task_info:
    task_ids: "{{ rollout_task_ids }}"
    wait_for: [running]
    wait_timeout: 300
  register: rollout

- name: Make the report directory
  ansible.builtin.file:
    path: reports
    state: directory
    mode: "0755"
  delegate_to: localhost

- name: Keep the JUnit report of the verification
  hwcloud.tasks.report_file:
    path: reports/rollout.xml
    content: "{{ rollout | hwcloud.tasks.junit_report }}"
  delegate_to: localhost

- name: Add this step's summary to a Markdown file that several steps share
  hwcloud.tasks.report_file:
    path: reports/summary.md
    content: "{{ rollout | hwcloud.tasks.markdown_report(title='Rollout') }}"
    marker: rollout step 1
  delegate_to: localhost
"""

RETURN = r"""
path:
  description: The file written.
  returned: always
  type: str
  sample: reports/rollout.xml
size:
  description: Bytes of the whole file after the write.
  returned: always
  type: int
  sample: 2048
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hwcloud.tasks.plugins.module_utils.report_file import ReportFileError, write_report

ARGUMENT_SPEC = {
    "path": {"type": "path", "required": True},
    "content": {"type": "str", "required": True},
    "mode": {"type": "raw", "default": "0644"},
    "marker": {"type": "str"},
}


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    try:
        changed, size = write_report(params["path"], params["content"], params["mode"], params["marker"], module.check_mode)
    except ReportFileError as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(changed=changed, path=params["path"], size=size)


if __name__ == "__main__":
    main()
