# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Huawei Cloud API Gateway AK/SK request signer (``SDK-HMAC-SHA256``).

Pure standard library implementation of the algorithm used by the official
Huawei Cloud Python SDK (``huaweicloudsdkcore.signer.signer.Signer``, checked
against huaweicloudsdkcore 3.1.219), without depending on that SDK.

Overview::

    CanonicalRequest = METHOD "\\n" CanonicalURI "\\n" CanonicalQueryString "\\n"
                       CanonicalHeaders "\\n" SignedHeaders "\\n" HexSHA256(body)
    StringToSign     = "SDK-HMAC-SHA256\\n" X-Sdk-Date "\\n" HexSHA256(CanonicalRequest)
    Signature        = HexHMAC-SHA256(SK, StringToSign)
    Authorization    = "SDK-HMAC-SHA256 Access=AK, SignedHeaders=h1;h2, Signature=sig"

Behaviours matched with the SDK (all derived from the URL *as sent on the
wire*, so the signature is reproducible by a server that sees that URL):

* Canonical URI: the whole path is percent-decoded (UTF-8) first, then split on
  ``/``, then every segment is percent-encoded keeping only the RFC 3986
  unreserved characters (``A-Z a-z 0-9 - . _ ~``), segments are re-joined with
  ``/`` and a trailing ``/`` is appended if missing.  Consequence (identical to
  the SDK, which sends ``quote(id, safe='')`` on the wire but signs
  ``unquote(path)``): an encoded slash ``%2F`` inside an id is signed as a
  literal path separator ``/``; an encoded space ``%20`` stays ``%20``; an
  already-encoded id is never double-encoded.  An empty path signs as ``/``.
* Canonical query string: the raw query is parsed with
  ``urllib.parse.parse_qsl`` (``+`` means space, blank values kept), the
  *decoded* ``(key, value)`` pairs are sorted (by key, then by value for
  repeated keys), then each key and value is percent-encoded as above and
  joined as ``k=v`` with ``&``.  :func:`canonical_query_string` returns that
  string, which is also the form the SDK itself puts on the wire.
* Signed headers: every header given (plus ``X-Sdk-Date`` and ``Host`` added
  here) is signed, except header names containing ``_`` (the SDK skips them,
  gateways drop such headers).  Names are lower-cased and sorted, values are
  ``str(value).strip()``.  An ``Authorization`` header passed in is not signed
  (the returned one supersedes it).
* ``X-Sdk-Date``: taken from the given headers when already present (it must be
  in ``%Y%m%dT%H%M%SZ`` format), otherwise ``now`` (default: current UTC time).
* ``Host``: taken from the given headers when present, otherwise the URL's
  ``host[:port]`` with the port omitted when it is the scheme default
  (443 for https, 80 for http).
* Payload hash: SHA-256 of the body (``str`` is UTF-8 encoded); an empty or
  missing body hashes as the empty string.  Like the SDK, when a
  ``Content-Type`` is given that does not start with ``application/json`` or
  ``application/bson``, the header ``X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`` is
  added (and signed), and that value replaces the body hash when the body is
  not empty.  A caller-supplied ``X-Sdk-Content-Sha256`` is honoured the same
  way.
