# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The three ways to authenticate, each a small class chosen by the options given.

Precedence when several are configured (options and environment together):
``auth_token``, then ``access_key``/``secret_key``, then
``user_name``/``password``/``domain_name``.

Every class offers ``apply(prepared_request, client)``, called before each
attempt, and ``renew(client, refused_token)``, called after a 401: True when
the class has fresh credentials (got now, or already by a concurrent request)
and the request is worth sending again.
"""

from __future__ import annotations

import threading

import re

from ansible_collections.hwcloud.tasks.plugins.module_utils.errors import HwcloudTasksError
from ansible_collections.hwcloud.tasks.plugins.module_utils.http_client import ApiError
from ansible_collections.hwcloud.tasks.plugins.module_utils.signer import sign_request


class AuthError(HwcloudTasksError, ValueError):
    """The options do not make a usable set of credentials."""


class StaticTokenAuth:
    """A token the user already has (``auth_token``): sent as is, never renewed."""

    method = "token"

    def __init__(self, token):
        self.token = token

    def apply(self, prepared, client):
        prepared.headers["X-Auth-Token"] = self.token

    def renew(self, client, refused_token):
        return False


class PasswordAuth:
    """IAM password authentication: one token per module run, fetched again once if it expires."""

    method = "password"

    def __init__(self, iam_endpoint, user_name, password, domain_name, project_id):
        self.iam_endpoint = iam_endpoint
        self.user_name = user_name
        self.password = password
        self.domain_name = domain_name
        self.project_id = project_id
        self.token = None
        self.renewed = False
        self._lock = threading.Lock()

    def token_request_body(self):
        return {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": self.user_name,
                            "password": self.password,
                            "domain": {"name": self.domain_name},
                        }
                    },
                },
                "scope": {"project": {"id": self.project_id}},
            }
        }

    def fetch_token(self, client):
        url = self.iam_endpoint + "/v3/auth/tokens"
        try:
            response = client.request("POST", url, json_body=self.token_request_body(), expected=(201,), authenticate=False)[1]
        except ApiError as exc:
            if exc.status in (400, 401, 403):
                exc.message = (
                    "IAM refused the password credentials of user %r in domain %r for project %s: %s. "
                    "Check user_name, password and domain_name (or HW_USER_NAME, HW_PASSWORD, HW_DOMAIN_NAME)"
                    % (self.user_name, self.domain_name, self.project_id, exc.message.rstrip("."))
                )
            raise
        token = response.headers.get("X-Subject-Token")
        if not token:
            raise ApiError(
                "IAM answered 201 without an X-Subject-Token header; is iam_endpoint an IAM service?",
                status=response.status_code,
                method="POST",
                url=url,
            )
        client.add_secret(token)
        return token

    def apply(self, prepared, client):
        with self._lock:  # concurrent pages share one token request
            if self.token is None:
                self.token = self.fetch_token(client)
        prepared.headers["X-Auth-Token"] = self.token

    def renew(self, client, refused_token):
        with self._lock:
            if self.token != refused_token:  # another request already got a new token: use it
                return True
            if self.renewed:
                return False
            self.renewed = True
            self.token = self.fetch_token(client)
            return True


class AkSkAuth:
    """AK/SK request signing (SDK-HMAC-SHA256): every attempt is signed with a fresh date."""

    method = "aksk"

    def __init__(self, access_key, secret_key, project_id, security_token=None, clock=None):
        self.access_key = access_key
        self.secret_key = secret_key
        self.project_id = project_id
        self.security_token = security_token
        self.clock = clock  # () -> aware datetime of X-Sdk-Date; the current time when None

    def apply(self, prepared, client):
        prepared.headers["X-Project-Id"] = self.project_id
        if self.security_token:
            prepared.headers["X-Security-Token"] = self.security_token
        prepared.headers.pop("X-Sdk-Date", None)
        prepared.headers.pop("Authorization", None)
        prepared.headers.update(
            sign_request(
                prepared.method,
                prepared.url,
                {name: prepared.headers[name] for name in ("X-Project-Id", "X-Security-Token", "Content-Type") if name in prepared.headers},
                prepared.body,
                self.access_key,
                self.secret_key,
                now=self.clock() if self.clock else None,
            )
        )

    def renew(self, client, refused_token):
        # Five bad signatures in a row lock the AK for five minutes: never retry blindly.
        return False


# Values sent as HTTP headers: visible ASCII only, so that none can break or inject a header.
HEADER_VALUE = re.compile(r"^[\x21-\x7e]+\Z")


def check_header_values(params):
    for name in ("auth_token", "access_key", "security_token"):
        if params.get(name) and not HEADER_VALUE.match(params[name]):
            # Never repeat the value: it is (or may be) a secret.
            raise AuthError(
                "%s must be printable ASCII without spaces or line breaks, as IAM issues it; "
                "check for a copy-and-paste error" % name
            )


def select_auth(params, iam_endpoint):
    """Choose the authentication class from the options (after environment fallbacks)."""
    check_header_values(params)
    if params.get("auth_token"):
        return StaticTokenAuth(params["auth_token"])
    if params.get("access_key") or params.get("secret_key"):
        if not (params.get("access_key") and params.get("secret_key")):
            raise AuthError(
                "AK/SK signing needs both access_key and secret_key "
                "(or HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK, or HW_ACCESS_KEY/HW_SECRET_KEY)"
            )
        return AkSkAuth(params["access_key"], params["secret_key"], params["project_id"], params.get("security_token"))
    if params.get("user_name") or params.get("password"):
        missing = [name for name in ("user_name", "password", "domain_name") if not params.get(name)]
        if missing:
            raise AuthError(
                "IAM password authentication needs user_name, password and domain_name; missing: %s "
                "(or set HW_USER_NAME, HW_PASSWORD, HW_DOMAIN_NAME)" % ", ".join(missing)
            )
        return PasswordAuth(iam_endpoint, params["user_name"], params["password"], params["domain_name"], params["project_id"])
    raise AuthError(
        "No credentials: set auth_token; or access_key and secret_key; or user_name, password and "
        "domain_name (each also read from the environment, see the module documentation)"
    )
