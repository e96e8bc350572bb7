"""The account quota: a token bucket in front of the API routes, set at start or live."""

import os
import signal
import subprocess
import sys
import time

import pytest
import requests
from hwcloud_emulator import start_emulator

EMULATOR_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "emulator"))
BATCH = "/v2/{project}/batch-tasks"
THROTTLED = {"error_code": "APIGW.0308", "error_msg": "The throttling threshold has been reached"}


def get(emu, path=BATCH):
    url = emu.url + path.format(project=emu.credentials["project_id"])
    return requests.get(url, headers={"X-Auth-Token": emu.credentials["static_token"]}, timeout=10)


def test_start_options_retry_after_and_burst():
    with start_emulator(rate_limit=2, rate_limit_burst=4, rate_limit_retry_after=1, tasks=5) as emu:
        responses = [get(emu) for _attempt in range(6)]
        assert [r.status_code for r in responses] == [200] * 4 + [429] * 2
        assert responses[4].json() == THROTTLED and responses[4].headers["Retry-After"] == "1"
        quota = emu.admin("GET", "quota")
        assert quota == {"rate": 2, "burst": 4, "retry_after": 1, "enabled": True, "accepted": 4, "throttled": 2}


def test_without_retry_after_no_header():
    with start_emulator(rate_limit=1, tasks=5) as emu:
        assert get(emu).status_code == 200
        throttled = get(emu)
        assert throttled.status_code == 429 and "Retry-After" not in throttled.headers


def test_live_quota_refills_and_refusals_do_not_consume(emulator, api):
    assert emulator.admin("GET", "quota")["enabled"] is False
    settings = emulator.admin("POST", "quota", {"rate": 4, "burst": 2, "retry_after": 0.5})
    assert settings == {"rate": 4, "burst": 2, "retry_after": 0.5, "enabled": True, "accepted": 0, "throttled": 0}
    codes = [api(BATCH).status_code for _attempt in range(4)]
    assert codes[:2] == [200, 200] and 429 in codes[2:]
    assert api(BATCH).headers.get("Retry-After") in ("0.5", None)
    time.sleep(0.3)  # a quarter second refills one token, however many were refused meanwhile
    assert api(BATCH).status_code == 200


def test_at_most_rate_per_second_on_average(emulator, api):
    emulator.admin("POST", "quota", {"rate": 10, "burst": 1})
    start = time.monotonic()
    accepted = 0
    while time.monotonic() - start < 1.5:
        accepted += api(BATCH).status_code == 200
    elapsed = time.monotonic() - start
    assert 5 <= accepted <= 10 * elapsed + 1
    assert emulator.admin("GET", "quota")["accepted"] == accepted


def test_off_admin_and_iam_are_never_throttled(emulator, api):
    emulator.admin("POST", "quota", {"rate": 1})
    assert api(BATCH).status_code == 200 and api(BATCH).status_code == 429
    assert emulator.admin("GET", "health") == {"ok": True}
    assert requests.post(emulator.url + "/v3/auth/tokens", json={}, timeout=10).status_code == 400
    for off in ({"rate": 0}, {"rate": None}, {}):
        assert emulator.admin("POST", "quota", off)["enabled"] is False
        assert [api(BATCH).status_code for _attempt in range(3)] == [200] * 3


def test_reset_restores_the_start_up_quota(emulator, api):
    emulator.admin("POST", "quota", {"rate": 1})
    emulator.reset()
    assert emulator.admin("GET", "quota")["enabled"] is False
    assert [api(BATCH).status_code for _attempt in range(3)] == [200] * 3


@pytest.mark.parametrize("body, where", [({"rate": -1}, "rate"), ({"rate": "fast"}, "rate"),
                                         ({"rate": 5, "burst": 0}, "burst"), ({"rate": 5, "burst": 1.5}, "burst"),
                                         ({"rate": 5, "retry_after": -1}, "retry_after"),
                                         ({"limit": 5}, "unknown key"), ([5], "must be an object")])
def test_bad_quota_settings_are_refused(emulator, body, where):
    response = requests.post(emulator.url + "/_emulator/quota", json=body, timeout=10)
    assert response.status_code == 400 and where in response.json()["error"]
    assert emulator.admin("GET", "quota")["enabled"] is False


def test_command_line_quota_options(tmp_path):
    port_file = tmp_path / "url"
    proc = subprocess.Popen([sys.executable, "-m", "hwcloud_emulator", "--port-file", str(port_file), "--tasks", "3",
                             "--rate-limit", "1", "--rate-limit-retry-after", "2", "--rate-limit-burst", "2"],
                            env={**os.environ, "PYTHONPATH": EMULATOR_DIR}, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while not port_file.exists():
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        url = port_file.read_text()
        data = requests.get(url + "/_emulator/data", timeout=10).json()
        path = f"{url}/v2/{data['project_id']}/batch-tasks"
        headers = {"X-Auth-Token": data["credentials"]["static_token"]}
        responses = [requests.get(path, headers=headers, timeout=10) for _attempt in range(3)]
        assert [r.status_code for r in responses] == [200, 200, 429]
        assert responses[2].headers["Retry-After"] == "2"
        assert requests.get(url + "/_emulator/quota", timeout=10).json()["burst"] == 2
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
