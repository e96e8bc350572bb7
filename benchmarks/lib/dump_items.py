# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Copy the items of scenarios 1 and 2 out of the emulator once, for scenarios 5 and 6.

    PYTHONPATH=<collections root> python benchmarks/lib/dump_items.py --url URL --project-id ID --token TOKEN --out DIR

Writes, for ``batch`` (every VIAS batch task) and ``hilens`` (every task of
``dep-large``): ``<name>_raw.json`` (the items as the API sent them) and
``<name>_returned.json`` (the same items with the ``phase`` the modules add:
the shape the modules return).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from ansible_collections.hwcloud.tasks.plugins.module_utils.kinds import kind_of

HERE = os.path.dirname(os.path.abspath(__file__))
PHASE_SERVICES = {"batch": "vias_batch", "hilens": "hilens"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--project-id", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--out", required=True)
    options = parser.parse_args()
    counts = {}
    for name, phase_service in PHASE_SERVICES.items():
        raw = os.path.join(options.out, name + "_raw.json")
        subprocess.run(
            [sys.executable, os.path.join(HERE, "plain_gather.py"), "--service", name, "--url", options.url,
             "--project-id", options.project_id, "--token", options.token, "--save", raw],
            check=True, stdout=subprocess.DEVNULL,
        )
        with open(raw, encoding="utf-8") as stream:
            items = json.load(stream)
        kind = kind_of(phase_service)
        for item in items:
            item["phase"] = kind.phase(item)
        with open(os.path.join(options.out, name + "_returned.json"), "w", encoding="utf-8") as stream:
            json.dump(items, stream, ensure_ascii=False)
        counts[name] = len(items)
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
