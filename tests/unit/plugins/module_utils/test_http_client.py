# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HttpClient against the loopback emulator: retries, backoff, Retry-After, errors, TLS, scrubbing."""

from __future__ import annotations

import email.utils
import re
import time
import warnings

import pytest

from ansible_collections.hwcloud.tasks.plugins.module_utils import retry_policy
from ansible_collections.hwcloud.tasks.plugins.module_utils.auth import PasswordAuth, StaticTokenAuth
from ansible_collections.hwcloud.tasks.plugins.module_utils.http_client import (
    MASK,
    ApiError,
    HttpClient,
    retry_after_seconds,
    vendor_error,
)

HILENS = "/v3/{project}/ai-mgr/deployments/dep-small/tasks"
VIAS_TASK = "/v2/{project}/tasks/{task_id}"
REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")


def token_client(emulator, **kwargs):
    token = emulator.credentials["static_token"]
    kwargs.setdefault("timeout", 5)
    kwargs.setdefault("retries", 3)
    return HttpClient(auth=StaticTokenAuth(token), secrets=[token], **kwargs)


def password_client(emulator, **kwargs):
    creds = emulator.credentials
    auth = PasswordAuth(emulator.url, creds["user_name"], creds["password"], creds["domain_name"], creds["project_id"])
    kwargs.setdefault("timeout", 5)
    kwargs.setdefault("retries", 3)
    return HttpClient(auth=auth, secrets=[creds["password"]], **kwargs)


def assert_dep_small_page(document):
    assert document["count"] == 3
    assert len(document["tasks"]) == 3


# --- transient faults are retried, then the real answer comes back -------------------------------

TRANSIENT_FAULTS = [
    pytest.param({"kind": "status", "status": 429}, id="429-without-retry-after"),
    pytest.param({"kind": "status", "status": 500}, id="500"),
    pytest.param({"kind": "status", "status": 502}, id="502"),
    pytest.param({"kind": "status", "status": 503}, id="503"),
    pytest.param({"kind": "status", "status": 504}, id="504"),
    pytest.param({"kind": "reset"}, id="connection-reset"),
    pytest.param({"kind": "truncated"}, id="truncated-json-body"),
    pytest.param({"kind": "truncated", "abort": True}, id="truncated-connection-dropped"),
    pytest.param({"kind": "html"}, id="html-page-with-200"),
    pytest.param({"kind": "html", "status": 502}, id="html-page-with-502"),
    pytest.param({"kind": "empty"}, id="empty-body"),
    pytest.param({"kind": "content_type"}, id="wrong-content-type"),
    pytest.param({"kind": "wrong_shape", "shape": "deep", "bytes": 60000}, id="json-nested-too-deep"),
]


@pytest.mark.parametrize("fault", TRANSIENT_FAULTS)
def test_transient_fault_twice_is_retried_then_succeeds_and_is_counted(emulator, api_url, faults, emu_stats, fast_backoff, fault):
    faults(dict(fault, match="/ai-mgr/deployments/", times=2))
    client = token_client(emulator)

    document, response = client.request("GET", api_url(HILENS))

    assert response.status_code == 200
    assert_dep_small_page(document)
    assert emu_stats()["api_requests"] == 3
    assert client.stats["requests"] == 3
    assert client.stats["retries"] == 2
    assert client.stats["throttled"] == (2 if fault.get("status") == 429 else 0)


def test_retried_throttle_shows_in_emulator_stats_by_status(emulator, api_url, faults, emu_stats, fast_backoff):
    faults({"kind": "status", "status": 429, "times": 3})
    client = token_client(emulator)

    client.get_json(api_url(HILENS))

    assert emu_stats()["by_status"] == {"429": 3, "200": 1}
    assert client.stats == {"requests": 4, "retries": 3, "throttled": 3}


# --- persistent faults end in one ApiError describing the last attempt ----------------------------

PERSISTENT_STATUSES = [
    (429, "APIGW.0308"),
    (500, "HiLens.10500"),
    (502, "APIG.0202"),
    (503, "HiLens.10503"),
    (504, "APIG.0201"),
]


