"""Command line: ``python -m hwcloud_emulator [options]``; runs until SIGTERM/SIGINT."""

import argparse
import asyncio
import os
import signal
import sys
import tempfile

from .config import EmulatorConfig
from .server import Server

SIZE_OPTIONS = {"batch_tasks": "--batch-tasks", "hilens_tasks": "--hilens-tasks",
                "octopus_jobs": "--octopus-jobs", "vias_tasks": "--vias-tasks", "vas_tasks": "--vas-tasks"}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m hwcloud_emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--port-file", help="write the base URL here (atomically) once listening")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--tasks", type=int, default=200, help="size of every list data set")
    for key, option in SIZE_OPTIONS.items():
        parser.add_argument(option, dest=key, type=int, help=f"override --tasks for {key}")
    parser.add_argument("--latency-ms", type=float, default=0, help="added to every API request")
    parser.add_argument("--rate-limit", type=int, default=0, help="429 past N API requests per second")
    parser.add_argument("--token-ttl", type=float, default=86400, help="IAM token lifetime, seconds")
    parser.add_argument("--https", action="store_true", help="serve TLS with a generated test CA")
    parser.add_argument("--cert-dir", help="where --https writes ca.pem (default: a temporary directory)")
    parser.add_argument("--log-file", help="access log (never contains credentials)")
    return parser.parse_args(argv)


def write_atomically(path, text):
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".port-")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)


async def serve(args):
    config = EmulatorConfig(
        host=args.host, port=args.port, seed=args.seed, tasks=args.tasks,
        sizes={key: getattr(args, key) for key in SIZE_OPTIONS if getattr(args, key) is not None},
        latency_ms=args.latency_ms, rate_limit=args.rate_limit, token_ttl=args.token_ttl,
        https=args.https, cert_dir=args.cert_dir, log_file=args.log_file)
    server = Server(config)
    url = await server.start()
    if args.port_file:
        write_atomically(args.port_file, url)
    print(f"hwcloud emulator listening on {url}" + (f" (CA: {server.ca_file})" if server.ca_file else ""),
          file=sys.stderr, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    await server.stop()


def main(argv=None):
    asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main()
