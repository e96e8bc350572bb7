# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The limit of scenarios 1 and 2: what a plain Python script needs to gather every page.

    python benchmarks/lib/plain_gather.py --service batch|hilens --url URL --project-id ID --token TOKEN

The same concurrency as the modules (the first page for the count, then the
other pages on ``--concurrency`` threads, the modules' default page_concurrency
of 16, sharing one requests Session with a pool as large), every
page parsed, the lists combined. No validation, no phases, no Ansible. Prints
one JSON line: the number of items and of requests.
"""

from __future__ import annotations

import argparse
import json
import math
from concurrent.futures import ThreadPoolExecutor

import requests
from requests.adapters import HTTPAdapter

SERVICES = {
    # path, items key, first page, page parameter, size parameter, page size, offset paging
    "batch": ("/v2/{project}/batch-tasks", "batch_task_list", 1, "page_num", "page_size", 200, False),
    "hilens": ("/v3/{project}/ai-mgr/deployments/dep-large/tasks", "tasks", 0, "offset", "limit", 100, True),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--service", choices=sorted(SERVICES), required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--project-id", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--save", help="also write the items to this JSON file (not used when timing)")
    options = parser.parse_args()
    path, key, first, page_param, size_param, size, offset_paging = SERVICES[options.service]
    url = options.url.rstrip("/") + path.format(project=options.project_id)

    session = requests.Session()
    session.mount("http://", HTTPAdapter(pool_connections=1, pool_maxsize=options.concurrency))
    session.headers["X-Auth-Token"] = options.token

    def page(index):
        start = index * size if offset_paging else first + index
        response = session.get(url, params={page_param: start, size_param: size}, timeout=30)
        response.raise_for_status()
        return response.json()

    head = page(0)
    pages = max(1, int(math.ceil(head["count"] / float(size))))
    with ThreadPoolExecutor(max_workers=options.concurrency) as pool:
        rest = list(pool.map(page, range(1, pages)))
    items = list(head[key])
    for document in rest:
        items.extend(document[key])
    if options.save:
        with open(options.save, "w", encoding="utf-8") as stream:
            json.dump(items, stream, ensure_ascii=False)
    print(json.dumps({"items": len(items), "requests": pages}))


if __name__ == "__main__":
    main()