@pytest.mark.parametrize("status, code", [case for case in PERSISTENT_STATUSES if case[0] != 429])
def test_persistent_retryable_status_fails_with_status_code_request_id_and_attempts(
    emulator, api_url, faults, emu_stats, fast_backoff, status, code
):
    faults({"kind": "status", "status": status, "times": None})
    client = token_client(emulator, retries=2)

    with pytest.raises(ApiError) as caught:
        client.get_json(api_url(HILENS), params={"offset": 0, "limit": 100})

    error = caught.value
    assert error.status == status
    assert error.error_code == code
    assert REQUEST_ID.match(error.request_id)
    assert error.attempts == 3
    assert error.method == "GET"
    assert error.url == api_url(HILENS)  # no query string
    assert emu_stats()["api_requests"] == 3
    text = str(error)
    assert "HTTP %d %s" % (status, code) in text
    assert "after 3 attempts" in text
    assert "(request id %s)" % error.request_id in text
    assert error.to_result() == {
        "status": status,
        "error_code": code,
        "request_id": error.request_id,
        "url": api_url(HILENS),
        "attempts": 3,
    }


@pytest.mark.parametrize(
    "fault, words",
    [
        pytest.param({"kind": "reset"}, "connection failed", id="reset"),
        pytest.param({"kind": "html"}, "'text/html", id="html"),
        pytest.param({"kind": "empty"}, "empty body", id="empty"),
        pytest.param({"kind": "content_type"}, "'text/plain", id="content-type"),
        pytest.param({"kind": "truncated"}, "invalid JSON", id="truncated"),
        pytest.param({"kind": "wrong_shape", "shape": "deep", "bytes": 60000}, "nested too deeply", id="deep-json"),
    ],
)
def test_persistent_body_or_connection_fault_fails_after_all_attempts_naming_the_problem(
    emulator, api_url, faults, emu_stats, fast_backoff, fault, words
):
    faults(dict(fault, times=None))
    client = token_client(emulator, retries=2)

    with pytest.raises(ApiError) as caught:
        client.get_json(api_url(HILENS))

    assert words in caught.value.message
    assert caught.value.attempts == 3
    assert client.stats["requests"] == 3
    assert client.stats["retries"] == 2
    assert emu_stats()["api_requests"] == 3


def test_html_error_page_excerpt_is_quoted_in_the_message(emulator, api_url, faults, fast_backoff):
    faults({"kind": "html", "times": None})
    client = token_client(emulator, retries=0)

    with pytest.raises(ApiError) as caught:
        client.get_json(api_url(HILENS))

    assert caught.value.status == 200
    assert "502 Bad Gateway" in caught.value.message
    assert caught.value.attempts == 1


def test_retries_zero_sends_exactly_one_request(emulator, api_url, faults, emu_stats):
    faults({"kind": "status", "status": 503, "times": None})
    client = token_client(emulator, retries=0)

    with pytest.raises(ApiError) as caught:
        client.get_json(api_url(HILENS))

    assert caught.value.attempts == 1
    assert "after" not in str(caught.value)
    assert emu_stats()["api_requests"] == 1


# --- client errors are never retried -------------------------------------------------------------

def test_400_bad_parameter_is_not_retried(emulator, api_url, emu_stats, fast_backoff):
    client = token_client(emulator)

    with pytest.raises(ApiError) as caught:
        client.get_json(api_url(HILENS), params={"limit": 1000})

    assert caught.value.status == 400
    assert caught.value.error_code == "HiLens.10400"
    assert caught.value.attempts == 1
    assert emu_stats()["api_requests"] == 1
    assert client.stats == {"requests": 1, "retries": 0, "throttled": 0}


def test_401_bad_static_token_is_not_retried(emulator, api_url, emu_stats, fast_backoff):
    client = HttpClient(auth=StaticTokenAuth("not-a-token"), timeout=5, retries=3)

    with pytest.raises(ApiError) as caught:
        client.get_json(api_url(HILENS))

    assert caught.value.status == 401
    assert caught.value.error_code == "APIG.0301"
    assert caught.value.attempts == 1
    assert emu_stats()["api_requests"] == 1
    assert emu_stats()["iam_token_requests"] == 0


def test_403_foreign_project_is_not_retried(emulator, api_url, emu_stats, fast_backoff):
    client = token_client(emulator)

    with pytest.raises(ApiError) as caught:
        client.get_json(api_url(HILENS, project=emulator.credentials["foreign_project_id"]))

    assert caught.value.status == 403
    assert caught.value.error_code == "APIG.0302"
    assert caught.value.attempts == 1
    assert emu_stats()["api_requests"] == 1


