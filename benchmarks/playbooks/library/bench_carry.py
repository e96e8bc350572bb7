# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scenario 6, the carry floor: a module that returns ``count`` items read from a JSON file.

It does nothing else, so the difference between returning N items and
returning none (from the same file, read either way) is what Ansible itself
costs to carry N items from a module to a registered variable.
"""

from __future__ import annotations

DOCUMENTATION = r"""
module: bench_carry
short_description: Return the first count items of a JSON file (benchmark only)
description:
  - Reads a JSON list from O(path) and returns its first O(count) items under the key O(key).
author:
  - hwcloud.tasks contributors
options:
  path:
    description: The JSON file holding a list of items.
    type: path
    required: true
  key:
    description: The result key to return the items under.
    type: str
    default: records
  count:
    description: How many items to return; all of them when negative.
    type: int
    default: -1
"""

import json

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            key=dict(type="str", default="records"),
            count=dict(type="int", default=-1),
        ),
        supports_check_mode=True,
    )
    with open(module.params["path"], encoding="utf-8") as stream:
        items = json.load(stream)
    count = module.params["count"]
    returned = items if count < 0 else items[:count]
    module.exit_json(changed=False, **{module.params["key"]: returned})


if __name__ == "__main__":
    main()
