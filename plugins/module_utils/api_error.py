# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one shape of a failed request, and the words for its cause.

An :class:`ApiError` says what went wrong for a human and carries the fields a failed result
gives playbooks (status, the vendor's error code, the request id). The helpers turn the vendor's
error bodies and the transport's exceptions into short sentences that keep the cause and name
no library internals.
"""

from __future__ import annotations

import re
import socket

from ansible_collections.hwcloud.tasks.plugins.module_utils.errors import HwcloudTasksError

# Throttling and server-side failures are worth another try; other 4xx are not.
TRANSIENT_STATUSES = frozenset((429, 500, 502, 503, 504))
# Longest cause of a connection failure kept in a message; a longer one loses its middle, never its end.
CAUSE_LIMIT = 300


class ApiError(HwcloudTasksError):
    """A request that did not produce a usable answer, described for a human and for a failed result.

    ``category`` tells callers what went wrong when they must react to it: ``name_resolution`` (the host
    name does not resolve), ``too_large`` (the body passed the size cap), ``redirect``, ``deadline``
    (no time was left for another attempt) or None.
    """

    def __init__(self, message, status=None, error_code=None, request_id=None, method=None, url=None, attempts=1, category=None,
                 answered=None):
        super().__init__(message)
        # Whether the server began an answer (a status line came back), even when the answer was then unusable
        # (cut off, dripped past the timeout, not inflating): a status says so by itself.
        self.answered = status is not None if answered is None else answered
        self.status = status
        self.error_code = error_code
        self.request_id = request_id
        self.method = method
        self.url = url
        self.attempts = attempts
        self.category = category

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

    @property
    def retryable(self):
        """No answer at all, a throttle or a server error: another attempt may succeed. A redirect, an answer past
        the size cap, or any other refusal will be the same next time."""
        if self.category in ("redirect", "too_large"):
            return False
        return self.status is None or self.status in TRANSIENT_STATUSES

    def to_result(self):
        """The fields a failed result carries beside ``msg`` so that playbooks can branch on them."""
        return {
            "status": self.status,
            "error_code": self.error_code,
            "request_id": self.request_id,
            "url": self.url,
            "attempts": self.attempts,
        }


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


def shorten_middle(text, limit=CAUSE_LIMIT):
    """``text`` cut to ``limit`` characters by dropping its middle: the end (the cause) always stays."""
    if len(text) <= limit:
        return text
    keep = (limit - 5) // 2
    return text[:keep] + " ... " + text[-(limit - 5 - keep):]


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


def is_name_resolution(exc, cause):
    if "NameResolution" in type(exc).__name__ or "Failed to resolve" in cause:
        return True
    inner = exc
    while inner is not None:
        if isinstance(inner, socket.gaierror):
            return True
        inner = inner.__context__ or inner.__cause__
    return "Name or service not known" in cause or "nodename nor servname" in cause


def seconds_text(seconds):
    """``6`` for 6.0, ``5.5`` for 5.5: seconds as they were given."""
    return ("%d" % seconds) if float(seconds).is_integer() else ("%.1f" % seconds)
