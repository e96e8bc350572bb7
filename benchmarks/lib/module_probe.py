# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scenario 5b: run one module of the collection without Ansible and time its schema validation.

    PYTHONPATH=<collections root> python benchmarks/lib/module_probe.py MODULE ARGS_JSON STATS_JSON

Runs ``ansible_collections.hwcloud.tasks.plugins.modules.MODULE`` in this
process the way AnsiballZ would (``ARGS_JSON`` holds ``{"ANSIBLE_MODULE_ARGS": ...}``,
the result goes to stdout), with ``validate_document`` (plugins/module_utils/validation.py,
called by the engine under the name it imported) wrapped to add up the
wall time and the CPU time of the calling thread spent in it. Writes those
sums, the number of calls and the module's own wall time to ``STATS_JSON``.
The caller measures the peak RSS of this process (``os.wait4``).
"""

from __future__ import annotations

import json
import runpy
import sys
import threading
import time


def main():
    module_name, args_path, stats_path = sys.argv[1:4]
    started = time.perf_counter()
    # pylint: disable-next=import-outside-toplevel
    from ansible_collections.hwcloud.tasks.plugins.module_utils import engine, validation

    imported = time.perf_counter() - started
    real = validation.validate_document
    lock = threading.Lock()
    stats = {"calls": 0, "validate_wall_s": 0.0, "validate_cpu_s": 0.0}

    def timed_validate(*args, **kwargs):
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return real(*args, **kwargs)
        finally:
            wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
            with lock:
                stats["calls"] += 1
                stats["validate_wall_s"] += wall
                stats["validate_cpu_s"] += cpu

    # The engine calls the name it imported; wrap it there, and in validation for any other caller.
    engine.validate_document = validation.validate_document = timed_validate
    sys.argv = [module_name, args_path]
    code = 0
    try:
        runpy.run_module("ansible_collections.hwcloud.tasks.plugins.modules." + module_name, run_name="__main__")
    except SystemExit as exc:
        code = exc.code or 0
    finally:
        stats["module_wall_s"] = time.perf_counter() - started
        stats["import_module_utils_s"] = imported
        stats["process_cpu_s"] = time.process_time()
        with open(stats_path, "w", encoding="utf-8") as stream:
            json.dump(stats, stream)
    sys.exit(code)


if __name__ == "__main__":
    main()
