# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filter ``task_facts_calls``: the role gather_task_facts' variables checked and its module calls planned.

One filter per file, so that ansible-doc and Galaxy document each on its own: its documentation is
``task_facts_calls.yml`` beside this file, its code ``plugins/plugin_utils/role_plans.py``.
"""

from __future__ import annotations

from ansible_collections.hwcloud.tasks.plugins.plugin_utils.role_plans import task_facts_calls


class FilterModule:
    """The filter hwcloud.tasks.task_facts_calls."""

    def filters(self):
        return {"task_facts_calls": task_facts_calls}
