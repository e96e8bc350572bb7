# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for the SDK-HMAC-SHA256 signer.

The fixed vectors below were computed independently with the official
Huawei Cloud SDK, huaweicloudsdkcore 3.1.219 (``huaweicloudsdkcore.signer.
signer.Signer`` via ``BasicCredentials(AK, SK, PID)[.with_security_token()]
.sign_request(SdkRequest(...))``), in a throwaway venv, with these inputs:

* AK = "AKTESTEXAMPLE0000001", SK = "SKtestExampleSecretKey0123456789abcdefgh"
* project id (X-Project-Id) = "0123456789abcdef0123456789abcdef"
* X-Sdk-Date preset to "20240102T030405Z" (2024-01-02 03:04:05 UTC)
* path parameters encoded like the SDK client does (``quote(v, safe='')``),
  query parameters given to the SDK as decoded (key, value) tuples.

a) GET https://hilens.cn-north-4.myhuaweicloud.com/v3/{pid}/ai-mgr/tasks,
   headers Content-Type: application/json, User-Agent: hwcloud.tasks/1.0.0
b) GET .../v3/{pid}/jobs with query tuples (job_types, B), (limit, 10),
   (job_types, A), (name, "my job,1"), (desc, "中文 ~x"), (marker, ""),
   (offset, 0); same headers as (a)
c) GET .../v1/{pid}/services/{svc}/tasks/{task_id} with svc = "svc 中~(1)"
   and task_id = "a/b c"; header Content-Type: application/json
d) DELETE https://vias.example.com:8443/v2/{pid}/tasks/t-1, Content-Type:
   application/json, security token "TEMP+token/VALUE=="
e) POST .../v3/{pid}/ai-mgr/tasks, Content-Type: application/json;charset=UTF-8,
   User-Agent as (a), body '{"name": "task 1", "desc": "中文"}' (UTF-8)
f) POST .../v3/{pid}/upload, Content-Type: text/plain, X_Custom_Header: ignored,
   body b"hello" (SDK adds X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD, skips the
   header containing "_")
