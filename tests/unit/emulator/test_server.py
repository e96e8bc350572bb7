"""Server-level behaviour: rate limiting, fixed latency, HTTPS, start-up size, the command line."""

import os
import signal
import subprocess
import sys
import time

import pytest
import requests
from hwcloud_emulator import Credentials, start_emulator

EMULATOR_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "emulator"))


def get(emu, path, **kwargs):
    url = emu.url + path.format(project=emu.credentials["project_id"])
    return requests.get(url, headers={"X-Auth-Token": emu.credentials["static_token"]}, timeout=10, **kwargs)


def test_rate_limit():
    with start_emulator(rate_limit=5, tasks=10) as emu:
        codes = [get(emu, "/v2/{project}/batch-tasks").status_code for _attempt in range(8)]
        assert codes[:5] == [200] * 5 and set(codes[5:]) == {429}
        throttled = get(emu, "/v2/{project}/batch-tasks")
        assert throttled.json()["error_code"] == "APIGW.0308"
        assert emu.admin("GET", "health") == {"ok": True}  # admin is never throttled
        time.sleep(1.05)
        assert get(emu, "/v2/{project}/batch-tasks").status_code == 200


def test_fixed_latency():
    with start_emulator(latency_ms=200, tasks=10) as emu:
        start = time.monotonic()
        assert get(emu, "/v2/{project}/batch-tasks").status_code == 200
        assert time.monotonic() - start >= 0.2


def test_https_with_generated_ca(tmp_path):
    with start_emulator(https=True, cert_dir=str(tmp_path), tasks=10) as emu:
        ca_file = tmp_path / "ca.pem"
        assert emu.url.startswith("https://") and ca_file.exists() and emu.ca_file == str(ca_file)
        assert get(emu, "/v2/{project}/batch-tasks", verify=str(ca_file)).status_code == 200
        with pytest.raises(requests.exceptions.SSLError):
            get(emu, "/v2/{project}/batch-tasks")
        assert emu.admin("GET", "health") == {"ok": True}


def test_fifty_thousand_records_in_every_data_set_are_served_to_the_last_page():
    # How fast it starts is the benchmarks' business (no timing asserts on a shared machine).
    with start_emulator(tasks=50_000) as emu:
        data = emu.data
        assert data["sizes"] == dict.fromkeys(data["sizes"], 50_000)
        assert data["hilens_deployments"]["dep-large"] == 50_000
        last = get(emu, "/v2/{project}/batch-tasks", params={"page_num": 10000, "page_size": 5}).json()
        assert last["count"] == 50_000 and len(last["batch_task_list"]) == 5
        jobs = get(emu, "/v1.0/{project}/data/system-jobs", params={"offset": 49_990, "limit": 100}).json()
        assert jobs["payload"]["page_info"]["total"] == 50_000 and len(jobs["payload"]["list"]) == 10


def test_command_line(tmp_path):
    port_file = tmp_path / "url"
    log_file = tmp_path / "access.log"
    env = {**os.environ, "PYTHONPATH": EMULATOR_DIR}
    proc = subprocess.Popen([sys.executable, "-m", "hwcloud_emulator", "--port-file", str(port_file),
                             "--seed", "7", "--tasks", "20", "--batch-tasks", "30",
                             "--log-file", str(log_file)], env=env, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while not port_file.exists():
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        url = port_file.read_text()
        data = requests.get(url + "/_emulator/data", timeout=10).json()
        assert data["seed"] == 7 and data["sizes"]["batch_tasks"] == 30 and data["sizes"]["vias_tasks"] == 20
        token = data["credentials"]["static_token"]
        response = requests.get(f"{url}/v2/{data['project_id']}/batch-tasks",
                                headers={"X-Auth-Token": token}, timeout=10)
        assert response.json()["count"] == 30
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    log = log_file.read_text()
    assert "batch-tasks" in log and token not in log


def test_credentials_overridable_in_code():
    creds = Credentials(project_id="0123456789abcdef0123456789abcdef", static_token="other-token")
    with start_emulator(credentials=creds, tasks=5) as emu:
        assert emu.credentials["project_id"] == creds.project_id
        assert get(emu, "/v2/{project}/batch-tasks").json()["count"] == 5
        response = requests.get(f"{emu.url}/v2/{creds.project_id}/batch-tasks",
                                headers={"X-Auth-Token": "emu-static-token-0001"}, timeout=10)
        assert response.status_code == 401
