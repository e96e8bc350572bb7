# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filter ``markdown_report``: a verification as a Markdown summary.

One filter per file, so that ansible-doc and Galaxy document each on its own: its documentation is
below, its code ``plugins/plugin_utils/verification_reports.py``.
"""

from __future__ import annotations

from ansible_collections.hwcloud.tasks.plugins.plugin_utils.verification_reports import markdown_report

DOCUMENTATION = r"""
name: markdown_report
version_added: 1.0.0
author: hwcloud.tasks contributors
short_description: Summarize a verification of Huawei Cloud task states in Markdown
description:
  - Renders the outcome of a wait for task states as Markdown, to append to a CI job summary such as
    E(GITHUB_STEP_SUMMARY) in GitHub Actions, or to post in a merge request.
  - A heading with the title and a pass or fail mark, one line saying what was wanted and how it ended,
    a table of the number of tasks in each phase with the total, then a table of the offending tasks
    (ID, name, raw state, phase, the reason the API gives, seconds watched), at most O(max_rows) of them.
  - When no read succeeded (an API error before any wait, or every poll failed, whatever the reason, V(unreachable)
    included), a section C(No read succeeded) gives the reason, the failed reads and the cause (C(last_poll_error),
    or the failure's message).
  - Text from the API is escaped, so that a name or a reason cannot break the tables or inject HTML;
    a line break in a cell becomes C(<br>).
positional: items, service, title, max_rows
options:
  _input:
    description:
      - The verification to report. Either the fact C(assert_task_states_result) set by the role
        P(hwcloud.tasks.assert_task_states#role), or the registered result of a C(hwcloud.tasks) info module
        that waited (it carries C(wait)).
      - See P(hwcloud.tasks.junit_report#filter) for the keys read.
    type: dict
    required: true
  items:
    description:
      - The tasks as the info module returned them; used to count the phases when the result has no C(by_phase)
        nor C(summary).
    type: list
    elements: dict
  service:
    description:
      - The service the items come from. Defaults to the result's C(service), else it is detected from the items.
    type: str
    choices: [hilens, vias, vas, octopus, vias_batch]
  title:
    description:
      - The heading. Defaults to the result's C(title), else C(hwcloud.tasks SERVICE).
    type: str
  max_rows:
    description:
      - The most offenders listed; a last line says how many more there are.
    type: int
    default: 50
"""

EXAMPLES = r"""
- name: Wait for every VIAS batch task to run, without failing yet
  hwcloud.tasks.vias_batch_task_info:
    name_like: gate
    type_like: batch_task_name
    summary: true
    return_items: false
    wait_for: [running]
  register: batches
  failed_when: false

- name: Append the outcome to the GitHub Actions job summary
  hwcloud.tasks.report_file:
    path: "{{ lookup('ansible.builtin.env', 'GITHUB_STEP_SUMMARY') }}"
    content: "{{ batches | hwcloud.tasks.markdown_report(title='Gate batch tasks') }}"
    marker: gate batch tasks
  delegate_to: localhost
"""

RETURN = r"""
_value:
  description: The Markdown text, ending with a newline.
  type: str
  sample: |
    ## ❌ Gate batch tasks

    **Failed**: 1 of 3 vias_batch task(s) reached a forbidden phase (failed) after 12.5 s.

    | Phase | Tasks |
    | --- | ---: |
    | pending | 0 |
    | running | 2 |
    | succeeded | 0 |
    | failed | 1 |
    | stopped | 0 |
    | unknown | 0 |
    | **total** | **3** |

    ### Offenders (1)

    | ID | Name | State | Phase | Reason | Watched (s) |
    | --- | --- | --- | --- | --- | ---: |
    | 3f6c0e1d2b4a59687786a5b4c3d2e1f0 | gate-batch-00007 | running=3,failed=1 | failed | - | 12.5 |
"""


class FilterModule:
    """The filter hwcloud.tasks.markdown_report."""

    def filters(self):
        return {"markdown_report": markdown_report}
