"""Command line: ``hwcloud-emulator [options]`` or ``python -m hwcloud_emulator [options]``;
runs until SIGTERM/SIGINT."""

import argparse
import asyncio
import os
import signal
import sys
import tempfile

from .checks import SpecError
from .config import EmulatorConfig
from .scenario import example_text, load_file
from .server import Server

SIZE_OPTIONS = {"batch_tasks": "--batch-tasks", "hilens_tasks": "--hilens-tasks",
                "octopus_jobs": "--octopus-jobs", "vias_tasks": "--vias-tasks", "vas_tasks": "--vas-tasks"}


def _number(text):
    """An argparse type: ``10`` stays an integer, ``2.5`` is a float."""
    value = float(text)
    return int(value) if value.is_integer() else value


def _prog():
    return "python -m hwcloud_emulator" if sys.argv[0].endswith("__main__.py") else "hwcloud-emulator"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog=_prog(), description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--port-file", help="write the base URL here (atomically) once listening")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--tasks", type=int, default=200, help="size of every list data set")
    for key, option in SIZE_OPTIONS.items():
        parser.add_argument(option, dest=key, type=int, help=f"override --tasks for {key}")
    parser.add_argument("--latency-ms", type=float, default=0, help="added to every API request")
    parser.add_argument("--rate-limit", type=_number, default=0,
                        help="account quota: N API requests per second (token bucket), 429 past it")
    parser.add_argument("--rate-limit-burst", type=int, help="quota bucket capacity (default: the rate)")
    parser.add_argument("--rate-limit-retry-after", type=_number,
                        help="send Retry-After: S with the quota's 429 answers (default: no header)")
    parser.add_argument("--token-ttl", type=float, default=86400, help="IAM token lifetime, seconds")
    parser.add_argument("--https", action="store_true", help="serve TLS with a generated test CA")
    parser.add_argument("--cert-dir", help="where --https writes ca.pem (default: a temporary directory)")
    parser.add_argument("--log-file", help="access log (never contains credentials)")
    parser.add_argument("--scenario", metavar="FILE",
                        help="YAML file saying what the cloud holds and does (replaces the generated data)")
    parser.add_argument("--print-example-scenario", action="store_true",
                        help="print the example scenario (rollout.yml) and exit")
    return parser.parse_args(argv)


def write_atomically(path, text):
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".port-")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)


def build_config(args):
    """The server's configuration; a scenario file is read and validated here (SpecError)."""
    return EmulatorConfig(
        host=args.host, port=args.port, seed=args.seed, tasks=args.tasks,
        sizes={key: getattr(args, key) for key in SIZE_OPTIONS if getattr(args, key) is not None},
        latency_ms=args.latency_ms, rate_limit=args.rate_limit, rate_limit_burst=args.rate_limit_burst,
        rate_limit_retry_after=args.rate_limit_retry_after, token_ttl=args.token_ttl,
        https=args.https, cert_dir=args.cert_dir, log_file=args.log_file,
        scenario=load_file(args.scenario) if args.scenario else None)


async def serve(server, port_file=None):
    url = await server.start()
    if port_file:
        write_atomically(port_file, url)
    print(f"hwcloud emulator listening on {url}" + (f" (CA: {server.ca_file})" if server.ca_file else ""),
          file=sys.stderr, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    await server.stop()


def main(argv=None):
    args = parse_args(argv)
    if args.print_example_scenario:
        sys.stdout.write(example_text())
        return 0
    try:
        server = Server(build_config(args))  # builds the data: a scenario's ids may clash with generated ones
    except SpecError as exc:
        print(f"{_prog()}: error: scenario {args.scenario}: {exc}", file=sys.stderr)
        return 2
    asyncio.run(serve(server, args.port_file))
    return 0


if __name__ == "__main__":
    sys.exit(main())
