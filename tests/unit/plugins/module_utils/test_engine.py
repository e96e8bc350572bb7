# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The engine against a hostile server: every call of a real module declaration, validated as a front-end
validates it, over real HTTP to the emulator, whose faults lie, drip, bomb, redirect and answer for another task."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.hwcloud.tasks.plugins.module_utils import http_client
from ansible_collections.hwcloud.tasks.plugins.module_utils.engine import CallFailed, run_call, secrets_in_options
from ansible_collections.hwcloud.tasks.plugins.modules import hilens_task_info, vias_task_info


def call(declaration, emulator, **args):
    """Validate ``args`` (plus the emulator's address and AK/SK) as the in-process front-end does, then run the call."""
    creds = emulator.credentials
    options = dict(endpoint=emulator.url, project_id=creds["project_id"], access_key=creds["access_key"],
                   secret_key=creds["secret_key"], retries=1)
    options.update(args)
    validation = ArgumentSpecValidator(declaration.argument_spec(), **declaration.rules()).validate(options)
    assert not validation.error_messages, validation.error_messages
    return run_call(declaration, validation.validated_parameters)


def failure(declaration, emulator, **args):
    with pytest.raises(CallFailed) as caught:
        call(declaration, emulator, **args)
    assert "Traceback" not in caught.value.message
    return caught.value


def all_running(emulator, deployment="dep-small"):
    emulator.admin("POST", "schedule", {"service": "hilens", "deployment_id": deployment, "steps": [{"after": 0, "state": "RUNNING"}]})


# -- no false green -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", [
    {"kind": "short_page", "keep": 1},
    {"kind": "lying_total", "delta": 200},
], ids=["short-page", "lying-total"])
def test_a_wait_on_a_list_that_does_not_add_up_ends_incomplete_never_reached(emulator, faults, fault):
    all_running(emulator)
    faults(dict(fault, match="/deployments/dep-small/", times=None))
    failed = failure(hilens_task_info.DECLARATION, emulator, deployment_id="dep-small", wait_for=["running"], wait_timeout=6, wait_sleep=1)
    wait = failed.result["wait"]
    assert wait["succeeded"] is False and wait["reason"] == "incomplete"
    assert wait["polls"] == wait["failed_polls"] >= 1  # each poll read it three times (the reader's re-reads)
    assert failed.result["complete"] is False
    assert "an incomplete list gives no verdict" in failed.message and "wait_timeout=6 s" in failed.message


