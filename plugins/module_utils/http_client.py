# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One HTTP session per run: what the collection asks of a server, and what it makes of the answer.

The pieces each have their own room: ``transport`` bounds one attempt in time and size,
``retry_policy`` decides whether another attempt starts and how long to wait first,
``api_error`` words what went wrong, ``masking`` keeps secrets out of every word. This
module puts them together: it builds and authenticates each attempt, maps a status to
an answer, a retry or an error, and re-authenticates once when a token expires mid-run.

The retry loop is ours rather than urllib3's ``Retry`` because it must also retry
failures that urllib3 never sees (a body cut off while being read, a 200 carrying an
HTML proxy page), re-authenticate once on a 401, re-sign every attempt with a fresh
AK/SK date, honour deadlines, and count what it did.

The query string is sent exactly as it is signed: sorted, every byte outside RFC 3986's
unreserved set percent-encoded, a space as ``%20`` (``requests`` would send ``+``, which
the gateway reads back as another value and another signature).
"""

from __future__ import annotations

import json
import os
import random
import re
import threading
import time
import zlib

from ansible_collections.hwcloud.tasks.plugins.module_utils.api_error import (
    ApiError,
    connection_cause,
    is_name_resolution,
    seconds_text,
    shorten_middle,
    vendor_error,
)
from ansible_collections.hwcloud.tasks.plugins.module_utils.masking import MASK, Masker, secret_forms
from ansible_collections.hwcloud.tasks.plugins.module_utils.retry_policy import (
    DEFAULT_RETRY_TIMEOUT,
    REDIRECT_STATUSES,
    RETRY_STATUSES,
    THROTTLE_SPREAD_BASE,
    RetryableError,
    RetryBudget,
    ThrottleGate,
    backoff_delay,
    retry_after_seconds,
)
from ansible_collections.hwcloud.tasks.plugins.module_utils.signer import canonical_query
from ansible_collections.hwcloud.tasks.plugins.module_utils.transport import (
    ACCEPTED_ENCODINGS,
    DEFAULT_MAX_RESPONSE_SIZE,
    TIMEOUT_ERRORS,
    TRANSPORT_ERRORS,
    AttemptWatch,
    ResponseTooLarge,
    UnsupportedEncoding,
    WatchedAdapter,
    requests,
    send_bounded,
)

# Names other layers import from here: the client's public vocabulary.
__all__ = (
    "ApiError", "DEFAULT_RETRY_TIMEOUT", "HttpClient", "MASK", "RETRY_STATUSES", "retry_after_seconds", "secret_forms",
    "shorten_middle", "url_with_query", "vendor_error",
)

BODY_EXCERPT = 200


def url_with_query(url, params):
    """``url`` with ``params`` (a dict whose list values repeat the key, or a list of pairs) as the
    canonical query string the signer signs; None values are left out."""
    if not params:
        return url
    pairs = params.items() if isinstance(params, dict) else params
    flat = []
    for key, value in pairs:
        for one in value if isinstance(value, (list, tuple)) else [value]:
            if one is None:
                continue
            if isinstance(one, bool):
                one = "true" if one else "false"
            flat.append((str(key), str(one)))
    query = canonical_query(flat)
    if not query:
        return url
    return url + ("&" if "?" in url else "?") + query


class HttpClient:
    """A requests Session with the collection's bounds, TLS settings, retries, auth and error mapping."""

    def __init__(self, auth=None, timeout=30, retries=4, validate_certs=True, ca_path=None, pool_size=10, secrets=(),
                 retry_timeout=DEFAULT_RETRY_TIMEOUT, max_response_size=DEFAULT_MAX_RESPONSE_SIZE, clock=time.monotonic,
                 pause=time.sleep, masker=None):
        self.auth = auth
        self.timeout = timeout
        self.retries = retries
        self.retry_timeout = retry_timeout
        self.max_response_size = max_response_size
        self.ca_path = ca_path
        self.clock = clock
        self.pause = pause
        if validate_certs and ca_path and not os.path.isfile(ca_path):
            raise ApiError("ca_path %s does not exist or is not a file: give the PEM file of the CA that signed the server's certificate" % ca_path)
        self.verify = ca_path if (validate_certs and ca_path) else bool(validate_certs)
        # The caller's masker when it has one (the engine's: one mask for the whole call), else one of its own.
        self.masker = masker if masker is not None else Masker()
        for secret in secrets:
            self.masker.add(secret)
        self.session = requests.Session()
        # One pool sized to the page concurrency: every page reuses a kept-alive connection.
        adapter = WatchedAdapter(pool_connections=4, pool_maxsize=max(pool_size, 1), max_retries=0)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.headers["Accept"] = "application/json"
        self.session.headers["Accept-Encoding"] = ACCEPTED_ENCODINGS
        self.session.headers["User-Agent"] = "hwcloud.tasks-ansible-collection"
        self._lock = threading.Lock()
        # A throttle seen by one request holds back the first attempts of the others until then.
        self.throttle_gate = ThrottleGate(clock, pause)
        self.stats = {"requests": 0, "retries": 0, "throttled": 0}

    # -- secrets ------------------------------------------------------------------------------------

    @property
    def secrets(self):
        """Every form of every secret this client masks, longest first."""
        return self.masker.forms

    def add_secret(self, secret):
        """A credential (given as an option, or learnt at run time: an IAM token) is masked in every form it travels in."""
        self.masker.add(secret)

    def scrub(self, text):
        return self.masker.scrub(text)

    def _count(self, key):
        with self._lock:
            self.stats[key] += 1

    # -- requests -----------------------------------------------------------------------------------

    def get_json(self, url, params=None, deadline=None):
        return self.request("GET", url, params=params, deadline=deadline)[0]

    def request(self, method, url, params=None, json_body=None, expected=(200,), authenticate=True, deadline=None):
        """Send one logical request, retrying transient failures; return (parsed JSON, response).

        ``deadline`` (a ``clock()`` value) is the caller's end: no attempt starts and no sleep lasts past it.
        """
        budget = RetryBudget(self.retries, self.retry_timeout, deadline, self.clock, self.pause, self.throttle_gate, self._count)
        url = url_with_query(url, params)
        reauthenticated = False
        while True:
            attempt = budget.start_attempt()
            try:
                response, body = self._send_once(method, url, json_body, authenticate, attempt, deadline)
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
                return self._parse(method, url, response, body, expected, attempt), response
            except RetryableError as failure:
                budget.after_failure(failure)

    def _send_once(self, method, url, json_body, authenticate, attempt, deadline):
        """One attempt: (response, body bytes), or RetryableError/ApiError."""
        display_url = _display_url(url)
        try:
            prepared = self.session.prepare_request(requests.Request(method, url, json=json_body))
        except (requests.exceptions.RequestException, ValueError, UnicodeError) as exc:
            raise ApiError(
                "the request could not be built (%s): %s" % (type(exc).__name__, self.scrub(str(exc))[:BODY_EXCERPT]),
                method=method,
                url=display_url,
            ) from None
        if authenticate and self.auth is not None:
            self.auth.apply(prepared, self)
        settings = self.session.merge_environment_settings(prepared.url, {}, True, self.verify, None)
        settings.pop("stream", None)
        seconds = self.timeout
        if deadline is not None:
            seconds = max(min(seconds, deadline - self.clock()), 0.001)
        watch = AttemptWatch(seconds)
        try:
            return send_bounded(self.session, prepared, watch, self.max_response_size, settings)
        except ResponseTooLarge as exc:
            raise ApiError(
                "the answer is larger than max_response_size=%d bytes (%s so far): not read further. Narrow the query "
                "(filters, a smaller page), or raise max_response_size if the service really sends that much"
                % (self.max_response_size, exc.args[0] if exc.args else "more"),
                status=watch.response.status_code if watch.response is not None else None,
                request_id=watch.response.headers.get("X-Request-Id") if watch.response is not None else None,
                method=method,
                url=display_url,
                category="too_large",
            ) from None
        except UnsupportedEncoding as exc:
            raise ApiError(self.scrub(str(exc)), method=method, url=display_url) from None
        except requests.exceptions.SSLError as exc:
            raise ApiError(
                "TLS verification failed (%s). Set ca_path to the CA bundle that signed the server's "
                "certificate, or validate_certs: false for a test server you trust"
                % self.scrub(connection_cause(exc)),
                method=method,
                url=display_url,
            ) from None
        except TRANSPORT_ERRORS as exc:
            answered = watch.response is not None  # the status line and headers had come back
            if watch.fired or isinstance(exc, TIMEOUT_ERRORS):
                error = ApiError(
                    "no complete answer within timeout=%ss (connecting, sending, and reading the whole answer)" % seconds_text(seconds),
                    method=method,
                    url=display_url,
                    # Cut short by the caller's deadline rather than by timeout: the wait is over, not the server gone.
                    category="deadline" if seconds < self.timeout else None,
                    answered=answered,
                )
            elif isinstance(exc, zlib.error):
                error = ApiError("the server sent a %s body that does not inflate (%s)" % (watch.response.headers.get("Content-Encoding"), exc),
                                 method=method, url=display_url, answered=True)
            elif not isinstance(exc, requests.exceptions.RequestException) or isinstance(
                    exc, (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
                cause = connection_cause(exc)
                error = ApiError(
                    "connection failed: %s" % self.scrub(shorten_middle(cause)),
                    method=method,
                    url=display_url,
                    category="name_resolution" if is_name_resolution(exc, cause) else None,
                    answered=answered,
                )
            else:
                # A request that cannot even be sent (an invalid URL or header): no retry will fix it.
                raise ApiError(
                    "the request could not be sent (%s): %s" % (type(exc).__name__, self.scrub(shorten_middle(str(exc)))),
                    method=method,
                    url=display_url,
                ) from None
            raise RetryableError(error, backoff_delay(attempt)) from None

    def _error(self, response, body, message, method, url, attempt):
        code, vendor_message = vendor_error(_json_or_none(body))
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
            url=_display_url(url),
            attempts=attempt,
        )

    def _parse(self, method, url, response, body, expected, attempt):
        status = response.status_code
        if status in RETRY_STATUSES:
            error = self._error(response, body, response.reason or "server error", method, url, attempt)
            if status == 429:
                self._count("throttled")
                retry_after = retry_after_seconds(response.headers.get("Retry-After"))
                raise RetryableError(error, 0.0, throttled=True, floor=retry_after or 0.0)
            retry_after = retry_after_seconds(response.headers.get("Retry-After"))
            if retry_after is not None:
                raise RetryableError(error, retry_after + random.uniform(0, THROTTLE_SPREAD_BASE), floor=retry_after)
            raise RetryableError(error, backoff_delay(attempt))
        if status in REDIRECT_STATUSES:
            location = _without_userinfo(response.headers.get("Location") or "")
            raise ApiError(
                "HTTP %s: the server redirects to %s; redirects are not followed (credentials must not travel to another "
                "address). Set endpoint to the address that answers" % (status, self.scrub(location) or "an unnamed address"),
                status=status,
                request_id=response.headers.get("X-Request-Id"),
                method=method,
                url=_display_url(url),
                attempts=attempt,
                category="redirect",
            )
        if status not in expected:
            raise self._error(response, body, response.reason or "unexpected status", method, url, attempt)
        document, problem = self._decode_body(response, body)
        if problem:
            error = ApiError(
                problem,
                status=status,
                request_id=response.headers.get("X-Request-Id"),
                method=method,
                url=_display_url(url),
            )
            # A 2xx whose body is not JSON is usually a proxy or a connection cut short: try again.
            raise RetryableError(error, backoff_delay(attempt))
        return document

    def _decode_body(self, response, body):
        """(document, None) for a JSON body, or (None, why it is not the JSON document the API promises)."""
        content_type = response.headers.get("Content-Type", "")
        if not body:
            return None, "the server answered %s with an empty body instead of JSON" % response.status_code
        if "json" not in content_type.lower():
            return None, "the server answered with %r instead of JSON: %r" % (content_type or "no content type", self._excerpt(body))
        try:
            return json.loads(body), None
        except RecursionError:
            return None, "the server answered with JSON nested too deeply to parse"
        except ValueError as exc:
            return None, "the server answered with invalid JSON (%s; truncated?): %r" % (exc, self._excerpt(body))

    def _excerpt(self, body):
        return self.scrub(body[:BODY_EXCERPT].decode("utf-8", "replace"))


def _json_or_none(body):
    try:
        return json.loads(body) if body else None
    except (ValueError, RecursionError):
        return None


def _display_url(url):
    """The URL without its query string: short, and nothing a user typed twice."""
    return (url or "").split("?", 1)[0]


def _without_userinfo(url):
    return re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/@?#]*@", r"\1", url)
