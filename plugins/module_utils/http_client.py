# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One HTTP session per run: bounded requests, retries within deadlines, one error shape.

Every request is bounded three ways, whatever the server does:

* time: ``timeout`` covers one attempt from connecting to the last byte of the
  body; a watchdog cuts the connection at that moment, so a server that drips a
  byte every half second cannot hold a request open (a per-read socket timeout
  alone never fires while bytes keep coming);
* size: the body is counted as it is decoded; gzip and deflate are inflated
  here, a bounded amount at a time, so a small compressed body that expands to
  gigabytes stops at ``max_response_size`` instead of filling the memory;
* retries: ``retries`` attempts after a server error or a dropped connection,
  and throttled requests (HTTP 429) retried until ``retry_timeout`` runs out,
  never sleeping past the caller's deadline (a wait's end).

The retry loop is ours rather than urllib3's ``Retry`` because it must also
retry failures that urllib3 never sees (a body cut off while being read, a 200
carrying an HTML proxy page), re-authenticate once on a 401, re-sign every
attempt with a fresh AK/SK date, honour deadlines, and count what it did.

The query string is sent exactly as it is signed: sorted, every byte outside
RFC 3986's unreserved set percent-encoded, a space as ``%20`` (``requests``
would send ``+``, which the gateway reads back as another value and another
signature).
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import math
import os
import random
import re
import socket
import threading
import time
import zlib

from ansible_collections.hwcloud.tasks.plugins.module_utils.signer import canonical_query

try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3 import exceptions as urllib3_exceptions
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    TRANSPORT_ERRORS = (requests.exceptions.RequestException, urllib3_exceptions.HTTPError, OSError, zlib.error)
    TIMEOUT_ERRORS = (requests.exceptions.Timeout, urllib3_exceptions.TimeoutError, socket.timeout)
except ImportError:  # pragma: no cover - reported by the front-end as a missing library
    requests = None
    HTTPAdapter = object
    HTTPConnection = HTTPSConnection = HTTPConnectionPool = HTTPSConnectionPool = None
    TRANSPORT_ERRORS = TIMEOUT_ERRORS = ()

# Throttling and server-side failures are worth another try; other 4xx are not.
RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
REDIRECT_STATUSES = frozenset((301, 302, 303, 307, 308))
# The vendor advises 2-5 s after a throttle (APIGW.0308) that carries no Retry-After.
THROTTLE_DELAY = (2.0, 5.0)
# A throttled request waits at least Retry-After, plus a random share that grows with each
# throttle of the same request, so that the retries of many hosts do not return in one wave.
THROTTLE_SPREAD_BASE = 1.0
THROTTLE_SPREAD_CAP = 30.0
BACKOFF_BASE = 0.5
BACKOFF_CAP = 20.0
DEFAULT_RETRY_TIMEOUT = 120
DEFAULT_MAX_RESPONSE_SIZE = 64 * 1024 * 1024
DECODE_STEP = 1024 * 1024
READ_CHUNK = 64 * 1024
BODY_EXCERPT = 200
# Longest cause of a connection failure kept in a message; a longer one loses its middle, never its end.
CAUSE_LIMIT = 300
MASK = "********"
# What the client can decode itself (and so what it asks for).
ACCEPTED_ENCODINGS = "gzip, deflate"
# An attempt needs some time: none starts in the last half second before the caller's deadline.
MIN_ATTEMPT_SECONDS = 0.5