def closed_port():
    """A loopback port nothing listens on: every connection to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_wait_whose_first_read_gets_no_answer_fails_after_that_reads_retries_not_at_its_timeout(emulator, fast_backoff):
    endpoint = "http://127.0.0.1:%d" % closed_port()
    failed = failure(hilens_task_info.DECLARATION, emulator, endpoint=endpoint, deployment_id="dep-small", wait_for=["running"],
                     wait_timeout=600, wait_sleep=5, retries=2)
    wait = failed.result["wait"]
    assert (wait["reason"], wait["polls"], wait["failed_polls"]) == ("unreachable", 1, 1)
    assert failed.result["api_calls"]["requests"] == 3  # the first read and its two retries, then no other poll
    assert failed.message.startswith("no answer from the service to the first read of the HiLens tasks, so nothing was checked: ")
    assert "Connection refused after 3 attempts" in failed.message
    assert "WatchedHTTPConnection" not in failed.message and "object at 0x" not in failed.message


def test_a_first_read_whose_answer_began_but_dripped_past_the_timeout_is_polled_again_not_unreachable(emulator, faults):
    asked = emulator.data["vias_task_ids_by_state"]["RUNNING"][0]
    # The status line and headers come at once, then the body a byte every half second: the server did answer.
    faults({"kind": "drip", "match": "/tasks/" + asked, "interval_ms": 500, "times": 1})
    result, _secrets, _warnings = call(vias_task_info.DECLARATION, emulator, task_id=asked, wait_for=["running"], wait_timeout=30,
                                       wait_sleep=1, timeout=2, retries=0)
    assert result["wait"]["reason"] == "reached"
    assert result["wait"]["failed_polls"] == 1 and "no complete answer within timeout=2s" in result["wait"]["last_poll_error"]


def test_the_same_wait_without_the_lie_is_reached(emulator):
    all_running(emulator)
    result, _secrets, _warnings = call(hilens_task_info.DECLARATION, emulator, deployment_id="dep-small", wait_for=["running"], wait_timeout=5)
    assert result["wait"]["reason"] == "reached" and result["complete"] is True


def test_items_of_another_page_make_a_gather_incomplete(emulator, faults):
    faults({"kind": "foreign_page", "match": "/deployments/dep-large/", "query": {"offset": "99"}, "times": None})
    result, _secrets, warnings = call(hilens_task_info.DECLARATION, emulator, deployment_id="dep-large", return_items=False)
    # A plain read is returned, but flagged: never a partial list presented as complete.
    assert result["complete"] is False
    assert "the list moved while it was being read, on each of 3 reads: the page at record 99 began with" in result["incomplete_reason"]
    assert any("not a complete list" in warning for warning in warnings)


def test_a_plain_read_of_a_list_that_moved_once_is_read_again_and_says_so(emulator, faults):
    faults({"kind": "mutate_list", "n": 2, "match": "/deployments/dep-large/", "after": 1, "times": 1})
    result, _secrets, warnings = call(hilens_task_info.DECLARATION, emulator, deployment_id="dep-large", return_items=False)
    assert result["complete"] is True
    assert any(warning.startswith("The first read of the list was not consistent (the list") and "read 2 times in all" in warning
               for warning in warnings)


def test_an_answer_for_another_task_is_refused_never_taken_for_the_one_asked(emulator, faults):
    asked = emulator.data["vias_task_ids"][0]
    faults({"kind": "foreign_id", "match": "/tasks/" + asked, "times": None})
    failed = failure(vias_task_info.DECLARATION, emulator, task_id=asked)
    assert "asked for VIAS task %s, the service answered with VIAS task " % asked in failed.message
    assert "never taken for the task asked for" in failed.message


def test_a_wait_counts_another_tasks_answer_as_a_failed_poll_and_recovers(emulator, faults):
    asked = emulator.data["vias_task_ids_by_state"]["RUNNING"][0]
    faults({"kind": "foreign_id", "match": "/tasks/" + asked, "times": 1})
    result, _secrets, _warnings = call(vias_task_info.DECLARATION, emulator, task_id=asked, wait_for=["running"], wait_timeout=10, wait_sleep=1)
    assert result["wait"]["reason"] == "reached" and result["wait"]["failed_polls"] == 1
    assert result["task"]["id"] == asked


def test_a_retry_after_of_a_day_inside_a_short_wait_ends_with_the_wait(emulator, faults):
    asked = emulator.data["vias_task_ids_by_state"]["PENDING"][0]
    faults({"kind": "status", "status": 429, "retry_after": 86400, "match": "/tasks/" + asked, "times": None})
    started = time.monotonic()
    failed = failure(vias_task_info.DECLARATION, emulator, task_id=asked, wait_for=["running"], wait_timeout=3, wait_sleep=1)
    elapsed = time.monotonic() - started
    assert failed.result["wait"]["reason"] == "timeout"
    assert "the server asked to wait 86400 s before trying again (Retry-After)" in failed.message
    assert elapsed < 3 + 1  # the wait's own bound, not a speed figure: a day's sleep would never return
    assert failed.result["api_calls"]["throttled"] >= 1


# -- bounded against a hostile server -----------------------------------------------------------------


def test_a_gzip_bomb_stops_at_the_size_cap_and_names_the_option(emulator, faults):
    faults({"kind": "gzip_bomb", "match": "/deployments/dep-small/", "expanded_bytes": 2 ** 30, "times": None})
    failed = failure(hilens_task_info.DECLARATION, emulator, deployment_id="dep-small", max_response_size="8M")
    assert "larger than max_response_size=8388608 bytes" in failed.message
    assert failed.result["api_calls"]["requests"] == 1  # no retry will make it smaller


def test_a_gzip_bomb_costs_little_memory(emulator, faults):
    """The client in a process of its own, reading a 1 GiB bomb: its peak memory stays far below the bomb."""
    faults({"kind": "gzip_bomb", "match": "/deployments/dep-small/", "expanded_bytes": 2 ** 30, "times": None})
    url = emulator.url + "/v3/%s/ai-mgr/deployments/dep-small/tasks" % emulator.credentials["project_id"]
    script = (
        "import sys\n"
        "from ansible_collections.hwcloud.tasks.plugins.module_utils.http_client import ApiError, HttpClient\n"
        "from ansible_collections.hwcloud.tasks.plugins.module_utils.auth import StaticTokenAuth\n"
        "client = HttpClient(auth=StaticTokenAuth(sys.argv[2]), retries=0)\n"
        "try:\n    client.get_json(sys.argv[1])\nexcept ApiError as exc:\n    print(exc.category)\n"
        # VmHWM: this process's own peak (ru_maxrss would also count the forked test runner's size).
        "print([int(line.split()[1]) // 1024 for line in open('/proc/self/status') if line.startswith('VmHWM:')][0])\n"
    )
    done = subprocess.run([sys.executable, "-c", script, url, emulator.credentials["static_token"]], capture_output=True, text=True,
                          timeout=120, check=True, env={"PYTHONPATH": ":".join(sys.path)})
    kind, peak_mib = done.stdout.split()
    assert kind == "too_large"
    assert int(peak_mib) < 250, "a 1 GiB bomb cost %s MiB" % peak_mib


def test_an_oversized_body_is_refused_without_being_read_whole(emulator, faults):
    faults({"kind": "oversize", "match": "/deployments/dep-small/", "bytes": 200_000_000, "times": None})
    failed = failure(hilens_task_info.DECLARATION, emulator, deployment_id="dep-small", max_response_size="1M")
    assert "larger than max_response_size=1048576 bytes" in failed.message


@pytest.mark.parametrize("headers", [False, True], ids=["body", "headers-and-body"])
def test_timeout_bounds_the_whole_request_even_against_a_drip(emulator, faults, headers):
    faults({"kind": "drip", "match": "/deployments/dep-small/", "bytes": 1, "interval_ms": 200, "headers": headers, "times": None})
    started = time.monotonic()
    failed = failure(hilens_task_info.DECLARATION, emulator, deployment_id="dep-small", timeout=1, retries=0)
    elapsed = time.monotonic() - started
    assert "no complete answer within timeout=1s" in failed.message
    assert elapsed < 1 + 2  # the attempt is cut at its deadline; a drip of a whole page would take minutes


def test_a_total_of_hundreds_of_digits_is_refused_by_name(emulator, faults):
    faults({"kind": "lying_total", "match": "/deployments/dep-small/", "value": 10 ** 400, "times": None})
    failed = failure(hilens_task_info.DECLARATION, emulator, deployment_id="dep-small")
    assert "no usable total at count (got a 401-digit number" in failed.message


@pytest.mark.parametrize("mode, extra", [
    ("warn", {"fields": ["name"]}),
    ("off", {"wait_for": ["running"], "wait_timeout": 1}),
    ("off", {"summary": True}),
], ids=["warn-fields", "off-wait", "off-summary"])
def test_items_that_are_not_objects_fail_by_position(emulator, faults, mode, extra):
    faults({"kind": "not_objects", "match": "/deployments/dep-small/", "times": None})
    failed = failure(hilens_task_info.DECLARATION, emulator, deployment_id="dep-small", schema_validation=mode, **extra)
    assert "holds a str, not an object, at tasks[0]" in failed.message or "holds a str, not an object, at tasks[0]" in json.dumps(failed.result)


def test_a_redirect_is_refused_and_its_credentials_never_shown(emulator, faults):
    faults({"kind": "redirect", "match": "/deployments/dep-small/", "location": "http://user:S3cret-In-Url@127.0.0.2:1/x", "times": None})
    failed = failure(hilens_task_info.DECLARATION, emulator, deployment_id="dep-small")
    assert "HTTP 302: the server redirects to http://127.0.0.2:1/x; redirects are not followed" in failed.message
    assert "S3cret-In-Url" not in failed.message and "user:" not in failed.message
    assert failed.result["api_calls"]["requests"] == 1


# -- secrets ---------------------------------------------------------------------------------------


def test_an_endpoint_with_credentials_is_refused_without_repeating_them(emulator):
    endpoint = emulator.url.replace("://", "://deployer:Pa55-word@")
    failed = failure(hilens_task_info.DECLARATION, emulator, deployment_id="dep-small", endpoint=endpoint)
    assert "endpoint must not carry a user name or password" in failed.message
    assert "Pa55-word" not in failed.message and "deployer" not in failed.message
    assert failed.result["api_calls"]["requests"] == 0
    assert {"Pa55-word", endpoint} <= set(secrets_in_options({"endpoint": endpoint}))


def test_a_password_echoed_json_escaped_by_iam_is_masked(emulator, faults):
    password = 'p"4\\ss-é'
    creds = emulator.credentials
    escaped = json.dumps(password)[1:-1]
    faults({"kind": "status", "status": 401, "match": "/v3/auth/tokens", "times": None,
            "body": {"error": {"code": 401, "message": "The password %s is wrong (%s)" % (escaped, json.dumps(password, ensure_ascii=False)[1:-1]),
                               "title": "Unauthorized"}}})
    failed = failure(hilens_task_info.DECLARATION, emulator, deployment_id="dep-small", access_key=None, secret_key=None,
                     user_name=creds["user_name"], password=password, domain_name=creds["domain_name"], iam_endpoint=emulator.url)
    text = failed.message + json.dumps(failed.result)
    for form in http_client.secret_forms(password):
        assert form not in text, form
    assert http_client.MASK in failed.message


# -- errors a person can act on -------------------------------------------------------------------------


def test_a_refused_connection_keeps_its_cause(emulator):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    failed = failure(hilens_task_info.DECLARATION, emulator, deployment_id="dep-small", endpoint="http://127.0.0.1:%d" % port, retries=0)
    assert "connection failed" in failed.message and "Connection refused" in failed.message
    assert "object at 0x" not in failed.message


def test_an_unknown_region_whose_host_does_not_resolve_gets_the_nearest_known_ones(emulator, monkeypatch):
    real = socket.getaddrinfo

    def no_such_host(host, *args, **kwargs):
        if str(host).endswith(".myhuaweicloud.com"):  # the public hosts are out of reach from here: fail as DNS does
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    failed = failure(hilens_task_info.DECLARATION, emulator, deployment_id="dep-small", endpoint=None, region="cn-nort-4", retries=0)
    assert "Name or service not known" in failed.message
    assert "region 'cn-nort-4' is not a known Huawei Cloud region; did you mean cn-north-4" in failed.message
    known = failure(hilens_task_info.DECLARATION, emulator, deployment_id="dep-small", endpoint=None, region="cn-north-4", retries=0)
    assert "is not a known Huawei Cloud region" not in known.message


def test_a_long_cause_loses_its_middle_never_its_end():
    cause = "HTTPSConnectionPool(host='vias.cn-north-4.myhuaweicloud.com', port=443): " + "x" * 400 + " Name or service not known"
    shortened = http_client.shorten_middle(cause, 120)
    assert len(shortened) == 120 and shortened.endswith("Name or service not known") and " ... " in shortened


@pytest.mark.parametrize("value, said", [
    ("1" * 400, "max_response_size must be a number of bytes or a size with a unit, for example 64M"),
    ("lots", "max_response_size must be a number of bytes or a size with a unit, for example 64M"),
    (True, "max_response_size must be a number of bytes or a size with a unit, for example 64M"),
    ("512", "max_response_size must be 1024"),
    ("2G", "max_response_size must be 1024"),
])
def test_a_response_size_that_is_no_size_or_out_of_range_is_refused_by_name(emulator, value, said):
    failed = failure(hilens_task_info.DECLARATION, emulator, deployment_id="dep-small", max_response_size=value)
    assert said in failed.message
    assert failed.result.get("api_calls", {}).get("requests", 0) == 0
