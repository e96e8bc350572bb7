# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filter ``task_states_result``: the fact assert_task_states_result, rendered from the wait's outcome.

One filter per file, so that ansible-doc and Galaxy document each on its own: its documentation is
``task_states_result.yml`` beside this file, its code ``plugins/plugin_utils/role_plans.py``.
"""

from __future__ import annotations

from ansible_collections.hwcloud.tasks.plugins.plugin_utils.role_plans import task_states_result


class FilterModule:
    """The filter hwcloud.tasks.task_states_result."""

    def filters(self):
        return {"task_states_result": task_states_result}