class ApiError(Exception):
    """A request that did not produce a usable answer, described for a human and for a failed result.

    ``kind`` tells callers what went wrong when they must react to it: ``name_resolution`` (the host
    name does not resolve), ``too_large`` (the body passed the size cap), ``redirect``, ``deadline``
    (no time was left for another attempt) or None.
    """

    def __init__(self, message, status=None, error_code=None, request_id=None, method=None, url=None, attempts=1, kind=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_code = error_code
        self.request_id = request_id
        self.method = method
        self.url = url
        self.attempts = attempts
        self.kind = kind

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
        """The fields a failed result carries beside ``msg`` so that playbooks can branch on them."""
        return {
            "status": self.status,
            "error_code": self.error_code,
            "request_id": self.request_id,
            "url": self.url,
            "attempts": self.attempts,
        }


class RetryableError(Exception):
    """Internal: one attempt failed in a way another attempt may fix.

    ``delay`` is the wait before the next attempt; ``floor`` the part of it the server asked for
    (Retry-After), which may not be shortened.
    """

    def __init__(self, error, delay, throttled=False, floor=0.0):
        super().__init__(str(error))
        self.error = error
        self.delay = delay
        self.throttled = throttled
        self.floor = floor


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
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None when unusable.

    Not capped: a long wait is refused against the deadline by the caller, which can say why.
    """
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        parsed = email.utils.parsedate_tz(value)
        if parsed is None:
            return None
        seconds = email.utils.mktime_tz(parsed) - time.time()
    if not math.isfinite(seconds):  # "nan", "inf", "1e400": not a delay we can honour
        return None
    return max(seconds, 0.0)


def backoff_delay(attempt):
    """Exponential backoff with jitter: half fixed, half random, so retries of parallel pages spread out."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** (attempt - 1)))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def throttle_delay(retry_after, throttles):
    """The wait after the ``throttles``-th throttle of one request: at least what the server asked
    (Retry-After; the vendor's 2-5 s without one), plus a random spread that doubles with each throttle."""
    floor = retry_after if retry_after is not None else random.uniform(*THROTTLE_DELAY)
    spread = min(THROTTLE_SPREAD_CAP, THROTTLE_SPREAD_BASE * (2 ** (max(throttles, 1) - 1)))
    return floor + random.uniform(0, spread), floor


def shorten_middle(text, limit=CAUSE_LIMIT):
    """``text`` cut to ``limit`` characters by dropping its middle: the end (the cause) always stays."""
    if len(text) <= limit:
        return text
    keep = (limit - 5) // 2
    return text[:keep] + " ... " + text[-(limit - 5 - keep):]


# -- the bounded transport ------------------------------------------------------------------------------

_ATTEMPT = threading.local()


class _AttemptWatch:
    """The connection one attempt uses, and a timer that cuts it at the attempt's deadline."""

    def __init__(self, seconds):
        self.connection = None
        self.fired = False
        self._done = False
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0.0), self._cut)
        self._timer.daemon = True

    def __enter__(self):
        _ATTEMPT.watch = self
        self._timer.start()
        return self

    def __exit__(self, *exc_info):
        with self._lock:
            self._done = True
        self._timer.cancel()
        _ATTEMPT.watch = None

    def _cut(self):
        with self._lock:
            if self._done:
                return
            self.fired = True
            sock = getattr(self.connection, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)


def _watched(connection_class):
    """A urllib3 connection class that tells the current attempt's watch which connection it uses."""

    class WatchedConnection(connection_class):
        def _tell_watch(self):
            watch = getattr(_ATTEMPT, "watch", None)
            if watch is not None:
                watch.connection = self

        def connect(self):
            self._tell_watch()
            return super().connect()

        def request(self, *args, **kwargs):
            self._tell_watch()
            return super().request(*args, **kwargs)

    WatchedConnection.__name__ = "Watched" + connection_class.__name__
    return WatchedConnection


if requests is not None:

    class _WatchedHTTPConnectionPool(HTTPConnectionPool):
        ConnectionCls = _watched(HTTPConnection)

    class _WatchedHTTPSConnectionPool(HTTPSConnectionPool):
        ConnectionCls = _watched(HTTPSConnection)

    WATCHED_POOLS = {"http": _WatchedHTTPConnectionPool, "https": _WatchedHTTPSConnectionPool}
else:  # pragma: no cover
    WATCHED_POOLS = {}


