"""Run a command with the API emulator listening on loopback, then stop the emulator.

    python tools/with_emulator.py [EMULATOR OPTIONS] [--integration-config PATH] -- COMMAND...

The emulator's options (``--tasks``, ``--latency-ms``, ``--https`` ...) pass through.
The command sees ``HWCLOUD_EMULATOR_URL`` (the base URL) and, with
``--integration-config``, ansible-test finds the same facts in that YAML file.
The exit code is the command's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60


def start_emulator(emulator_args, workdir):
    port_file = Path(workdir) / "emulator.url"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "tests" / "emulator"))
    with open(Path(workdir) / "emulator.log", "wb") as log:  # the child keeps its own handle
        process = subprocess.Popen(
            [sys.executable, "-m", "hwcloud_emulator", "--port", "0", "--port-file", str(port_file)] + emulator_args,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("emulator exited with %s:\n%s" % (process.returncode, (Path(workdir) / "emulator.log").read_text()))
        if port_file.exists() and port_file.read_text().strip():
            return process, port_file.read_text().strip()
        time.sleep(0.1)
    process.kill()
    sys.exit("emulator did not start within %d s" % START_TIMEOUT)


def write_integration_config(path, url):
    """Variables every integration target reads: where the emulator is and how to log in."""
    with urllib.request.urlopen(url + "/_emulator/data", timeout=10) as response:
        data = json.load(response)
    credentials = data["credentials"]
    lines = ["# Written by tools/with_emulator.py for this run; not committed.", "---"]
    values = {"hwcloud_emulator_url": url}
    values.update(("hwcloud_" + key, value) for key, value in credentials.items())
    lines += ["%s: %s" % (key, json.dumps(value)) for key, value in sorted(values.items())]
    Path(path).write_text("\n".join(lines) + "\n")


def main():
    if "--" not in sys.argv:
        sys.exit(__doc__)
    split = sys.argv.index("--")
    parser = argparse.ArgumentParser(usage=__doc__)
    parser.add_argument("--integration-config")
    options, emulator_args = parser.parse_known_args(sys.argv[1:split])
    command = sys.argv[split + 1:]
    with tempfile.TemporaryDirectory(prefix="hwcloud-emulator-") as workdir:
        process, url = start_emulator(emulator_args, workdir)
        try:
            if options.integration_config:
                write_integration_config(options.integration_config, url)
            print("emulator listening at %s" % url, flush=True)
            return subprocess.call(command, env=dict(os.environ, HWCLOUD_EMULATOR_URL=url))
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    sys.exit(main())
