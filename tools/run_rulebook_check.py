"""Run the example rulebook with ansible-rulebook against the emulator and check that its playbook ran.

    python tools/run_rulebook_check.py [--collections DIR] [--ansible-rulebook PATH] [--timeout SECONDS]

The collection is read from ``DIR/ansible_collections/hwcloud/tasks`` (``make view`` writes it; default
build/collections). The emulator starts with a small scenario (two VIAS batch tasks); ansible-rulebook runs
extensions/eda/rulebooks/task_failed.yml, whose source is hwcloud.tasks.task_events found through
ANSIBLE_COLLECTIONS_PATH; once the source has polled, one batch task is scheduled to fail. The check passes when
the rule fired and its playbook wrote its record of exactly that failure (the event, and the module's fresh read
of the task), nothing was reported for the other task, and no secret is in the record or ansible-rulebook's output.
The only credential is an IAM token in HW_AUTH_TOKEN, which the rulebook takes with --env-vars and the playbook
from the environment, as docs/event-driven.md shows. A second run holds another claim of that guide: with two
rulesets, one whose source stops after max_run_time ends the other's unlimited source and ansible-rulebook.
ansible-rulebook needs Java 17 (JAVA_HOME, else the java on PATH, else Debian's openjdk-17-jre-headless,
installed with apt-get when this runs as root).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from with_emulator import start_emulator  # noqa: E402  pylint: disable=wrong-import-position

RULEBOOK = "extensions/eda/rulebooks/task_failed.yml"
SCENARIO = {
    "version": 1,
    "description": "two VIAS batch tasks; tools/run_rulebook_check.py makes the first fail",
    "batch_tasks": [
        {"name": "night-batch", "counts": {"running": 3}},
        {"name": "day-batch", "counts": {"succeeded": 2}},
    ],
}
INTERVAL = 1


def admin(url, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + "/_emulator/" + path, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


JAVA_PACKAGE = "openjdk-17-jre-headless"


def install_java():
    """Debian's Java 17 runtime, when this machine can install it (root and apt-get): make test sets itself up."""
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        return
    print("no java on PATH: installing %s with apt-get" % JAVA_PACKAGE, flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run([apt, "update", "-qq"], check=False, env=env, timeout=600)
    subprocess.run([apt, "install", "-y", "-qq", "--no-install-recommends", JAVA_PACKAGE], check=False, env=env, timeout=1200)


def java_home():
    if os.environ.get("JAVA_HOME"):
        return os.environ["JAVA_HOME"]
    java = shutil.which("java")
    if java is None:
        install_java()
        java = shutil.which("java")
    if java is None:
        sys.exit("ansible-rulebook needs Java 17: install %s (Debian) or another Java 17 runtime, or set JAVA_HOME" % JAVA_PACKAGE)
    return str(Path(java).resolve().parent.parent)


def wait_for(what, condition, deadline, process):
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if process.poll() is not None:
            raise CheckFailed("ansible-rulebook exited (%s) while waiting for %s" % (process.returncode, what))
        time.sleep(0.2)
    raise CheckFailed("timed out waiting for %s" % what)


class CheckFailed(Exception):
    pass


SHORT_RUN = 2


def first_stop_ends_all(rulebook_bin, inventory, env, work, view, deadline, secrets):
    """The claim of docs/event-driven.md that the first source to stop ends the whole rulebook: two rulesets, one
    source that stops after SHORT_RUN seconds and one that never stops; ansible-rulebook must exit soon after."""
    source = {"service": "vias_batch", "auth_token": "{{ HW_AUTH_TOKEN }}", "endpoint": "{{ HWCLOUD_ENDPOINT }}", "interval": 1}
    rule = {"name": "Never", "condition": "event.hwcloud_task_event.type == \"never\"", "action": {"debug": None}}
    rulebook = work / "two-sources.yml"
    rulebook.write_text(json.dumps([
        {"name": "Stops", "hosts": "all", "sources": [{"hwcloud.tasks.task_events": dict(source, max_run_time=SHORT_RUN)}], "rules": [rule]},
        {"name": "Never stops", "hosts": "all", "sources": [{"hwcloud.tasks.task_events": source}], "rules": [rule]},
    ]))
    started = time.monotonic()
    try:
        result = subprocess.run([rulebook_bin, "--rulebook", str(rulebook), "--inventory", str(inventory),
                                 "--env-vars", "HWCLOUD_ENDPOINT,HW_AUTH_TOKEN", "-v"], cwd=view, env=env, capture_output=True,
                                text=True, timeout=max(deadline - started, 30), check=False)
    except subprocess.TimeoutExpired:
        raise CheckFailed("ansible-rulebook kept running after one of its two sources stopped") from None
    ended = time.monotonic() - started
    output = result.stdout + result.stderr
    if any(secret in output for secret in secrets):
        raise CheckFailed("two sources: a secret is in ansible-rulebook's output")
    if result.returncode != 0 or "initiated shutdown" not in output:
        raise CheckFailed("two sources: ansible-rulebook ended with %s:\n%s" % (result.returncode, output[-3000:]))
    return ended


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--collections", default=str(ROOT / "build" / "collections"))
    parser.add_argument("--ansible-rulebook", default=str(Path(sys.executable).parent / "ansible-rulebook"))
    parser.add_argument("--timeout", type=float, default=180)
    options = parser.parse_args()
    collections = Path(options.collections).resolve()
    view = collections / "ansible_collections" / "hwcloud" / "tasks"
    rulebook_bin = Path(options.ansible_rulebook)
    if not (view / RULEBOOK).is_file():
        sys.exit("no collection at %s: run make view (or pass --collections)" % view)
    if not rulebook_bin.is_file():
        sys.exit("ansible-rulebook is not at %s: run make setup (requirements-dev.txt pins it)" % rulebook_bin)

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="hwcloud-eda-") as workdir:
        work = Path(workdir)
        scenario = work / "scenario.json"  # JSON is YAML
        scenario.write_text(json.dumps(SCENARIO))
        reports = work / "reports"
        reports.mkdir()
        inventory = work / "inventory.yml"
        inventory.write_text(json.dumps({"all": {"hosts": {"localhost": {
            "ansible_connection": "local", "ansible_python_interpreter": str(rulebook_bin.parent / "python")}}}}))
        emulator, url = start_emulator(["--scenario", str(scenario)], workdir)
        log = open(work / "ansible-rulebook.log", "w+", encoding="utf-8")  # noqa: SIM115 - closed below
        process = None
        try:
            data = admin(url, "GET", "data")
            credentials = data["credentials"]
            failing, other = data["scenario_ids"]["vias_batch"]
            # Nothing of the caller's account: only the credentials below may reach the source.
            inherited = dict((name, value) for name, value in os.environ.items() if not name.startswith(("HW_", "HUAWEICLOUD_SDK_")))
            env = dict(
                inherited,
                PATH="%s:%s" % (rulebook_bin.parent, os.environ.get("PATH", "")),
                JAVA_HOME=java_home(),
                ANSIBLE_COLLECTIONS_PATH=str(collections),
                ANSIBLE_NOCOLOR="1",
                ANSIBLE_LOCAL_TEMP=str(work / "tmp"),
                HW_PROJECT_ID=credentials["project_id"],
                # An IAM token, the one credential with no environment fallback: the rulebook and the playbook
                # must pass it themselves (no AK/SK in the environment to fall back on if they did not).
                HW_AUTH_TOKEN=credentials["static_token"],
                HWCLOUD_ENDPOINT=url,
                HWCLOUD_INTERVAL=str(INTERVAL),
                HWCLOUD_EDA_REPORT_DIR=str(reports),
            )
            command = [str(rulebook_bin), "--rulebook", RULEBOOK, "--inventory", str(inventory),
                       "--env-vars", "HWCLOUD_ENDPOINT,HWCLOUD_INTERVAL,HW_AUTH_TOKEN", "--print-events", "-v"]
            print("emulator at %s; running: %s" % (url, " ".join(command)), flush=True)
            process = subprocess.Popen(command, cwd=view, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            deadline = started + options.timeout

            def polls():
                return admin(url, "GET", "stats")["by_route"].get("vias_batch_tasks", 0)

            wait_for("the source's first poll", lambda: polls() >= 1, deadline, process)
            source_started = time.monotonic()
            admin(url, "POST", "schedule", {"service": "vias_batch", "ids": [failing], "steps": [{"after": 0, "state": "failed"}]})
            expected = reports / ("hwcloud-task-failed-vias_batch-%s.json" % failing)

            def recorded():
                log.flush()
                if "run_playbook - ERROR" in (work / "ansible-rulebook.log").read_text(encoding="utf-8"):
                    raise CheckFailed("the playbook failed")
                return expected.is_file()

            wait_for("the playbook's record %s" % expected.name, recorded, deadline, process)
            fired = time.monotonic()
            time.sleep(2 * INTERVAL)  # a poll or two more: nothing else may fire
            record = json.loads(expected.read_text())
            event = record["event"]
            problems = []
            if (event["type"], event["id"], event["old_phase"], event["new_phase"]) != ("changed", failing, "running", "failed"):
                problems.append("unexpected event: %s" % event)
            if not record.get("summary_now") or record["summary_now"]["by_phase"]["failed"] != 1:
                problems.append("the playbook's module read did not see the failed task: %s" % record.get("summary_now"))
            others = sorted(path.name for path in reports.iterdir() if path != expected)
            if others:
                problems.append("records of other events: %s" % others)
            log.flush()
            log.seek(0)
            output = log.read()
            for secret in (credentials["secret_key"], credentials["password"], credentials["static_token"]):
                if secret in output or secret in expected.read_text():
                    problems.append("a secret is in the output or the record")
            if problems:
                raise CheckFailed("; ".join(problems))
            print("rule fired, playbook ran: %s %s went %s -> %s (%.1f s after the failure was scheduled; ansible-rulebook up in %.1f s)"
                  % (event["title"], event["name"], event["old_state"], event["new_state"], fired - source_started, source_started - started))
            ended = first_stop_ends_all(command[0], inventory, env, work, view, deadline,
                                        (credentials["secret_key"], credentials["password"], credentials["static_token"]))
            print("two rulesets, one source with max_run_time %s s: ansible-rulebook ended after %.1f s, the unlimited source with it"
                  % (SHORT_RUN, ended))
            return 0
        except CheckFailed as exc:
            log.flush()
            log.seek(0)
            print(log.read()[-6000:], file=sys.stderr)
            print("rulebook check FAILED: %s" % exc, file=sys.stderr)
            return 1
        finally:
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGINT)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
            log.close()
            emulator.terminate()
            try:
                emulator.wait(timeout=10)
            except subprocess.TimeoutExpired:
                emulator.kill()
            print("rulebook check took %.1f s" % (time.monotonic() - started))


if __name__ == "__main__":
    sys.exit(main())
