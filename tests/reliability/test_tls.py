# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TLS against an HTTPS emulator whose certificate a throw-away CA signed (trustme): verified by
default, trusted through ``ca_path``, and ``validate_certs: false`` only with a warning.

One ansible-playbook run; each call is one localhost alias of its own.
"""

from __future__ import annotations

import pytest

from reliability_support import connection, no_traceback, run_hosts
from hwcloud_emulator import start_emulator


@pytest.fixture(scope="module")
def tls_runs(ansible_env, tmp_path_factory):
    with start_emulator(https=True, tasks=20) as emulator:
        task_id = emulator.data["vias_task_ids"][0]
        hosts = {
            "default_checks": {"connection": connection(emulator, auth="token"), "calls": {"call": {"task_id": task_id}}},
            "with_ca_path": {"connection": connection(emulator, auth="token", ca_path=emulator.ca_file), "calls": {"call": {"task_id": task_id}}},
            "password_with_ca_path": {
                "connection": connection(emulator, auth="password", ca_path=emulator.ca_file),
                "calls": {"call": {"task_id": task_id}},
            },
            "unverified": {"connection": connection(emulator, auth="token", validate_certs=False), "calls": {"call": {"task_id": task_id}}},
        }
        _run, results = run_hosts(ansible_env, hosts, [("call", "vias_task_info")], tmp_path_factory.mktemp("tls"))
        yield dict((host, (host_run, host_run["call"])) for host, host_run in results.items()), emulator.admin("GET", "stats")


def test_an_unknown_ca_fails_by_default_with_a_message_naming_ca_path(tls_runs):
    runs, _stats = tls_runs
    run, result = runs["default_checks"]
    assert result.get("failed") is True, run.describe("call")
    assert not no_traceback(run, result), run.describe("call")
    assert "TLS verification failed" in result["msg"] and "ca_path" in result["msg"], run.describe("call")
    assert result.get("attempts") == 1, "a certificate error is not worth a retry\n" + run.describe("call")


def test_ca_path_naming_the_test_ca_succeeds(tls_runs):
    runs, _stats = tls_runs
    for host in ("with_ca_path", "password_with_ca_path"):
        run, result = runs[host]
        assert not result.get("failed"), run.describe("call")
        assert result["task"]["phase"], run.describe("call")
        assert not result.get("warnings"), run.describe("call")


def test_validate_certs_false_succeeds_with_a_warning(tls_runs):
    runs, _stats = tls_runs
    run, result = runs["unverified"]
    assert not result.get("failed"), run.describe("call")
    warnings = [str(warning) for warning in result.get("warnings") or []]
    assert any("validate_certs" in warning for warning in warnings), "no warning about validate_certs\n" + run.describe("call")