"""

import hashlib
import hmac
from datetime import datetime, timezone

from urllib.parse import parse_qsl, quote, unquote, urlsplit

SIGNING_ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"

HEADER_DATE = "X-Sdk-Date"
HEADER_HOST = "Host"
HEADER_AUTHORIZATION = "Authorization"
HEADER_CONTENT_SHA256 = "X-Sdk-Content-Sha256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"

EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

_DEFAULT_PORTS = {"http": 80, "https": 443}
_SIGNED_PAYLOAD_CONTENT_TYPES = ("application/json", "application/bson")


def _to_bytes(data):
    if data is None:
        return b""
    if isinstance(data, str):
        return data.encode("utf-8")
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise TypeError("body must be bytes, str or None, not %s" % type(data).__name__)


def _to_text(value):
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8")
    return str(value)


def _get_header(headers, name):
    """Case-insensitive header lookup; returns None when absent."""
    lname = name.lower()
    for key, value in headers.items():
        if key.lower() == lname:
            return value
    return None


def url_encode(value):
    """Percent-encode ``value`` keeping only RFC 3986 unreserved characters."""
    return quote(_to_text(value), safe="~")


def hex_sha256(data):
    """Hex SHA-256 digest of ``data`` (bytes or str)."""
    return hashlib.sha256(_to_bytes(data)).hexdigest()


def format_date(now=None):
    """Format ``now`` (aware datetime, naive means UTC; default current time) as X-Sdk-Date."""
    if now is None:
        now = datetime.now(timezone.utc)
    elif now.tzinfo is not None:
        now = now.astimezone(timezone.utc)
    return now.strftime(DATE_FORMAT)


def canonical_uri(path):
    """Canonical URI for a path as sent on the wire (possibly percent-encoded)."""
    if not path:
        path = "/"
    encoded = "/".join(url_encode(segment) for segment in unquote(path).split("/"))
    if not encoded.endswith("/"):
        encoded += "/"
    return encoded


def canonical_query(pairs):
    """The canonical query string of decoded ``(key, value)`` pairs: sorted by key, then value, each
    percent-encoded keeping only unreserved characters (a space is ``%20``). The client sends exactly
    this on the wire, so that what the gateway reads back is what was signed."""
    return "&".join("%s=%s" % (url_encode(key), url_encode(value)) for key, value in sorted(pairs))


def canonical_query_string(query):
    """Canonical query string for a raw query string as sent (without ``?``)."""
    if not query:
        return ""
    return canonical_query(parse_qsl(query, keep_blank_values=True))


def signed_header_names(headers):
    """Sorted lower-case names of the headers that get signed."""
    names = set()
    for key in headers:
        if "_" in key or key.lower() == HEADER_AUTHORIZATION.lower():
            continue
        names.add(key.lower())
    return sorted(names)


def canonical_headers(headers, signed_headers):
    """``name:value`` lines (each followed by a newline) for ``signed_headers``."""
    values = {}
    for key, value in headers.items():
        values[key.lower()] = _to_text(value).strip()
    return "".join("%s:%s\n" % (name, values[name]) for name in signed_headers)


def payload_hash(body, headers):
    """Hex SHA-256 of the body, or the X-Sdk-Content-Sha256 override for a non-empty body."""
    data = _to_bytes(body)
    if not data:
        return EMPTY_SHA256
    override = _get_header(headers, HEADER_CONTENT_SHA256)
    if override:
        return _to_text(override)
    return hex_sha256(data)


def canonical_request(method, path, query, headers, signed_headers, body_hash):
    """Build the canonical request string.

    ``path`` and ``query`` are taken as sent on the wire; ``headers`` must
    already contain X-Sdk-Date and Host; ``body_hash`` is the hex payload hash.
    """
    return "%s\n%s\n%s\n%s\n%s\n%s" % (
        method.upper(),
        canonical_uri(path),
        canonical_query_string(query),
        canonical_headers(headers, signed_headers),
        ";".join(signed_headers),
        body_hash,
    )


def string_to_sign(canonical_req, sdk_date):
    """``SDK-HMAC-SHA256\\n{X-Sdk-Date}\\n{hex sha256(canonical request)}``."""
    return "%s\n%s\n%s" % (SIGNING_ALGORITHM, sdk_date, hex_sha256(canonical_req))


def signature(secret_key, to_sign):
    """Hex HMAC-SHA256 of the string to sign keyed with the secret key."""
    return hmac.new(_to_bytes(secret_key), _to_bytes(to_sign), hashlib.sha256).hexdigest()


def authorization_header(access_key, signed_headers, sig):
    """Value of the Authorization header."""
    return "%s Access=%s, SignedHeaders=%s, Signature=%s" % (
        SIGNING_ALGORITHM, access_key, ";".join(signed_headers), sig)


def host_header(url):
    """``host[:port]`` of ``url``, without userinfo and without a default port."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    port = parts.port
    if port is not None and port == _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = host[:host.rfind(":")]
    return host


def sign_request(method, url, headers, body, access_key, secret_key, now=None):
    """Sign a request with SDK-HMAC-SHA256 and return the headers to add.

    :arg method: HTTP method.
    :arg url: full URL as sent (``scheme://host[:port]/path?query``).
    :arg headers: mapping of the headers already set (X-Project-Id,
        X-Security-Token, Content-Type...); all are signed except names
        containing ``_`` and ``Authorization``.  It is not modified.
    :arg body: request body as bytes, str or None.
    :arg access_key: AK.
    :arg secret_key: SK.
    :arg now: aware datetime used for X-Sdk-Date (default: current UTC time);
        ignored when ``headers`` already has an X-Sdk-Date.
    :returns: dict with ``Authorization`` and, when not already in
        ``headers``, ``X-Sdk-Date``, ``Host`` and (for non-JSON content types)
        ``X-Sdk-Content-Sha256``.  The caller must send all given and returned
        headers unchanged.
    """
    if not access_key:
        raise ValueError("access_key is required")
    if not secret_key:
        raise ValueError("secret_key is required")

    headers = dict(headers or {})
    added = {}

    content_type = _get_header(headers, "Content-Type")
    if content_type and not _to_text(content_type).startswith(_SIGNED_PAYLOAD_CONTENT_TYPES) \
            and _get_header(headers, HEADER_CONTENT_SHA256) is None:
        added[HEADER_CONTENT_SHA256] = UNSIGNED_PAYLOAD

    existing_date = _get_header(headers, HEADER_DATE)
    if existing_date is None:
        sdk_date = format_date(now)
        added[HEADER_DATE] = sdk_date
    else:
        # Same as the SDK: validate and normalise the provided date.
        sdk_date = datetime.strptime(_to_text(existing_date).strip(), DATE_FORMAT).strftime(DATE_FORMAT)

    if _get_header(headers, HEADER_HOST) is None:
        added[HEADER_HOST] = host_header(url)

    headers.update(added)

    parts = urlsplit(url)
    signed = signed_header_names(headers)
    creq = canonical_request(method, parts.path, parts.query, headers, signed,
                             payload_hash(body, headers))
    sig = signature(secret_key, string_to_sign(creq, sdk_date))
    added[HEADER_AUTHORIZATION] = authorization_header(access_key, signed, sig)
    return added