"""

import re
from datetime import datetime, timedelta, timezone, UTC

import pytest

from ansible_collections.hwcloud.tasks.plugins.module_utils.signer import (
    SIGNING_ALGORITHM,
    canonical_query_string,
    canonical_request,
    canonical_uri,
    sign_request,
    string_to_sign,
)

AK = "AKTESTEXAMPLE0000001"
SK = "SKtestExampleSecretKey0123456789abcdefgh"
PID = "0123456789abcdef0123456789abcdef"
NOW = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
DATE = "20240102T030405Z"
ENDPOINT = "https://hilens.cn-north-4.myhuaweicloud.com"
UA = "hwcloud.tasks/1.0.0"

AUTH_A = ("SDK-HMAC-SHA256 Access=AKTESTEXAMPLE0000001, "
          "SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date, "
          "Signature=99e9c67b3a5e784debffae72d1d34a7ddcdc955828b8631d8803855b80f3e619")
AUTH_B = ("SDK-HMAC-SHA256 Access=AKTESTEXAMPLE0000001, "
          "SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date, "
          "Signature=129e027f870d2e44139a5563390c2f20aa3cb6ac1d68874ad710ad2e1bff186e")
AUTH_C = ("SDK-HMAC-SHA256 Access=AKTESTEXAMPLE0000001, "
          "SignedHeaders=content-type;host;x-project-id;x-sdk-date, "
          "Signature=5d6a0df1c866ee3eea09d3879563a4ad253530537c005f078cafc58998af3725")
AUTH_D = ("SDK-HMAC-SHA256 Access=AKTESTEXAMPLE0000001, "
          "SignedHeaders=content-type;host;x-project-id;x-sdk-date;x-security-token, "
          "Signature=32c91155b6b94c6c823d21a6ada9205fb8faf3a955a9a6f89e108148036de13d")
AUTH_E = ("SDK-HMAC-SHA256 Access=AKTESTEXAMPLE0000001, "
          "SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date, "
          "Signature=0ed2877ab773b768e431d67405778d576f72104623fa6ba1c9c2f340f72e1f5f")
AUTH_F = ("SDK-HMAC-SHA256 Access=AKTESTEXAMPLE0000001, "
          "SignedHeaders=content-type;host;x-project-id;x-sdk-content-sha256;x-sdk-date, "
          "Signature=91eba63156155a33d5af042d954edf52c1eac0c2c7694b3dc974c49ddb835a6a")

JSON_HEADERS = {"Content-Type": "application/json", "User-Agent": UA, "X-Project-Id": PID}
JOBS_PATH = ENDPOINT + "/v3/" + PID + "/jobs"
E_BODY = '{"name": "task 1", "desc": "中文"}'


def _sign(method, url, headers, body=None, **kwargs):
    kwargs.setdefault("now", NOW)
    return sign_request(method, url, headers, body, AK, SK, **kwargs)


def _sig(auth):
    return auth.rsplit("Signature=", 1)[1]


# --------------------------------------------------------------------------
# Fixed vectors from the official SDK
# --------------------------------------------------------------------------

VECTORS = [
    pytest.param("GET", ENDPOINT + "/v3/" + PID + "/ai-mgr/tasks", JSON_HEADERS, None, AUTH_A,
                 id="a-get-no-query"),
    # As a requests-style client sends it: insertion order, '+' for space.
    pytest.param("GET", JOBS_PATH + "?job_types=B&limit=10&job_types=A&name=my+job%2C1"
                 "&desc=%E4%B8%AD%E6%96%87+~x&marker=&offset=0", JSON_HEADERS, None, AUTH_B,
                 id="b-query-requests-style"),
    # As the SDK itself sends it (already canonical).
    pytest.param("GET", JOBS_PATH + "?desc=%E4%B8%AD%E6%96%87%20~x&job_types=A&job_types=B"
                 "&limit=10&marker=&name=my%20job%2C1&offset=0", JSON_HEADERS, None, AUTH_B,
                 id="b-query-sdk-style"),
    # Over-escaped and lower-case hex: same decoded values.
    pytest.param("GET", JOBS_PATH + "?offset=0&marker&name=my%20job,1&job_types=%41"
                 "&desc=%e4%b8%ad%e6%96%87%20%7Ex&limit=10&job_types=B", JSON_HEADERS, None, AUTH_B,
                 id="b-query-other-escaping"),
    pytest.param("GET", ENDPOINT + "/v1/" + PID + "/services/svc%20%E4%B8%AD~%281%29/tasks/a%2Fb%20c",
                 {"Content-Type": "application/json", "X-Project-Id": PID}, None, AUTH_C,
                 id="c-percent-encoded-ids"),
    pytest.param("DELETE", "https://vias.example.com:8443/v2/" + PID + "/tasks/t-1",
                 {"Content-Type": "application/json", "X-Project-Id": PID,
                  "X-Security-Token": "TEMP+token/VALUE=="}, None, AUTH_D,
                 id="d-security-token-port"),
    pytest.param("POST", ENDPOINT + "/v3/" + PID + "/ai-mgr/tasks",
                 {"Content-Type": "application/json;charset=UTF-8", "User-Agent": UA, "X-Project-Id": PID},
                 E_BODY.encode("utf-8"), AUTH_E, id="e-post-json-bytes"),
    pytest.param("POST", ENDPOINT + "/v3/" + PID + "/ai-mgr/tasks",
                 {"Content-Type": "application/json;charset=UTF-8", "User-Agent": UA, "X-Project-Id": PID},
                 E_BODY, AUTH_E, id="e-post-json-str"),
    pytest.param("POST", ENDPOINT + "/v3/" + PID + "/upload",
                 {"Content-Type": "text/plain", "X_Custom_Header": "ignored", "X-Project-Id": PID},
                 b"hello", AUTH_F, id="f-unsigned-payload-underscore-header"),
]


@pytest.mark.parametrize("method, url, headers, body, expected", VECTORS)
def test_sdk_vectors(method, url, headers, body, expected):
    added = _sign(method, url, headers, body)
    assert added["Authorization"] == expected
    assert added["X-Sdk-Date"] == DATE


def test_vector_a_returned_headers():
    original = dict(JSON_HEADERS)
    added = _sign("GET", ENDPOINT + "/v3/" + PID + "/ai-mgr/tasks", original)
    assert added == {
        "X-Sdk-Date": DATE,
        "Host": "hilens.cn-north-4.myhuaweicloud.com",
        "Authorization": AUTH_A,
    }
    assert original == JSON_HEADERS  # input not mutated


def test_vector_d_host_includes_non_default_port():
    added = _sign("DELETE", "https://vias.example.com:8443/v2/" + PID + "/tasks/t-1",
                  {"Content-Type": "application/json", "X-Project-Id": PID,
                   "X-Security-Token": "TEMP+token/VALUE=="})
    assert added["Host"] == "vias.example.com:8443"


def test_vector_f_adds_unsigned_payload_header():
    added = _sign("POST", ENDPOINT + "/v3/" + PID + "/upload",
                  {"Content-Type": "text/plain", "X-Project-Id": PID}, b"hello")
    assert added["X-Sdk-Content-Sha256"] == "UNSIGNED-PAYLOAD"
    # The underscore header does not take part in the signature.
    assert added["Authorization"] == AUTH_F


def test_header_name_case_does_not_matter():
    headers = {"content-type": "application/json", "USER-AGENT": UA, "x-project-id": PID}
    assert _sign("GET", ENDPOINT + "/v3/" + PID + "/ai-mgr/tasks", headers)["Authorization"] == AUTH_A


def test_header_values_are_stripped():
    headers = {"Content-Type": "application/json ", "User-Agent": UA, "X-Project-Id": " " + PID}
    assert _sign("GET", ENDPOINT + "/v3/" + PID + "/ai-mgr/tasks", headers)["Authorization"] == AUTH_A


def test_preset_date_and_host_are_used_and_not_returned():
    headers = dict(JSON_HEADERS, **{"x-sdk-date": DATE, "host": "hilens.cn-north-4.myhuaweicloud.com"})
    added = _sign("GET", ENDPOINT + "/v3/" + PID + "/ai-mgr/tasks", headers,
                  now=NOW + timedelta(days=3))
    assert added == {"Authorization": AUTH_A}


def test_invalid_preset_date_is_rejected():
    with pytest.raises(ValueError):
        _sign("GET", ENDPOINT + "/", {"X-Sdk-Date": "2024-01-02T03:04:05Z"})


def test_existing_authorization_header_is_not_signed():
    headers = dict(JSON_HEADERS, Authorization="stale")
    assert _sign("GET", ENDPOINT + "/v3/" + PID + "/ai-mgr/tasks", headers)["Authorization"] == AUTH_A


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

@pytest.mark.parametrize("path, expected", [
    ("", "/"),
    ("/", "/"),
    ("/v1/tasks", "/v1/tasks/"),
    ("/v1/tasks/", "/v1/tasks/"),
    ("/v1/a%2Fb%20c", "/v1/a/b%20c/"),          # %2F signed as a separator, like the SDK
    ("/v1/a b", "/v1/a%20b/"),                   # raw space gets encoded
    ("/v1/%7Ex-_.~(1)", "/v1/~x-_.~%281%29/"),   # unreserved kept, others encoded
    ("/v1/%E4%B8%AD", "/v1/%E4%B8%AD/"),         # no double encoding
    ("/v1/中", "/v1/%E4%B8%AD/"),
    ("/v1/100%", "/v1/100%25/"),                 # stray '%' is literal
])
def test_canonical_uri(path, expected):
    assert canonical_uri(path) == expected


@pytest.mark.parametrize("query, expected", [
    ("", ""),
    ("b=2&a=1", "a=1&b=2"),
    ("k=b&k=a&k=c", "k=a&k=b&k=c"),
    ("a+b=c+d", "a%20b=c%20d"),
    ("x=%2B", "x=%2B"),
    ("flag", "flag="),
    ("q=a,b", "q=a%2Cb"),
    ("q=%E4%B8%AD", "q=%E4%B8%AD"),
])
def test_canonical_query_string(query, expected):
    assert canonical_query_string(query) == expected


def test_canonical_request_and_string_to_sign_layout():
    headers = {"Host": "example.com", "X-Sdk-Date": DATE}
    creq = canonical_request("get", "/v1/x", "b=2&a=1", headers, ["host", "x-sdk-date"],
                             "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    assert creq == ("GET\n/v1/x/\na=1&b=2\nhost:example.com\nx-sdk-date:" + DATE + "\n\n"
                    "host;x-sdk-date\n"
                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    sts = string_to_sign(creq, DATE)
    lines = sts.split("\n")
    assert lines[0] == SIGNING_ALGORITHM == "SDK-HMAC-SHA256"
    assert lines[1] == DATE
    assert re.match(r"^[0-9a-f]{64}$", lines[2])


@pytest.mark.parametrize("url, host", [
    ("https://example.com/x", "example.com"),
    ("https://example.com:443/x", "example.com"),
    ("http://example.com:80/x", "example.com"),
    ("http://example.com:8080/x", "example.com:8080"),
    ("https://example.com:80/x", "example.com:80"),
    ("https://user:pw@example.com:8443/x", "example.com:8443"),
    ("https://[::1]:8443/x", "[::1]:8443"),
    ("https://[::1]:443/x", "[::1]"),
])
def test_host_header(url, host):
    assert _sign("GET", url, {})["Host"] == host


# --------------------------------------------------------------------------
# Date handling
# --------------------------------------------------------------------------

def test_date_header_format():
    added = _sign("GET", ENDPOINT + "/", {}, now=datetime(2023, 12, 31, 23, 59, 9, tzinfo=UTC))
    assert added["X-Sdk-Date"] == "20231231T235909Z"
    assert re.match(r"^\d{8}T\d{6}Z$", added["X-Sdk-Date"])


def test_date_is_converted_to_utc():
    cest = timezone(timedelta(hours=2))
    added = _sign("GET", ENDPOINT + "/v3/" + PID + "/ai-mgr/tasks", JSON_HEADERS,
                  now=datetime(2024, 1, 2, 5, 4, 5, tzinfo=cest))
    assert added["X-Sdk-Date"] == DATE
    assert added["Authorization"] == AUTH_A


def test_now_defaults_to_current_utc_time():
    before = datetime.now(UTC).replace(microsecond=0)
    added = sign_request("GET", ENDPOINT + "/", {}, None, AK, SK)
    after = datetime.now(UTC)
    stamp = datetime.strptime(added["X-Sdk-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert before <= stamp <= after


# --------------------------------------------------------------------------
# Sensitivity: every signed input changes the signature
# --------------------------------------------------------------------------

BASE = {
    "method": "POST",
    "url": "https://vias.example.com:8443/v2/" + PID + "/tasks/a%2Fb?x=1&y=2",
    "headers": {"Content-Type": "application/json", "X-Project-Id": PID, "X-Security-Token": "tok"},
    "body": b'{"a": 1}',
    "access_key": AK,
    "secret_key": SK,
    "now": NOW,
}


def _sign_base(**changes):
    args = dict(BASE)
    args.update(changes)
    return sign_request(**args)["Authorization"]


@pytest.mark.parametrize("changes", [
    {"method": "PUT"},
    {"url": "https://vias.example.com:8443/v2/" + PID + "/tasks/a%2Fc?x=1&y=2"},
    {"url": "https://vias.example.com:8443/v2/" + PID + "/tasks/a%2Fb?x=1&y=3"},
    {"url": "https://vias.example.com:8443/v2/" + PID + "/tasks/a%2Fb?x=1&y=2&z="},
    {"url": "https://vias.example.com:8444/v2/" + PID + "/tasks/a%2Fb?x=1&y=2"},
    {"url": "https://other.example.com:8443/v2/" + PID + "/tasks/a%2Fb?x=1&y=2"},
    {"headers": dict(BASE["headers"], **{"X-Project-Id": "other"})},
    {"headers": dict(BASE["headers"], **{"X-Security-Token": "tok2"})},
    {"headers": dict(BASE["headers"], **{"Content-Type": "application/json;charset=UTF-8"})},
    {"headers": dict(BASE["headers"], **{"X-Extra": "1"})},
    {"body": b'{"a": 2}'},
    {"body": None},
    {"secret_key": SK + "x"},
    {"now": NOW + timedelta(seconds=1)},
], ids=lambda c: "-".join(sorted(c)))
def test_signature_changes_with_each_signed_input(changes):
    assert _sig(_sign_base(**changes)) != _sig(_sign_base())


def test_access_key_is_in_authorization():
    auth = _sign_base(access_key="AKOTHER")
    assert auth.startswith("SDK-HMAC-SHA256 Access=AKOTHER, SignedHeaders=")
    assert _sig(auth) == _sig(_sign_base())  # AK is not part of the HMAC input


def test_unsigned_inputs_do_not_change_signature():
    base = _sign_base()
    assert _sign_base(headers=dict(BASE["headers"], X_Trace_Id="abc")) == base
    assert _sign_base(url=BASE["url"] + "#frag") == base
    assert _sign_base(url=BASE["url"].replace("?x=1&y=2", "?y=2&x=1")) == base
    assert _sign_base(method="post") == base
    assert _sign_base(body=None) == _sign_base(body=b"") == _sign_base(body="")


@pytest.mark.parametrize("ak, sk", [("", SK), (AK, ""), (None, SK), (AK, None)])
def test_missing_credentials_raise(ak, sk):
    with pytest.raises(ValueError):
        sign_request("GET", ENDPOINT + "/", {}, None, ak, sk)


def test_invalid_body_type_raises():
    with pytest.raises(TypeError):
        sign_request("POST", ENDPOINT + "/", {}, {"a": 1}, AK, SK, now=NOW)
