# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scenario 3's explanation: what importing each module's code costs in a fresh interpreter.

    PYTHONPATH=<collections root> python benchmarks/lib/import_cost.py --repeat 5 LABEL=module[,module...] ...

For each LABEL, starts ``--repeat`` fresh interpreters that import the modules
named and report the CPU time (user + system, which a busy machine disturbs
less than the wall time) and the wall time the imports took. Prints one JSON
object: label -> medians.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
cpu_started, wall_started = cpu(), time.perf_counter()
for name in sys.argv[1].split(","):
    __import__(name)
print(json.dumps({"cpu": cpu() - cpu_started, "wall": time.perf_counter() - wall_started}))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("imports", nargs="+", help="LABEL=module[,module...]")
    options = parser.parse_args()
    result = {}
    for _round in range(options.repeat):
        for spec in options.imports:  # interleaved, so that a busy moment hurts every label alike
            label, names = spec.split("=", 1)
            output = subprocess.run([sys.executable, "-c", CHILD, names], check=True, capture_output=True, text=True).stdout
            sample = json.loads(output)
            result.setdefault(label, {"modules": names, "cpu": [], "wall": []})
            result[label]["cpu"].append(sample["cpu"])
            result[label]["wall"].append(sample["wall"])
    for entry in result.values():
        entry["cpu_median"] = statistics.median(entry["cpu"])
        entry["wall_median"] = statistics.median(entry["wall"])
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
