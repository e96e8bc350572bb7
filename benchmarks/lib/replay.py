# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A caching replay of the emulator's GET answers, with a fixed latency and nothing else.

    python benchmarks/lib/replay.py --upstream URL --latency-ms 50 --port-file PATH

Why: the emulator builds every answer in Python on one event loop. A page of
200 VIAS batch tasks costs it about 55 ms of CPU (it filters and sorts all
10,000 records for each page), so 50 pages take it about 3 s on one core: more
than the client work the gather scenarios measure, and on a 2-core machine it
competes with the client for the CPU. The cloud serves pages in parallel; its
cost to the client is the round trip, which ``--latency-ms`` stands for.

So the first GET of a URL goes to the emulator and its answer (status, content
type, body) is kept; every later GET of the same URL is answered from memory
after ``--latency-ms``. Each answer is still the emulator's, byte for byte.
The benchmark warms the cache with one discarded run of each variant.

With ``--no-cache`` every request goes to the emulator (whose own latency then
applies) and the replay only counts: scenario 4 uses it to learn when the last
poll was answered.

Admin: ``GET /_replay/stats`` (API requests answered since the last reset, of
them from the cache, and the wall-clock time the last answer left),
``POST /_replay/stats/reset``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import tempfile
import time
from urllib.parse import urlencode

from aiohttp import ClientSession, web

STATS = web.AppKey("stats", dict)
CACHE = web.AppKey("cache", dict)
CLIENT = web.AppKey("client", ClientSession)
OPTIONS = web.AppKey("options", argparse.Namespace)


async def stats(request):
    return web.json_response(request.app[STATS])


async def reset_stats(request):
    request.app[STATS].update(api_requests=0, cached=0, last_answer_at=None)
    return web.json_response({"ok": True})


async def replay(request):
    app = request.app
    options = app[OPTIONS]
    # The same query in another parameter order is the same answer.
    key = request.path + "?" + urlencode(sorted(request.query.items()))
    app[STATS]["api_requests"] += 1
    answer = app[CACHE].get(key)
    started = asyncio.get_running_loop().time()
    if answer is None:
        headers = dict((name, value) for name, value in request.headers.items() if name.lower() in ("x-auth-token", "accept"))
        async with app[CLIENT].get(options.upstream + request.path_qs, headers=headers) as upstream:
            answer = (upstream.status, upstream.headers.get("Content-Type", "application/json"), await upstream.read())
        if answer[0] == 200 and not options.no_cache:
            app[CACHE][key] = answer
    else:
        app[STATS]["cached"] += 1
    # The round trip of the cloud: the same for a cached and a fetched answer.
    left = options.latency_ms / 1000.0 - (asyncio.get_running_loop().time() - started)
    if left > 0:
        await asyncio.sleep(left)
    status, content_type, body = answer
    app[STATS]["last_answer_at"] = time.time()
    return web.Response(status=status, body=body, headers={"Content-Type": content_type})


async def serve(options):
    app = web.Application()
    app[OPTIONS] = options
    app[STATS] = {"api_requests": 0, "cached": 0, "last_answer_at": None}
    app[CACHE] = {}
    app[CLIENT] = ClientSession()
    app.router.add_get("/_replay/stats", stats)
    app.router.add_post("/_replay/stats/reset", reset_stats)
    app.router.add_get("/{tail:.*}", replay)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    directory = os.path.dirname(os.path.abspath(options.port_file))
    handle, temporary = tempfile.mkstemp(dir=directory)
    with os.fdopen(handle, "w") as stream:
        stream.write(json.dumps({"url": "http://127.0.0.1:%d" % port}))
    os.replace(temporary, options.port_file)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    await app[CLIENT].close()
    await runner.cleanup()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--no-cache", action="store_true", help="forward every request; only count them")
    options = parser.parse_args()
    options.upstream = options.upstream.rstrip("/")
    asyncio.run(serve(options))


if __name__ == "__main__":
    main()
