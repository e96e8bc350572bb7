# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One HTTP session per module run: timeouts, retries with backoff, one error shape.

The retry loop is ours rather than urllib3's ``Retry`` because it must also
retry failures that urllib3 never sees (a body cut off while being read, a 200
carrying an HTML proxy page), re-authenticate once on a 401, re-sign every
attempt with a fresh AK/SK date, and count what it did so that the module can
report it.
"""

from __future__ import annotations

import email.utils
import json
import math
import os
import random
import threading
import time

try:
    import requests
    from requests.adapters import HTTPAdapter
except ImportError:  # pragma: no cover - reported by the module as missing_required_lib
    requests = None
    HTTPAdapter = None

# Throttling and server-side failures are worth another try; other 4xx are not.
RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
# The vendor advises 2-5 s after a throttle (APIGW.0308) that carries no Retry-After.
THROTTLE_DELAY = (2.0, 5.0)
BACKOFF_BASE = 0.5
BACKOFF_CAP = 20.0
RETRY_AFTER_CAP = 60.0
BODY_EXCERPT = 200
MASK = "********"


class ApiError(Exception):
    """A request that did not produce a usable answer, described for a human and for ``fail_json``."""

    def __init__(self, message, status=None, error_code=None, request_id=None, method=None, url=None, attempts=1):
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_code = error_code
        self.request_id = request_id
        self.method = method
        self.url = url
        self.attempts = attempts

    def __str__(self):
        where = "%s %s" % (self.method, self.url) if self.method else ""
        parts = [self.message]
        if where:
            parts.insert(0, where + ":")
        if self.request_id:
            parts.append("(request id %s)" % self.request_id)
        if self.attempts > 1:
            parts.append("after %d attempts" % self.attempts)
        return " ".join(parts)

    def to_result(self):
        """The fields ``fail_json`` adds beside ``msg`` so that playbooks can branch on them."""
        return {
            "status": self.status,
            "error_code": self.error_code,
            "request_id": self.request_id,
            "url": self.url,
            "attempts": self.attempts,
        }


class RetryableError(Exception):
    """Internal: one attempt failed in a way another attempt may fix."""

    def __init__(self, error, delay):
        super().__init__(str(error))
        self.error = error
        self.delay = delay


def vendor_error(body):
    """(code, message) from any of the error body shapes the gateways use."""
    if not isinstance(body, dict):
        return None, None
    nested = body.get("error")
    if isinstance(nested, dict):  # IAM / Keystone: {"error": {"code": 401, "message": ...}}
        body = nested
    for code_key, msg_key in (("error_code", "error_msg"), ("errorCode", "errorMsg"), ("code", "message")):
        if body.get(code_key) is not None or body.get(msg_key) is not None:
            code = body.get(code_key)
            message = body.get(msg_key)
            if message is None:  # a code with only details: let the details speak
                message = body.get("detail") or body.get("reason") or body.get("advice")
            details = []
            for key in ("detail", "reason", "advice"):  # VIAS adds these; often they repeat the message
                text = str(body[key]) if body.get(key) else None
                if text and text != message and text not in details:
                    details.append(text)
            if details:
                message = "%s (%s)" % (message, "; ".join(details))
            return (None if code is None else str(code)), (None if message is None else str(message))
    return None, None


def retry_after_seconds(value):
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), capped."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        parsed = email.utils.parsedate_tz(value)
        if parsed is None:
            return None
        seconds = email.utils.mktime_tz(parsed) - time.time()
    if not math.isfinite(seconds):  # "nan", "inf": not a delay we can honour
        return None
    return min(max(seconds, 0.0), RETRY_AFTER_CAP)


def backoff_delay(attempt):
    """Exponential backoff with jitter: half fixed, half random, so retries of parallel pages spread out."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** (attempt - 1)))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


