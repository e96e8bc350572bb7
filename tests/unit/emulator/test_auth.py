"""IAM tokens, token checks and AK/SK signatures, over real HTTP."""

import datetime
import hashlib
import hmac
import time
from urllib.parse import quote, unquote, urlsplit

import requests
from hwcloud_emulator import start_emulator
from hwcloud_emulator.signing import sign_headers

HILENS = "/v3/{project}/ai-mgr/deployments/dep-small/tasks"


def sign(method, url, ak, sk, headers=None, when=None):
    """An independent SDK-HMAC-SHA256 signer, written from the published algorithm."""
    parts = urlsplit(url)
    when = when or datetime.datetime.now(datetime.UTC)
    headers = dict(headers or {})
    headers["X-Sdk-Date"] = when.strftime("%Y%m%dT%H%M%SZ")
    headers["Host"] = parts.netloc
    lower = {k.lower(): v.strip() for k, v in headers.items()}
    names = sorted(lower)
    uri = "/".join(quote(seg, safe="~") for seg in unquote(parts.path).split("/"))
    if not uri.endswith("/"):
        uri += "/"
    pairs = sorted(tuple(unquote(x) for x in p.split("=", 1)) for p in parts.query.split("&") if p)
    query = "&".join(f"{quote(k, safe='~')}={quote(v, safe='~')}" for k, v in pairs)
    canonical = "\n".join([method, uri, query, "".join(f"{n}:{lower[n]}\n" for n in names),
                           ";".join(names), hashlib.sha256(b"").hexdigest()])
    to_sign = "SDK-HMAC-SHA256\n{}\n{}".format(headers["X-Sdk-Date"],
                                               hashlib.sha256(canonical.encode()).hexdigest())
    sig = hmac.new(sk.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = f"SDK-HMAC-SHA256 Access={ak}, SignedHeaders={';'.join(names)}, Signature={sig}"
    return headers


def password_body(creds, password=None, project_id=None):
    return {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": creds["user_name"], "password": password or creds["password"],
        "domain": {"name": creds["domain_name"]}}}},
        "scope": {"project": {"id": project_id or creds["project_id"]}}}}


def signed_get(emulator, path, **kw):
    creds = emulator.credentials
    url = emulator.url + path.format(project=creds["project_id"])
    headers = sign("GET", url, creds["access_key"], creds["secret_key"],
                   {"X-Project-Id": creds["project_id"], **kw.pop("extra", {})}, **kw)
    return requests.get(url, headers=headers, timeout=10)


def assert_apig(response, status, code, text=None):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error_code"] == code
    if text:
        assert text in body["error_msg"]
    assert response.headers["X-Request-Id"]


def test_static_token_ok(api):
    response = api(HILENS)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json;charset=UTF-8"
    assert len(response.headers["X-Request-Id"]) == 32
    assert response.json()["count"] == 3


def test_iam_issues_token(emulator, api):
    creds = emulator.credentials
    response = requests.post(emulator.url + "/v3/auth/tokens", json=password_body(creds), timeout=10)
    assert response.status_code == 201
    token = response.headers["X-Subject-Token"]
    body = response.json()["token"]
    assert body["project"]["id"] == creds["project_id"] and body["expires_at"] > body["issued_at"]
    assert api(HILENS, headers={"X-Auth-Token": token}).status_code == 200
    assert emulator.admin("GET", "stats")["iam_token_requests"] == 1


def test_iam_scope_by_project_name(emulator):
    body = password_body(emulator.credentials)
    body["auth"]["scope"]["project"] = {"name": emulator.credentials["project_name"]}
    assert requests.post(emulator.url + "/v3/auth/tokens", json=body, timeout=10).status_code == 201


def test_iam_wrong_password(emulator):
    response = requests.post(emulator.url + "/v3/auth/tokens",
                             json=password_body(emulator.credentials, password="nope"), timeout=10)
    assert response.status_code == 401
    assert response.json() == {"error": {"code": 401, "message": "The username or password is wrong.",
                                         "title": "Unauthorized"}}
    assert "X-Subject-Token" not in response.headers


def test_missing_and_wrong_token(api):
    assert_apig(api(HILENS, headers={}), 401, "APIG.0301", "Incorrect IAM authentication information")
    assert_apig(api(HILENS, headers={"X-Auth-Token": "bogus"}), 401, "APIG.0301")


def test_expired_tokens(emulator, api):
    creds = emulator.credentials
    token = requests.post(emulator.url + "/v3/auth/tokens", json=password_body(creds),
                          timeout=10).headers["X-Subject-Token"]
    assert emulator.admin("POST", "tokens/expire") == {"expired": 1}
    assert_apig(api(HILENS, headers={"X-Auth-Token": token}), 401, "APIG.0301", "expired")
    assert api(HILENS).status_code == 200  # the static token survives a plain expiry
    emulator.admin("POST", "tokens/expire", {"static": True})
    assert_apig(api(HILENS), 401, "APIG.0301", "expired")


