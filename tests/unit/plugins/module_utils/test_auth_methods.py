# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Authentication: select_auth's precedence and messages, IAM passwords and AK/SK signing against the emulator."""

from __future__ import annotations

import threading

import pytest

from ansible_collections.hwcloud.tasks.plugins.module_utils.auth import (
    AkSkAuth,
    AuthError,
    PasswordAuth,
    StaticTokenAuth,
    select_auth,
)
from ansible_collections.hwcloud.tasks.plugins.module_utils.http_client import ApiError, HttpClient

IAM = "https://iam.cn-north-4.myhuaweicloud.com"
PID = "4a1c2b3d4e5f60718293a4b5c6d7e8f9"
HILENS = "/v3/{project}/ai-mgr/deployments/dep-small/tasks"
OCTOPUS = "/v1.0/{project}/data/system-jobs"
VIAS_TASK = "/v2/{project}/tasks/%s"

TOKEN = {"auth_token": "tok"}
AKSK = {"access_key": "AK", "secret_key": "SK"}
PASSWORD = {"user_name": "u", "password": "p", "domain_name": "d"}


def params(*groups, **extra):
    merged = {"project_id": PID}
    for group in groups:
        merged.update(group)
    merged.update(extra)
    return merged


# --- select_auth ---------------------------------------------------------------------------------------

def test_select_auth_token_wins_over_aksk_and_password():
    auth = select_auth(params(TOKEN, AKSK, PASSWORD), IAM)
    assert isinstance(auth, StaticTokenAuth)
    assert auth.method == "token"
    assert auth.token == "tok"


def test_select_auth_aksk_wins_over_password():
    auth = select_auth(params(AKSK, PASSWORD, security_token="st"), IAM)
    assert isinstance(auth, AkSkAuth)
    assert auth.method == "aksk"
    assert (auth.access_key, auth.secret_key, auth.project_id, auth.security_token) == ("AK", "SK", PID, "st")


def test_select_auth_password_when_it_is_the_only_complete_set():
    auth = select_auth(params(PASSWORD), IAM)
    assert isinstance(auth, PasswordAuth)
    assert auth.method == "password"
    assert (auth.iam_endpoint, auth.user_name, auth.password, auth.domain_name, auth.project_id) == (IAM, "u", "p", "d", PID)


def test_select_auth_treats_empty_strings_as_unset():
    auth = select_auth(params(PASSWORD, auth_token="", access_key="", secret_key=None), IAM)
    assert isinstance(auth, PasswordAuth)


@pytest.mark.parametrize(
    "given",
    [
        pytest.param({"access_key": "AK"}, id="access-key-only"),
        pytest.param({"secret_key": "SK"}, id="secret-key-only"),
        pytest.param(dict(PASSWORD, access_key="AK"), id="access-key-only-with-full-password"),
    ],
)
def test_select_auth_half_an_aksk_pair_names_both_keys_and_their_variables(given):
    with pytest.raises(AuthError) as caught:
        select_auth(params(given), IAM)

    message = str(caught.value)
    assert "needs both access_key and secret_key" in message
    assert "HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK" in message
    assert "HW_ACCESS_KEY/HW_SECRET_KEY" in message


@pytest.mark.parametrize(
    "given, missing",
    [
        ({"user_name": "u"}, "missing: password, domain_name"),
        ({"password": "p"}, "missing: user_name, domain_name"),
        ({"user_name": "u", "password": "p"}, "missing: domain_name"),
        ({"password": "p", "domain_name": "d"}, "missing: user_name "),
        ({"user_name": "u", "domain_name": "d"}, "missing: password "),
    ],
)
def test_select_auth_incomplete_password_set_names_what_is_missing(given, missing):
    with pytest.raises(AuthError) as caught:
        select_auth(params(given), IAM)

    message = str(caught.value)
    assert "IAM password authentication needs user_name, password and domain_name" in message
    assert missing in message
    assert "HW_USER_NAME, HW_PASSWORD, HW_DOMAIN_NAME" in message


