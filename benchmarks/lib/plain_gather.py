# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The limit of scenarios 1 and 2: what a plain Python script needs to gather every page.

    python benchmarks/lib/plain_gather.py --service batch|hilens --url URL --project-id ID --token TOKEN --collections DIR

The same requests as the modules: the overlapping windows their reader plans
(``plan_windows`` of plugins/module_utils/paginate.py, imported from the
collection under ``--collections``: offsets 0, 99, 198, ... of 100 HiLens tasks,
page_num/page_size pairs of 185-200 batch tasks), the first window for the
count, then the others on ``--concurrency`` threads (the modules' default
page_concurrency of 16, sharing one requests Session with a pool as large),
every page parsed, the windows joined on the records they share. No proof that
the windows agree, no validation, no phases, no Ansible. Prints one JSON line:
the number of items and of requests.
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ThreadPoolExecutor

import requests
from requests.adapters import HTTPAdapter

SERVICES = {
    # path, items key, the collection's API spec (its paging)
    "batch": ("/v2/{project}/batch-tasks", "batch_task_list", "VIAS_BATCH_TASKS"),
    "hilens": ("/v3/{project}/ai-mgr/deployments/dep-large/tasks", "tasks", "HILENS_TASKS"),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--service", choices=sorted(SERVICES), required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--project-id", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--collections", required=True, help="the collections root that holds ansible_collections/hwcloud/tasks")
    parser.add_argument("--save", help="also write the items to this JSON file (not used when timing)")
    options = parser.parse_args()
    sys.path.insert(0, options.collections)
    # pylint: disable=import-outside-toplevel
    from ansible_collections.hwcloud.tasks.plugins.module_utils import apis
    from ansible_collections.hwcloud.tasks.plugins.module_utils.paginate import plan_windows

    path, key, spec_name = SERVICES[options.service]
    paging = getattr(apis, spec_name).paging
    url = options.url.rstrip("/") + path.format(project=options.project_id)

    session = requests.Session()
    session.mount("http://", HTTPAdapter(pool_connections=1, pool_maxsize=options.concurrency))
    session.headers["X-Auth-Token"] = options.token

    def page(window):
        response = session.get(url, params=window.params, timeout=30)
        response.raise_for_status()
        return response.json()

    first = plan_windows(paging, 0)[0]
    head = page(first)
    windows = plan_windows(paging, head["count"])
    with ThreadPoolExecutor(max_workers=options.concurrency) as pool:
        rest = list(pool.map(page, windows[1:]))
    items = list(head[key])
    end = first.start + len(head[key])
    for window, document in zip(windows[1:], rest):
        items.extend(document[key][max(0, end - window.start):])  # the records the window before also held
        end = window.start + len(document[key])
    if options.save:
        with open(options.save, "w", encoding="utf-8") as stream:
            json.dump(items, stream, ensure_ascii=False)
    print(json.dumps({"items": len(items), "requests": len(windows)}))


if __name__ == "__main__":
    main()
