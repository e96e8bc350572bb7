"""IAM token issue and request authentication, as the API gateway does it.

Two ways in: ``X-Auth-Token`` (issued by ``POST /v3/auth/tokens`` or the
pre-issued static token) or an AK/SK ``SDK-HMAC-SHA256`` signature.  Failures
raise ``AuthError`` carrying the gateway's status and message; the messages
never contain the presented secret.
"""

import datetime
import hashlib
import hmac
import re
import time

from . import signing
from .compat import UTC
from .errors import iam_error, json_response
from .state import STATE
from .tokens import BAD_AUTH, AuthError

MAX_SKEW_SECONDS = 15 * 60
PROJECT_ID_FORMAT = re.compile(r"[0-9a-f]{32}")


def _iso(epoch):
    return datetime.datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


async def issue_token(request):
    """``POST /v3/auth/tokens`` with the Keystone v3 password method."""
    state = request.app[STATE]
    creds = state.credentials
    try:
        body = await request.json()
        auth = body["auth"]
        user = auth["identity"]["password"]["user"]
        if "password" not in auth["identity"]["methods"]:
            raise ValueError("only the password method is supported")
        name, password, domain = user["name"], user["password"], user["domain"]["name"]
        project = dict(auth["scope"]["project"])
    except (KeyError, TypeError, ValueError):  # any malformed body is the same client error
        return iam_error(400, "The request body is malformed.")
    if not (name == creds.user_name and domain == creds.domain_name
            and hmac.compare_digest(str(password).encode("utf-8"), creds.password.encode("utf-8"))):
        return iam_error(401, "The username or password is wrong.")
    if project.get("id", creds.project_id) != creds.project_id or \
            project.get("name", creds.project_name) != creds.project_name:
        return iam_error(403, "You have no permission on the requested project scope.")
    token, issued, expires = state.tokens.issue(creds.project_id)
    payload = {"token": {
        "methods": ["password"], "issued_at": _iso(issued), "expires_at": _iso(expires),
        "project": {"id": creds.project_id, "name": creds.project_name,
                    "domain": {"name": creds.domain_name}},
        "user": {"name": creds.user_name, "domain": {"name": creds.domain_name}},
    }}
    return json_response(payload, 201, {"X-Subject-Token": token})


async def authenticate(request, state, path_project):
    """Raise AuthError unless the request may act on ``path_project``."""
    creds = state.credentials
    token = request.headers.get("X-Auth-Token")
    if token:
        project = state.tokens.project_of(token)
    elif request.headers.get("Authorization", "").startswith(signing.ALGORITHM):
        await _verify_signature(request, state)
        project = request.headers.get("X-Project-Id", creds.project_id)
    else:
        raise AuthError(401, BAD_AUTH + "neither X-Auth-Token nor a signed Authorization header was sent")
    if project != path_project or path_project != creds.project_id:
        raise AuthError(403, f"The credentials are not scoped for project {path_project}.")


async def _verify_signature(request, state):
    creds = state.credentials
    parsed = signing.parse_authorization(request.headers["Authorization"])
    if parsed is None:
        raise AuthError(401, BAD_AUTH + "the Authorization header is malformed")
    access, signed_headers, presented = parsed
    if access != creds.access_key:
        raise AuthError(401, BAD_AUTH + "the access key does not exist")
    sdk_date = request.headers.get("X-Sdk-Date", "")
    try:
        sent = datetime.datetime.strptime(sdk_date, signing.DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise AuthError(401, BAD_AUTH + "X-Sdk-Date is missing or not in %Y%m%dT%H%M%SZ format") from None
    if abs(sent.timestamp() - (time.time() + state.clock_skew)) > MAX_SKEW_SECONDS:
        raise AuthError(401, BAD_AUTH + "the request time is skewed: X-Sdk-Date differs from the "
                        "server time by more than 15 minutes")
    security_token = request.headers.get("X-Security-Token")
    if security_token is not None and not hmac.compare_digest(security_token.encode("utf-8"), creds.security_token.encode("utf-8")):
        raise AuthError(401, BAD_AUTH + "the security token is invalid")
    missing = [h for h in signed_headers if h not in request.headers]
    if missing:
        raise AuthError(401, BAD_AUTH + f"signed header {missing[0]} is absent")
    if request.headers.get("X-Sdk-Content-Sha256") == signing.UNSIGNED_PAYLOAD:
        body_hash = signing.UNSIGNED_PAYLOAD
    else:
        body_hash = hashlib.sha256(await request.read()).hexdigest()
    raw_path, _sep, raw_query = request.raw_path.partition("?")
    canonical = signing.canonical_request(request.method, raw_path, raw_query, request.headers,
                                          signed_headers, body_hash)
    expected = signing.signature(creds.secret_key, signing.string_to_sign(canonical, sdk_date))
    if not hmac.compare_digest(expected.encode("utf-8"), presented.encode("utf-8")):
        raise AuthError(401, BAD_AUTH + "verify aksk signature fail")