@pytest.mark.parametrize("given", [{}, {"domain_name": "d"}, {"security_token": "st"}])
def test_select_auth_without_credentials_lists_the_three_ways(given):
    with pytest.raises(AuthError) as caught:
        select_auth(params(given), IAM)

    message = str(caught.value)
    assert message.startswith("No credentials:")
    for option in ("auth_token", "access_key and secret_key", "user_name, password and domain_name"):
        assert option in message


def test_auth_error_is_a_value_error():
    assert issubclass(AuthError, ValueError)


def test_password_token_request_body_is_the_keystone_password_method():
    auth = PasswordAuth(IAM, "u", "p", "d", PID)
    assert auth.token_request_body() == {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": "u", "password": "p", "domain": {"name": "d"}}},
            },
            "scope": {"project": {"id": PID}},
        }
    }


# --- IAM password authentication against the emulator ------------------------------------------------

def password_auth(emulator, **override):
    creds = dict(emulator.credentials, **override)
    return PasswordAuth(emulator.url, creds["user_name"], creds["password"], creds["domain_name"], creds["project_id"])


def test_password_auth_fetches_a_token_from_iam_and_masks_it(emulator, api_url, emu_stats):
    client = HttpClient(auth=password_auth(emulator), timeout=5)

    assert client.get_json(api_url(HILENS))["count"] == 3

    assert client.auth.token.startswith("MII")
    assert client.auth.token in client.secrets
    assert emu_stats()["iam_token_requests"] == 1


def test_password_auth_wrong_password_is_refused_once_with_a_message_naming_user_and_domain(emulator, api_url, emu_stats):
    client = HttpClient(auth=password_auth(emulator, password="wrong-Pa55"), timeout=5, secrets=["wrong-Pa55"])

    with pytest.raises(ApiError) as caught:
        client.get_json(api_url(HILENS))

    error = caught.value
    assert error.status == 401
    assert "IAM refused the password credentials of user 'emu-user' in domain 'emu-domain'" in str(error)
    assert "Check user_name, password and domain_name" in str(error)
    assert "The username or password is wrong." in str(error)
    assert "wrong-Pa55" not in str(error)
    assert error.attempts == 1
    stats = emu_stats()
    assert stats["iam_token_requests"] == 1
    assert stats["api_requests"] == 0


def test_password_auth_project_outside_the_scope_is_refused_with_403(emulator, api_url, emu_stats):
    foreign = emulator.credentials["foreign_project_id"]
    client = HttpClient(auth=password_auth(emulator, project_id=foreign), timeout=5)

    with pytest.raises(ApiError) as caught:
        client.get_json(api_url(HILENS, project=foreign))

    assert caught.value.status == 403
    assert "IAM refused the password credentials" in str(caught.value)
    assert emu_stats()["iam_token_requests"] == 1


def test_password_auth_token_request_is_retried_on_a_server_error(emulator, api_url, faults, emu_stats, fast_backoff):
    faults({"kind": "status", "status": 503, "match": "/v3/auth/tokens", "times": 1})
    client = HttpClient(auth=password_auth(emulator), timeout=5)

    assert client.get_json(api_url(HILENS))["count"] == 3
    assert emu_stats()["iam_token_requests"] == 2


def test_password_token_expired_while_concurrent_requests_are_in_flight_is_renewed_for_all(emulator, api_url, faults, emu_stats):
    """Pages in flight when the token expires all get a 401; each must be sent again with the one new token."""
    client = HttpClient(auth=password_auth(emulator), timeout=10, pool_size=4)
    client.get_json(api_url(HILENS))
    emulator.admin("POST", "tokens/expire")
    faults({"kind": "latency", "ms": 400, "match": "/ai-mgr/", "times": 3})
    barrier = threading.Barrier(3)
    outcomes = []

    def page():
        barrier.wait()
        try:
            outcomes.append(client.get_json(api_url(HILENS))["count"])
        except ApiError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=page) for dummy in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert [str(outcome) for outcome in outcomes if isinstance(outcome, ApiError)] == []
    assert outcomes == [3, 3, 3]
    assert emu_stats()["iam_token_requests"] == 2  # one renewal shared by every page