class HttpClient:
    """A requests Session with the collection's timeouts, TLS settings, retries, auth and error mapping."""

    def __init__(self, auth=None, timeout=30, retries=4, validate_certs=True, ca_path=None, pool_size=10, secrets=()):
        self.auth = auth
        self.timeout = timeout
        self.retries = retries
        self.ca_path = ca_path
        if validate_certs and ca_path and not os.path.isfile(ca_path):
            raise ApiError("ca_path %s does not exist or is not a file: give the PEM file of the CA that signed the server's certificate" % ca_path)
        self.verify = ca_path if (validate_certs and ca_path) else bool(validate_certs)
        self.secrets = [secret for secret in secrets if secret]
        self.session = requests.Session()
        # One pool sized to the page concurrency: every page reuses a kept-alive connection.
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=max(pool_size, 1), max_retries=0)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.headers["Accept"] = "application/json"
        self.session.headers["User-Agent"] = "hwcloud.tasks-ansible-collection"
        self._lock = threading.Lock()
        self.stats = {"requests": 0, "retries": 0, "throttled": 0}

    def add_secret(self, secret):
        """A credential learnt at run time (an IAM token) is masked like the ones given as options."""
        if secret and secret not in self.secrets:
            self.secrets.append(secret)

    def scrub(self, text):
        text = "" if text is None else str(text)
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text

    def _count(self, key):
        with self._lock:
            self.stats[key] += 1

    def get_json(self, url, params=None):
        return self.request("GET", url, params=params)[0]

    def request(self, method, url, params=None, json_body=None, expected=(200,), authenticate=True):
        """Send one logical request, retrying transient failures; return (parsed JSON, response)."""
        reauthenticated = False
        attempt = 0
        while True:
            attempt += 1
            self._count("requests")
            try:
                response = self._send_once(method, url, params, json_body, authenticate, attempt)
                if (
                    response.status_code == 401
                    and authenticate
                    and not reauthenticated
                    and self.auth is not None
                    and self.auth.renew(self, response.request.headers.get("X-Auth-Token"))
                ):
                    # A token can expire mid-run: fetch a new one once, then try again at once.
                    reauthenticated = True
                    continue
                return self._parse(method, url, response, expected, attempt), response
            except RetryableError as failure:
                if attempt > self.retries:
                    failure.error.attempts = attempt
                    raise failure.error from None
                self._count("retries")
                time.sleep(failure.delay)

    def _send_once(self, method, url, params, json_body, authenticate, attempt):
        try:
            prepared = self.session.prepare_request(requests.Request(method, url, params=params, json=json_body))
        except (requests.exceptions.RequestException, ValueError, UnicodeError) as exc:
            raise ApiError(
                "the request could not be built (%s): %s" % (type(exc).__name__, self.scrub(str(exc))[:BODY_EXCERPT]),
                method=method,
                url=self._display_url(url),
            ) from None
        if authenticate and self.auth is not None:
            self.auth.apply(prepared, self)
        settings = self.session.merge_environment_settings(prepared.url, {}, None, self.verify, None)
        try:
            response = self.session.send(prepared, timeout=self.timeout, allow_redirects=False, **settings)
            response.content  # noqa: B018  read the whole body now, so that a cut-off body is retried like a reset
            return response
        except requests.exceptions.SSLError as exc:
            raise ApiError(
                "TLS verification failed (%s). Set ca_path to the CA bundle that signed the server's "
                "certificate, or validate_certs: false for a test server you trust"
                % self.scrub(exc),
                method=method,
                url=self._display_url(prepared.url),
            ) from None
        except requests.exceptions.Timeout:
            error = ApiError("no answer within timeout=%ss" % self.timeout, method=method, url=self._display_url(prepared.url))
            raise RetryableError(error, backoff_delay(attempt)) from None
        except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            error = ApiError(
                "connection failed (%s): %s" % (type(exc).__name__, self.scrub(str(exc))[:BODY_EXCERPT]),
                method=method,
                url=self._display_url(prepared.url),
            )
            raise RetryableError(error, backoff_delay(attempt)) from None
        except (requests.exceptions.RequestException, ValueError, UnicodeError) as exc:
            # A request that cannot even be sent (an invalid URL or header): no retry will fix it.
            raise ApiError(
                "the request could not be sent (%s): %s" % (type(exc).__name__, self.scrub(str(exc))[:BODY_EXCERPT]),
                method=method,
                url=self._display_url(prepared.url),
            ) from None

    @staticmethod
    def _display_url(url):
        """The URL without its query string: short, and nothing a user typed twice."""
        return (url or "").split("?", 1)[0]

    def _error(self, response, message, method, url, attempt):
        code, vendor_message = vendor_error(self._json_or_none(response))
        if code == str(response.status_code):  # IAM's "code" is the HTTP status again
            code = None
        text = "HTTP %s" % response.status_code
        if code:
            text += " %s" % code
        text += ": %s" % self.scrub(vendor_message or message)
        return ApiError(
            text,
            status=response.status_code,
            error_code=code,
            request_id=response.headers.get("X-Request-Id"),
            method=method,
            url=self._display_url(url),
            attempts=attempt,
        )

    @staticmethod
    def _json_or_none(response):
        try:
            return json.loads(response.content)
        except (ValueError, RecursionError):
            return None

    def _parse(self, method, url, response, expected, attempt):
        status = response.status_code
        if status in RETRY_STATUSES:
            error = self._error(response, response.reason or "server error", method, url, attempt)
            delay = retry_after_seconds(response.headers.get("Retry-After"))
            if delay is None:
                delay = random.uniform(*THROTTLE_DELAY) if status == 429 else backoff_delay(attempt)
            if status == 429:
                self._count("throttled")
            raise RetryableError(error, delay)
        if status not in expected:
            raise self._error(response, response.reason or "unexpected status", method, url, attempt)
        document, problem = self._decode_body(response)
        if problem:
            error = ApiError(
                problem,
                status=status,
                request_id=response.headers.get("X-Request-Id"),
                method=method,
                url=self._display_url(url),
            )
            # A 2xx whose body is not JSON is usually a proxy or a connection cut short: try again.
            raise RetryableError(error, backoff_delay(attempt))
        return document

    def _decode_body(self, response):
        """(document, None) for a JSON body, or (None, why it is not the JSON document the API promises)."""
        content_type = response.headers.get("Content-Type", "")
        if not response.content:
            return None, "the server answered %s with an empty body instead of JSON" % response.status_code
        if "json" not in content_type.lower():
            return None, "the server answered with %r instead of JSON: %r" % (content_type or "no content type", self._excerpt(response))
        try:
            return json.loads(response.content), None
        except RecursionError:
            return None, "the server answered with JSON nested too deeply to parse"
        except ValueError as exc:
            return None, "the server answered with invalid JSON (%s; truncated?): %r" % (exc, self._excerpt(response))

    def _excerpt(self, response):
        return self.scrub(response.content[:BODY_EXCERPT].decode("utf-8", "replace"))