def test_token_ttl():
    with start_emulator(token_ttl=0.3) as emu:
        token = requests.post(emu.url + "/v3/auth/tokens", json=password_body(emu.credentials),
                              timeout=10).headers["X-Subject-Token"]
        url = emu.url + HILENS.format(project=emu.credentials["project_id"])
        assert requests.get(url, headers={"X-Auth-Token": token}, timeout=10).status_code == 200
        time.sleep(0.4)
        assert_apig(requests.get(url, headers={"X-Auth-Token": token}, timeout=10), 401, "APIG.0301", "expired")


def test_foreign_and_malformed_project(emulator, api):
    foreign = emulator.credentials["foreign_project_id"]
    assert_apig(api(HILENS.replace("{project}", foreign)), 403, "APIG.0302")
    assert_apig(api(HILENS.replace("{project}", "0123456789abcdef0123456789abcdef")), 403, "APIG.0302")
    assert_apig(api(HILENS.replace("{project}", "not-a-project")), 404, "APIG.0101")
    response = requests.post(emulator.url + "/v3/auth/tokens",
                             json=password_body(emulator.credentials, project_id=foreign), timeout=10)
    assert response.status_code == 403


def test_aksk_signature_ok(emulator):
    response = signed_get(emulator, "/v2/{project}/batch-tasks?page_size=5&order_by=asc&page_num=2")
    assert response.status_code == 200, response.text
    assert len(response.json()["batch_task_list"]) == 5


def test_aksk_percent_encoded_path_and_query(emulator):
    vias_id = emulator.data["vias_task_ids"][0]
    encoded = "".join(f"%{ord(c):02X}" if c in "abc" else c for c in vias_id)
    response = signed_get(emulator, "/v2/{project}/tasks/" + encoded)
    assert response.status_code == 200, response.text
    assert response.json()["id"] == vias_id
    response = signed_get(emulator, "/v2/{project}/batch-tasks?video_group=%E5%8C%97%E9%97%A8&name_like=a%20b"
                                    "&type_like=batch_task_name")
    assert response.status_code == 200, response.text


def test_aksk_bad_signature(emulator):
    creds = emulator.credentials
    url = emulator.url + HILENS.format(project=creds["project_id"])
    headers = sign("GET", url, creds["access_key"], "wrong-secret", {"X-Project-Id": creds["project_id"]})
    assert_apig(requests.get(url, headers=headers, timeout=10), 401, "APIG.0301", "signature")
    headers = sign("GET", url, "UNKNOWNAK", creds["secret_key"])
    assert_apig(requests.get(url, headers=headers, timeout=10), 401, "APIG.0301")
    # Tampering with the query after signing breaks the signature.
    headers = sign("GET", url + "?limit=1", creds["access_key"], creds["secret_key"])
    assert_apig(requests.get(url + "?limit=2", headers=headers, timeout=10), 401, "APIG.0301")


def test_aksk_clock_skew(emulator):
    old = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=16)
    assert_apig(signed_get(emulator, HILENS, when=old), 401, "APIG.0301", "skewed")
    assert signed_get(emulator, HILENS).status_code == 200
    emulator.admin("POST", "clock", {"skew_seconds": 1200})
    assert_apig(signed_get(emulator, HILENS), 401, "APIG.0301", "skewed")
    assert signed_get(emulator, HILENS, when=old + datetime.timedelta(minutes=36)).status_code == 200


def test_aksk_security_token(emulator):
    token = emulator.credentials["security_token"]
    assert signed_get(emulator, HILENS, extra={"X-Security-Token": token}).status_code == 200
    assert_apig(signed_get(emulator, HILENS, extra={"X-Security-Token": "stale"}), 401, "APIG.0301")


def test_aksk_foreign_project(emulator):
    creds = emulator.credentials
    url = emulator.url + HILENS.format(project=creds["foreign_project_id"])
    headers = sign("GET", url, creds["access_key"], creds["secret_key"])
    assert_apig(requests.get(url, headers=headers, timeout=10), 403, "APIG.0302")


def test_library_signer_matches(emulator):
    creds = emulator.credentials
    url = emulator.url + "/v1.0/{}/data/system-jobs?statuses=RUNNING&statuses=FINISHED".format(creds["project_id"])
    headers = sign_headers("GET", url, creds["access_key"], creds["secret_key"],
                           headers={"X-Project-Id": creds["project_id"]})
    assert requests.get(url, headers=headers, timeout=10).status_code == 200
