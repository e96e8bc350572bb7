# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hwcloud.tasks.vias_batch_task_info on the controller, in process (plugins/plugin_utils/in_process.py)."""

from __future__ import annotations

from ansible_collections.hwcloud.tasks.plugins.modules.vias_batch_task_info import DECLARATION
from ansible_collections.hwcloud.tasks.plugins.plugin_utils.in_process import InProcessAction


class ActionModule(InProcessAction):
    declaration = DECLARATION