def test_password_auth_shares_one_token_request_between_concurrent_first_requests(emulator, api_url, emu_stats):
    client = HttpClient(auth=password_auth(emulator), timeout=10, pool_size=8)
    barrier = threading.Barrier(6)
    counts = []

    def page():
        barrier.wait()
        counts.append(client.get_json(api_url(HILENS))["count"])

    threads = [threading.Thread(target=page) for dummy in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert counts == [3] * 6
    assert emu_stats()["iam_token_requests"] == 1


# --- AK/SK signing against the emulator --------------------------------------------------------------

def aksk(emulator, security_token=None, **override):
    creds = dict(emulator.credentials, **override)
    return AkSkAuth(creds["access_key"], creds["secret_key"], creds["project_id"], security_token)


def test_aksk_signed_request_is_accepted(emulator, api_url):
    client = HttpClient(auth=aksk(emulator), timeout=5)

    assert client.get_json(api_url(HILENS), params={"offset": 0, "limit": 100})["count"] == 3


def test_aksk_signed_query_with_spaces_commas_and_repeated_keys_is_accepted(emulator, api_url):
    client = HttpClient(auth=aksk(emulator), timeout=5)

    document = client.get_json(
        api_url(OCTOPUS),
        params=[("sort", "id,asc"), ("workspace_id", "no such ws"), ("statuses", "RUNNING"), ("statuses", "RUN_FAILED"), ("limit", 5)],
    )

    assert document["payload"]["page_info"]["total"] == 0


def test_aksk_signed_path_with_a_percent_encoded_id_reaches_the_route(emulator, api_url):
    client = HttpClient(auth=aksk(emulator), timeout=5)

    with pytest.raises(ApiError) as caught:
        client.get_json(api_url(VIAS_TASK % "no%3Asuch"))

    assert caught.value.status == 404  # signature verified; the task simply does not exist
    assert caught.value.error_code == "VIAS.10404"


def test_aksk_with_security_token_is_accepted(emulator, api_url):
    client = HttpClient(auth=aksk(emulator, security_token=emulator.credentials["security_token"]), timeout=5)

    assert client.get_json(api_url(HILENS))["count"] == 3


def test_aksk_wrong_secret_key_is_refused_once_and_never_retried(emulator, api_url, emu_stats):
    client = HttpClient(auth=aksk(emulator, secret_key="not-the-secret"), timeout=5, retries=3)

    with pytest.raises(ApiError) as caught:
        client.get_json(api_url(HILENS))

    assert caught.value.status == 401
    assert caught.value.error_code == "APIG.0301"
    assert "signature" in caught.value.message
    assert caught.value.attempts == 1
    assert emu_stats()["api_requests"] == 1


def test_aksk_every_retry_is_signed_again_and_accepted(emulator, api_url, faults, emu_stats, fast_backoff):
    faults({"kind": "status", "status": 503, "times": 2})
    client = HttpClient(auth=aksk(emulator), timeout=5)

    assert client.get_json(api_url(HILENS))["count"] == 3
    assert emu_stats()["by_status"] == {"503": 2, "200": 1}


def test_aksk_clock_skew_beyond_15_minutes_is_refused_naming_the_skew(emulator, api_url, emu_stats):
    emulator.admin("POST", "clock", {"skew_seconds": 16 * 60})
    client = HttpClient(auth=aksk(emulator), timeout=5)

    with pytest.raises(ApiError) as caught:
        client.get_json(api_url(HILENS))

    assert caught.value.status == 401
    text = str(caught.value).lower()
    assert "skew" in text or "time" in text or "date" in text
    assert caught.value.attempts == 1
    assert emu_stats()["api_requests"] == 1


def test_aksk_clock_skew_within_15_minutes_is_accepted(emulator, api_url):
    emulator.admin("POST", "clock", {"skew_seconds": -10 * 60})
    client = HttpClient(auth=aksk(emulator), timeout=5)

    assert client.get_json(api_url(HILENS))["count"] == 3


def test_static_token_and_aksk_never_offer_a_renewal():
    assert StaticTokenAuth("t").renew(None, "t") is False
    assert AkSkAuth("AK", "SK", PID).renew(None, None) is False
