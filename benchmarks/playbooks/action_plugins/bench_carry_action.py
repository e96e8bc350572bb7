# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scenarios 1, 2 and 6, the carry floor of the in-process path: an action plugin that returns ``count`` items of a JSON file.

It runs in the controller's worker as the collection's in-process action
plugins do, and does nothing else: no module is shipped, so the difference
between returning N items and returning none is what Ansible itself costs to
carry N items from an action plugin to a registered variable. Added to the
plain script, it is the least the in-process path could take to fetch the
items and hand them to Ansible.
"""

from __future__ import annotations

import json

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    _supports_check_mode = True
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = self._task.args
        with open(args["path"], encoding="utf-8") as stream:
            items = json.load(stream)
        count = int(args.get("count", -1))
        result.update(changed=False)
        result[args.get("key", "records")] = items if count < 0 else items[:count]
        return result