class _WatchedAdapter(HTTPAdapter):
    """requests' adapter whose connections (direct or through an HTTP proxy) report to the attempt's watch."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(WATCHED_POOLS)

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):  # SOCKS pools connect their own way
            manager.pool_classes_by_scheme = dict(WATCHED_POOLS)
        return manager


class ResponseTooLarge(Exception):
    """Internal: the decoded body passed the size cap."""


class UnsupportedEncoding(Exception):
    """Internal: the body is encoded in a way the client did not ask for and cannot decode."""


class _BodyReader:
    """Reads a streamed body, inflating gzip/deflate here in bounded steps, and stops at ``limit`` bytes."""

    def __init__(self, response, limit):
        self.response = response
        self.limit = limit
        encoding = (response.headers.get("Content-Encoding") or "identity").strip().lower()
        if encoding in ("", "identity"):
            self.decoder = None
        elif encoding in ("gzip", "x-gzip"):
            self.decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self.decoder = zlib.decompressobj()
        else:
            raise UnsupportedEncoding(
                "the server sent a body encoded as %r, which was not asked for (Accept-Encoding: %s)" % (encoding, ACCEPTED_ENCODINGS))
        self.encoding = encoding

    def read(self):
        declared = self.response.headers.get("Content-Length")
        if self.decoder is None and declared and declared.isdigit() and int(declared) > self.limit:
            raise ResponseTooLarge(int(declared))
        parts = []
        size = 0
        raw = self.response.raw
        while True:
            data = raw.read(READ_CHUNK, decode_content=False)
            if not data:
                break
            for piece in self._decode(data, self.limit - size + 1):
                size += len(piece)
                if size > self.limit:
                    raise ResponseTooLarge(size)
                parts.append(piece)
        for piece in self._flush():
            size += len(piece)
            if size > self.limit:
                raise ResponseTooLarge(size)
            parts.append(piece)
        return b"".join(parts)

    def _decode(self, data, room):
        if self.decoder is None:
            yield data
            return
        try:
            # Inflated in steps of at most DECODE_STEP bytes: no single allocation grows with the bomb.
            out = self.decoder.decompress(data, max(1, min(room, DECODE_STEP)))
            yield out
            while self.decoder.unconsumed_tail:
                room -= len(out)
                if room <= 0:
                    raise ResponseTooLarge(self.limit + 1)
                out = self.decoder.decompress(self.decoder.unconsumed_tail, min(room, DECODE_STEP))
                yield out
        except zlib.error:
            if self.encoding == "deflate" and not isinstance(self.decoder, _RawDeflate):
                # Some servers send raw deflate without the zlib header: start again that way.
                self.decoder = _RawDeflate()
                yield from self._decode(data, room)
                return
            raise

    def _flush(self):
        if self.decoder is None:
            return []
        return [self.decoder.flush()]


class _RawDeflate:
    """A decompressobj for deflate streams sent without the zlib header (a marker class for the retry)."""

    def __init__(self):
        self._inner = zlib.decompressobj(-zlib.MAX_WBITS)

    def decompress(self, data, max_length=0):
        return self._inner.decompress(data, max_length)

    @property
    def unconsumed_tail(self):
        return self._inner.unconsumed_tail

    def flush(self):
        return self._inner.flush()


# -- the client ---------------------------------------------------------------------------------------


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
                 pause=time.sleep):
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
        self.secrets = []
        for secret in secrets:
            self.add_secret(secret)
        self.session = requests.Session()
        # One pool sized to the page concurrency: every page reuses a kept-alive connection.
        adapter = _WatchedAdapter(pool_connections=4, pool_maxsize=max(pool_size, 1), max_retries=0)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.headers["Accept"] = "application/json"
        self.session.headers["Accept-Encoding"] = ACCEPTED_ENCODINGS
        self.session.headers["User-Agent"] = "hwcloud.tasks-ansible-collection"
        self._lock = threading.Lock()
        # A throttle seen by one request holds back the first attempts of the others until then.
        self._throttled_until = 0.0
        self.stats = {"requests": 0, "retries": 0, "throttled": 0}

    # -- secrets ------------------------------------------------------------------------------------

    def add_secret(self, secret):
        """A credential (given as an option, or learnt at run time: an IAM token) is masked in every form it travels in."""
        for form in secret_forms(secret):
            if form not in self.secrets:
                self.secrets.append(form)
        self.secrets.sort(key=len, reverse=True)  # mask the longest form first

    def scrub(self, text):
        text = "" if text is None else str(text)
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text

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
        started = self.clock()
        # No attempt starts after this: retry_timeout from the first, and never too close to the caller's end.
        retry_deadline = started + self.retry_timeout
        if deadline is not None:
            retry_deadline = min(retry_deadline, deadline - MIN_ATTEMPT_SECONDS)
        url = url_with_query(url, params)
        reauthenticated = False
        attempt = 0
        failures = 0
        throttles = 0
        while True:
            attempt += 1
            self._hold_back_after_throttle(attempt, retry_deadline)
            self._count("requests")
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
                if failure.throttled:
                    throttles += 1
                    failure.delay, failure.floor = throttle_delay(failure.floor if failure.floor else None, throttles)
                    self._note_throttle(failure.floor)
                else:
                    failures += 1
                    if failures > self.retries:
                        failure.error.attempts = attempt
                        raise failure.error from None
                self._sleep_before_retry(failure, attempt, retry_deadline, deadline)

    def _hold_back_after_throttle(self, attempt, start_by):
        """A first attempt waits while another request of this run is asked to (Retry-After), but no later
        than ``start_by``, when this request's own budget would leave it no time at all."""
        if attempt > 1:
            return
        wait = min(self._throttled_until, start_by) - self.clock()
        if wait > 0:
            self.pause(wait)

    def _note_throttle(self, floor):
        with self._lock:
            self._throttled_until = max(self._throttled_until, self.clock() + floor)

    def _sleep_before_retry(self, failure, attempt, retry_deadline, deadline):
        """Sleep before the next attempt, or raise the last error when the next attempt could not start in time."""
        now = self.clock()
        error = failure.error
        error.attempts = attempt
        if now + failure.floor >= retry_deadline:
            left = max(retry_deadline - now, 0.0)
            error.kind = error.kind or "deadline"
            if failure.floor:
                error.message += (
                    "; the server asked to wait %s s before trying again (Retry-After), more than the %.1f s left (%s)"
                    % (_seconds_text(failure.floor), left, self._budget_name(retry_deadline, deadline))
                )
            else:
                error.message += "; no time left to try again (%s)" % self._budget_name(retry_deadline, deadline)
            raise error from None
        delay = min(failure.delay, retry_deadline - now)
        self._count("retries")
        self.pause(delay)

    def _budget_name(self, retry_deadline, deadline):
        if deadline is not None and deadline - MIN_ATTEMPT_SECONDS <= retry_deadline:
            return "the wait's deadline"
        return "retry_timeout=%s s" % _seconds_text(self.retry_timeout)

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
        watch = _AttemptWatch(seconds)
        response = None
        try:
            with watch:
                response = self.session.send(prepared, timeout=seconds, allow_redirects=False, stream=True, **settings)
                try:
                    body = _BodyReader(response, self.max_response_size).read()
                finally:
                    response.close()
            return response, body
        except ResponseTooLarge as exc:
            raise ApiError(
                "the answer is larger than max_response_size=%d bytes (%s so far): not read further. Narrow the query "
                "(filters, a smaller page), or raise max_response_size if the service really sends that much"
                % (self.max_response_size, exc.args[0] if exc.args else "more"),
                status=response.status_code if response is not None else None,
                request_id=response.headers.get("X-Request-Id") if response is not None else None,
                method=method,
                url=display_url,
                kind="too_large",
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
            if watch.fired or isinstance(exc, TIMEOUT_ERRORS):
                error = ApiError(
                    "no complete answer within timeout=%ss (connecting, sending, and reading the whole answer)" % _seconds_text(seconds),
                    method=method,
                    url=display_url,
                )
            elif isinstance(exc, zlib.error):
                error = ApiError("the server sent a %s body that does not inflate (%s)" % (response.headers.get("Content-Encoding"), exc),
                                 method=method, url=display_url)
            elif not isinstance(exc, requests.exceptions.RequestException) or isinstance(
                    exc, (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
                cause = connection_cause(exc)
                error = ApiError(
                    "connection failed: %s" % self.scrub(shorten_middle(cause)),
                    method=method,
                    url=display_url,
                    kind="name_resolution" if _is_name_resolution(exc, cause) else None,
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
                kind="redirect",
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


def _seconds_text(seconds):
    return ("%d" % seconds) if float(seconds).is_integer() else ("%.1f" % seconds)


def connection_cause(exc):
    """The innermost reason of a connection failure, without urllib3's object reprs:
    "Failed to resolve 'host' ([Errno -2] Name or service not known)", "[Errno 111] Connection refused"."""
    seen = set()
    reason = exc
    while reason is not None and id(reason) not in seen:
        seen.add(id(reason))
        inner = getattr(reason, "reason", None)
        if inner is None and reason.args and isinstance(reason.args[0], BaseException):
            inner = reason.args[0]
        if inner is None and len(reason.args) == 2 and isinstance(reason.args[1], BaseException):
            # urllib3's ProtocolError("Connection aborted.", RemoteDisconnected(...)): say both.
            text = "%s: %s" % (str(reason.args[0]).rstrip("."), _exception_text(reason.args[1]))
            return _without_object_reprs(text)
        if inner is None or not isinstance(inner, BaseException):
            break
        reason = inner
    return _without_object_reprs(_exception_text(reason)) or type(exc).__name__


def _exception_text(exc):
    return str(exc) or type(exc).__name__


def _without_object_reprs(text):
    """"<urllib3.connection.HTTPSConnection object at 0x7f...>: Failed to resolve ..." -> "Failed to resolve ...", and the
    same for "HTTPConnection(host='h', port=9): ..."."""
    text = re.sub(r"<[\w.]+ object at 0x[0-9a-fA-F]+>:?\s*", "", text)
    # urllib3 2 names its connection class and address ("WatchedHTTPConnection(host='h', port=9): "); the URL says where.
    return re.sub(r"\b\w*Connection(?:Pool)?\(host=[^()]*\):\s*", "", text).strip()


def _is_name_resolution(exc, cause):
    if "NameResolution" in type(exc).__name__ or "Failed to resolve" in cause:
        return True
    inner = exc
    while inner is not None:
        if isinstance(inner, socket.gaierror):
            return True
        inner = inner.__context__ or inner.__cause__
    return "Name or service not known" in cause or "nodename nor servname" in cause


def secret_forms(secret):
    """The forms a secret can travel in through a message or a result: as is, JSON-escaped (quotes,
    backslashes, non-ASCII as \\uXXXX or as is), Python repr-escaped, percent-encoded and HTML-escaped."""
    if not secret or not isinstance(secret, str):
        return []
    from urllib.parse import quote, quote_plus  # pylint: disable=import-outside-toplevel
    import html  # pylint: disable=import-outside-toplevel

    forms = [
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        repr(secret)[1:-1],
        ascii(secret)[1:-1],
        quote(secret, safe=""),
        quote_plus(secret, safe=""),
        re.sub("%[0-9A-F]{2}", lambda escape: escape.group(0).lower(), quote(secret, safe="")),
        html.escape(secret),
    ]
    unique = []
    for form in forms:
        if form and form not in unique:
            unique.append(form)
    return unique