def test_404_unknown_resource_is_not_retried_and_keeps_the_vendor_message(emulator, api_url, emu_stats, fast_backoff):
    client = token_client(emulator)

    with pytest.raises(ApiError) as caught:
        client.get_json(api_url(VIAS_TASK.replace("{task_id}", "no-such-task")))

    error = caught.value
    assert error.status == 404
    assert error.error_code == "VIAS.10404"
    # VIAS repeats the message in detail/reason (dropped) and adds advice (kept).
    assert error.message == "HTTP 404 VIAS.10404: The task does not exist. (Check the request and try again.)"
    assert error.attempts == 1
    assert emu_stats()["api_requests"] == 1


@pytest.mark.parametrize("status", [401, 403, 404])
def test_injected_client_error_status_is_not_retried(emulator, api_url, faults, emu_stats, fast_backoff, status):
    faults({"kind": "status", "status": status, "times": None})
    client = token_client(emulator)

    with pytest.raises(ApiError) as caught:
        client.get_json(api_url(HILENS))

    assert caught.value.status == status
    assert caught.value.attempts == 1
    assert emu_stats()["api_requests"] == 1


# --- how long it waits -----------------------------------------------------------------------------

@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_seconds_header_is_waited_for(emulator, api_url, faults, fast_backoff, status):
    faults({"kind": "status", "status": status, "retry_after": 1, "times": 1})
    client = token_client(emulator)

    started = time.monotonic()
    assert_dep_small_page(client.get_json(api_url(HILENS)))
    elapsed = time.monotonic() - started

    assert elapsed >= 0.9
    assert client.stats["retries"] == 1


def test_retry_after_http_date_header_is_waited_for(emulator, api_url, faults, fast_backoff):
    faults({"kind": "status", "status": 503, "retry_after": email.utils.formatdate(time.time() + 2, usegmt=True), "times": 1})
    client = token_client(emulator)

    started = time.monotonic()
    assert_dep_small_page(client.get_json(api_url(HILENS)))

    assert time.monotonic() - started >= 0.9


@pytest.mark.parametrize("value", ["nan", "NaN", "-inf"])
def test_unusable_retry_after_header_falls_back_to_backoff_and_retries(emulator, api_url, faults, fast_backoff, value):
    faults({"kind": "status", "status": 503, "retry_after": value, "times": 1})
    client = token_client(emulator)

    assert_dep_small_page(client.get_json(api_url(HILENS)))
    assert client.stats["retries"] == 1


def test_throttle_without_retry_after_waits_the_throttle_delay(emulator, api_url, faults, monkeypatch):
    monkeypatch.setattr(retry_policy, "THROTTLE_DELAY", (0.4, 0.4))
    monkeypatch.setattr(retry_policy, "BACKOFF_BASE", 0.0)
    faults({"kind": "status", "status": 429, "times": 1})
    client = token_client(emulator)

    started = time.monotonic()
    client.get_json(api_url(HILENS))

    assert time.monotonic() - started >= 0.35
    assert client.stats["throttled"] == 1


def test_server_error_backoff_grows_with_the_attempt(emulator, api_url, faults, monkeypatch):
    monkeypatch.setattr(retry_policy, "BACKOFF_BASE", 0.2)
    faults({"kind": "status", "status": 500, "times": 3})
    client = token_client(emulator)

    started = time.monotonic()
    client.get_json(api_url(HILENS))

    # At least half of each ceiling: 0.1 + 0.2 + 0.4 seconds.
    assert time.monotonic() - started >= 0.65
    assert client.stats["retries"] == 3


def test_connection_reset_backoff_grows_with_the_attempt(emulator, api_url, faults, monkeypatch):
    # The documented "jittered exponential backoff" applies to connection failures too.
    monkeypatch.setattr(retry_policy, "BACKOFF_BASE", 0.2)
    faults({"kind": "reset", "times": 4})
    client = token_client(emulator, retries=4)

    started = time.monotonic()
    client.get_json(api_url(HILENS))

    # At least half of each ceiling: 0.1 + 0.2 + 0.4 + 0.8 seconds (a flat first-attempt delay gives at most 0.8).
    assert time.monotonic() - started >= 1.4
    assert client.stats["retries"] == 4


