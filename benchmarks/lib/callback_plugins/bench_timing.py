# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scenario 3's import probe: when the playbook and each task start and end, written to ``$BENCH_TIMING_FILE``.

Enabled only for the probe runs (``ANSIBLE_CALLBACKS_ENABLED=bench_timing``),
never for the timed ones. The strategy loads a task's action plugin in the
controller's main process just before it announces the task, so the gap
between the end of one task and the start of the next (the first task's gap
is from the start of the play) holds what that load imports; a task's own
time (start to result) holds what its worker does, imports included.
"""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: bench_timing
type: aggregate
short_description: Note when the play and each task start and end (benchmark only)
description:
  - Writes a JSON list of tasks, each with its name and its start and end times, to the file that C(BENCH_TIMING_FILE) names.
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timing"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.play_started = None
        self.tasks = []

    def v2_playbook_on_play_start(self, play):
        self.play_started = time.time()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.tasks.append({"name": task.get_name(), "action": task.action, "start": time.time(), "end": None})

    def _ended(self, result):
        if self.tasks:
            self.tasks[-1]["end"] = time.time()

    v2_runner_on_ok = v2_runner_on_failed = v2_runner_on_skipped = v2_runner_on_unreachable = _ended

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get("BENCH_TIMING_FILE")
        if path:
            with open(path, "w", encoding="utf-8") as stream:
                json.dump({"play_start": self.play_started, "end": time.time(), "tasks": self.tasks}, stream)