@pytest.mark.parametrize(
    "value, seconds",
    [("3", 3.0), ("0.5", 0.5), ("86400", 86400.0), ("-4", 0.0), ("", None), (None, None), ("soon", None), ("1e400", None)],
)
def test_retry_after_seconds_parses_delta_seconds_uncapped_the_deadline_decides(value, seconds):
    assert retry_after_seconds(value) == seconds


def test_retry_after_seconds_parses_http_dates_past_and_future():
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    future = retry_after_seconds(email.utils.formatdate(time.time() + 30, usegmt=True))
    assert 28 <= future <= 30


def test_backoff_delay_is_between_half_and_all_of_the_capped_ceiling(monkeypatch):
    monkeypatch.setattr(retry_policy, "BACKOFF_BASE", 1.0)
    monkeypatch.setattr(retry_policy, "BACKOFF_CAP", 8.0)
    for attempt, ceiling in ((1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (10, 8.0)):
        for _sample in range(20):
            assert ceiling / 2 <= retry_policy.backoff_delay(attempt) <= ceiling


# --- timeouts ----------------------------------------------------------------------------------------

def wait_for_api_requests(stats, count, limit=5.0):
    """The emulator counts a hung request when its handler ends; wait for that so the next test starts clean."""
    deadline = time.monotonic() + limit
    while stats()["api_requests"] < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return stats()["api_requests"]


def test_hang_past_timeout_is_retried_then_succeeds(emulator, api_url, faults, emu_stats, fast_backoff):
    faults({"kind": "hang", "seconds": 1, "times": 1})
    client = token_client(emulator, timeout=0.3)

    assert_dep_small_page(client.get_json(api_url(HILENS)))
    assert client.stats["retries"] == 1
    assert wait_for_api_requests(emu_stats, 2) == 2


def test_persistent_hang_fails_naming_the_timeout(emulator, api_url, faults, emu_stats, fast_backoff):
    faults({"kind": "hang", "seconds": 1.5, "times": None})
    client = token_client(emulator, timeout=0.3, retries=1)

    started = time.monotonic()
    with pytest.raises(ApiError) as caught:
        client.get_json(api_url(HILENS))
    elapsed = time.monotonic() - started

    assert "no complete answer within timeout=0.3s" in caught.value.message
    assert caught.value.attempts == 2
    assert caught.value.status is None
    assert elapsed < 1.5  # it gave up on the hung answers instead of waiting them out
    assert wait_for_api_requests(emu_stats, 2) == 2


# --- re-authentication -----------------------------------------------------------------------------

def test_password_token_expired_between_calls_is_renewed_once_and_the_call_succeeds(emulator, api_url, emu_stats):
    client = password_client(emulator)
    client.get_json(api_url(HILENS))
    assert emu_stats()["iam_token_requests"] == 1

    emulator.admin("POST", "tokens/expire")
    assert_dep_small_page(client.get_json(api_url(HILENS)))

    stats = emu_stats()
    assert stats["iam_token_requests"] == 2
    assert stats["by_status"] == {"200": 2, "401": 1}


def test_password_token_is_renewed_at_most_once_per_run(emulator, api_url, emu_stats):
    client = password_client(emulator)
    client.get_json(api_url(HILENS))
    emulator.admin("POST", "tokens/expire")
    client.get_json(api_url(HILENS))
    emulator.admin("POST", "tokens/expire")

    with pytest.raises(ApiError) as caught:
        client.get_json(api_url(HILENS))

    assert caught.value.status == 401
    assert emu_stats()["iam_token_requests"] == 2


def test_static_token_expired_is_not_renewed(emulator, api_url, emu_stats):
    client = token_client(emulator)
    client.get_json(api_url(HILENS))
    emulator.admin("POST", "tokens/expire", {"static": True})

    with pytest.raises(ApiError) as caught:
        client.get_json(api_url(HILENS))

    assert caught.value.status == 401
    assert "expired" in caught.value.message
    assert caught.value.attempts == 1
    stats = emu_stats()
    assert stats["api_requests"] == 2
    assert stats["iam_token_requests"] == 0


def test_password_token_is_fetched_once_and_reused(emulator, api_url, emu_stats):
    client = password_client(emulator)
    for _read in range(3):
        client.get_json(api_url(HILENS))

    assert emu_stats()["iam_token_requests"] == 1


# --- secrets never reach a message ------------------------------------------------------------------

def test_echoed_static_token_in_error_body_is_masked(emulator, api_url, faults, fast_backoff):
    token = emulator.credentials["static_token"]
    faults({"kind": "status", "status": 500, "echo_token": True, "times": None})
    client = token_client(emulator, retries=1)

    with pytest.raises(ApiError) as caught:
        client.get_json(api_url(HILENS))

    assert token not in str(caught.value)
    assert token not in caught.value.message
    assert "X-Auth-Token: %s" % MASK in caught.value.message


def test_echoed_iam_token_learnt_at_run_time_is_masked(emulator, api_url, faults):
    faults({"kind": "status", "status": 403, "echo_token": True, "match": "/ai-mgr/"})
    client = password_client(emulator)

    with pytest.raises(ApiError) as caught:
        client.get_json(api_url(HILENS))

    iam_token = client.auth.token
    assert iam_token and iam_token.startswith("MII")
    assert iam_token not in str(caught.value)
    assert "X-Auth-Token: %s" % MASK in caught.value.message


def test_secret_in_a_non_json_body_excerpt_is_masked(emulator, api_url, faults, fast_backoff):
    # The HTML page says "emulated-gateway": treat that text as a secret and it must not be shown.
    faults({"kind": "html", "times": None})
    client = HttpClient(
        auth=StaticTokenAuth(emulator.credentials["static_token"]), timeout=5, retries=0, secrets=["emulated-gateway", ""]
    )

    with pytest.raises(ApiError) as caught:
        client.get_json(api_url(HILENS))

    assert "emulated-gateway" not in caught.value.message
    assert MASK in caught.value.message


def test_scrub_masks_every_secret_given_or_added_and_ignores_empty_ones():
    client = HttpClient(secrets=["s3cr3t", None, ""])
    client.add_secret("tok-123")
    client.add_secret("")
    client.add_secret("tok-123")

    assert sorted(client.secrets) == ["s3cr3t", "tok-123"]
    assert client.scrub("a s3cr3t b tok-123 c s3cr3t") == "a %s b %s c %s" % (MASK, MASK, MASK)
    assert client.scrub(None) == ""


# --- vendor error shapes -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "body, expected",
    [
        ({"error_code": "VIAS.10404", "error_msg": "gone"}, ("VIAS.10404", "gone")),
        ({"errorCode": "Octopus.1", "errorMsg": "bad"}, ("Octopus.1", "bad")),
        ({"code": "APIG.0101", "message": "no api"}, ("APIG.0101", "no api")),
        ({"error": {"code": 401, "message": "wrong password", "title": "Unauthorized"}}, ("401", "wrong password")),
        ({"error_code": "X.1"}, ("X.1", None)),
        ({"error_msg": "only a message"}, (None, "only a message")),
        (
            {"error_code": "VIAS.10400", "error_msg": "m", "detail": "m", "reason": "r", "advice": "r"},
            ("VIAS.10400", "m (r)"),
        ),
        (
            {"error_code": "VIAS.10400", "error_msg": "m", "detail": "d", "reason": "r", "advice": "a"},
            ("VIAS.10400", "m (d; r; a)"),
        ),
        pytest.param({"error_code": "VIAS.10400", "detail": "bad id"}, ("VIAS.10400", "bad id"), id="detail-without-message"),
        ({"tasks": []}, (None, None)),
        ({}, (None, None)),
        ([{"error_code": "X"}], (None, None)),
        ("error", (None, None)),
        (None, (None, None)),
    ],
)
def test_vendor_error_reads_every_gateway_body_shape(body, expected):
    assert vendor_error(body) == expected


def test_iam_error_shape_is_read_from_a_real_iam_answer(emulator):
    client = HttpClient(timeout=5, retries=0)
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "nobody", "password": "x", "domain": {"name": "d"}}}}, "scope": {"project": {"id": "p"}}}}

    with pytest.raises(ApiError) as caught:
        client.request("POST", emulator.url + "/v3/auth/tokens", json_body=body, expected=(201,), authenticate=False)

    assert caught.value.status == 401
    assert caught.value.error_code is None  # IAM's "code" only repeats the status
    assert caught.value.message == "HTTP 401: The username or password is wrong."


def test_unexpected_success_status_is_an_error(emulator):
    creds = emulator.credentials
    client = HttpClient(timeout=5, retries=0)
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": creds["user_name"], "password": creds["password"], "domain": {"name": creds["domain_name"]}}}},
        "scope": {"project": {"id": creds["project_id"]}}}}

    with pytest.raises(ApiError) as caught:
        client.request("POST", emulator.url + "/v3/auth/tokens", json_body=body, expected=(200,), authenticate=False)

    assert caught.value.status == 201
    assert caught.value.attempts == 1


def test_api_error_string_names_method_url_request_id_and_attempts():
    error = ApiError("HTTP 503: down", status=503, request_id="abc", method="GET", url="https://x/y", attempts=5)
    assert str(error) == "GET https://x/y: HTTP 503: down (request id abc) after 5 attempts"
    assert str(ApiError("plain")) == "plain"


# --- TLS -----------------------------------------------------------------------------------------------

@pytest.fixture
def no_ca_env(monkeypatch):
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)


def https_url(server):
    return server.url + HILENS.format(project=server.credentials["project_id"])


def test_tls_default_verification_of_unknown_ca_fails_naming_ca_path(https_emulator, no_ca_env, fast_backoff):
    assert https_emulator.url.startswith("https://")
    client = token_client(https_emulator)

    with pytest.raises(ApiError) as caught:
        client.get_json(https_url(https_emulator))

    assert "TLS verification failed" in caught.value.message
    assert "ca_path" in caught.value.message
    assert "validate_certs" in caught.value.message
    assert caught.value.attempts == 1  # a certificate problem is not retried
    assert https_emulator.admin("GET", "stats")["api_requests"] == 0


def test_tls_with_ca_path_of_the_emulator_ca_succeeds(https_emulator, no_ca_env):
    client = token_client(https_emulator, ca_path=https_emulator.ca_file)

    document = client.get_json(https_url(https_emulator))

    assert document["count"] == 3


def test_tls_with_validate_certs_false_succeeds(https_emulator, no_ca_env):
    client = token_client(https_emulator, validate_certs=False, ca_path="/nonexistent/ca.pem")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        document = client.get_json(https_url(https_emulator))

    assert document["count"] == 3
    assert client.verify is False


def test_tls_ca_path_that_does_not_exist_fails_as_api_error_naming_ca_path(https_emulator, no_ca_env, tmp_path):
    missing = str(tmp_path / "no-such-ca.pem")

    with pytest.raises(ApiError) as caught:  # refused before any request
        token_client(https_emulator, ca_path=missing).get_json(https_url(https_emulator))

    assert "ca_path" in caught.value.message
    assert missing in caught.value.message


def test_tls_ca_path_that_is_not_a_certificate_fails_naming_ca_path(https_emulator, no_ca_env, tmp_path):
    not_a_ca = tmp_path / "ca.pem"
    not_a_ca.write_text("not a certificate\n")
    client = token_client(https_emulator, ca_path=str(not_a_ca))

    with pytest.raises(ApiError) as caught:
        client.get_json(https_url(https_emulator))

    assert "TLS verification failed" in caught.value.message
    assert "ca_path" in caught.value.message
    assert caught.value.attempts == 1


def test_tls_password_auth_with_ca_path_gets_its_token_over_https(https_emulator, no_ca_env):
    creds = https_emulator.credentials
    auth = PasswordAuth(https_emulator.url, creds["user_name"], creds["password"], creds["domain_name"], creds["project_id"])
    client = HttpClient(auth=auth, ca_path=https_emulator.ca_file, timeout=5)

    assert client.get_json(https_url(https_emulator))["count"] == 3
    assert https_emulator.admin("GET", "stats")["iam_token_requests"] == 1


def test_connection_refused_is_retried_then_reported(fast_backoff):
    client = HttpClient(timeout=2, retries=1)

    with pytest.raises(ApiError) as caught:
        client.get_json("http://127.0.0.1:9/nothing")  # the discard port: nothing listens

    assert caught.value.message.startswith("connection failed")
    assert caught.value.attempts == 2
