"""SDK-HMAC-SHA256 request signing (Huawei Cloud AK/SK), written from the
public algorithm description.

The server uses ``verify`` on what the client actually sent (the raw path and
raw query string), so percent-encoded ids verify the same way the official
signer produces them: the path is un-quoted, split on ``/`` and every segment
re-quoted with the RFC 3986 unreserved set; query keys and values are decoded,
sorted by (key, value) as the reference signers do, then re-quoted (a
``+`` in the query is a space, as form encoding and ``requests`` have it).
``sign_headers`` is the client side, for tests and tools that need a signed
request without the vendor SDK.
"""

import datetime
import hashlib
import hmac
from urllib.parse import quote, unquote, unquote_plus, urlsplit

from .compat import UTC

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"


def _encode(text):
    # quote() always keeps the unreserved set A-Z a-z 0-9 - _ . ~ and nothing else with safe="".
    return quote(text, safe="")


def canonical_uri(raw_path):
    """Each segment of the (un-quoted) path re-encoded, with a trailing slash."""
    path = "/".join(_encode(segment) for segment in unquote(raw_path).split("/"))
    return path if path.endswith("/") else path + "/"


def canonical_query(raw_query):
    """Decoded pairs sorted by key then value, re-encoded and joined by '&'."""
    pairs = []
    for part in raw_query.split("&"):
        if part:
            key, _sep, value = part.partition("=")
            pairs.append((unquote_plus(key), unquote_plus(value)))
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(pairs))


def canonical_headers(headers, signed_headers):
    """``name:value`` lines (lower-case name, stripped value), each ending in a newline.

    ``headers`` is any case-insensitive mapping (aiohttp's CIMultiDict) or a
    dict whose keys are already lower case.
    """
    return "".join(f"{name}:{headers[name].strip()}\n" for name in signed_headers)


def canonical_request(method, raw_path, raw_query, headers, signed_headers, body_hash):
    return "\n".join([
        method.upper(),
        canonical_uri(raw_path),
        canonical_query(raw_query),
        canonical_headers(headers, signed_headers),
        ";".join(signed_headers),
        body_hash,
    ])


def string_to_sign(canonical, sdk_date):
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{sdk_date}\n{digest}"


def signature(secret_key, text):
    return hmac.new(secret_key.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()


def parse_authorization(value):
    """Split ``SDK-HMAC-SHA256 Access=.., SignedHeaders=.., Signature=..``.

    Returns (access, [signed header names], signature) or None when malformed.
    """
    algorithm, _sep, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        return None
    fields = {}
    for item in rest.split(","):
        key, sep, val = item.strip().partition("=")
        if sep:
            fields[key] = val.strip()
    if not all(fields.get(k) for k in ("Access", "SignedHeaders", "Signature")):
        return None
    return fields["Access"], fields["SignedHeaders"].lower().split(";"), fields["Signature"]


def sign_headers(method, url, access_key, secret_key, body=b"", headers=None, now=None):
    """Return ``headers`` plus X-Sdk-Date, Host and Authorization for ``url``.

    Every header given (and Host, X-Sdk-Date) is signed; pass X-Project-Id /
    X-Security-Token in ``headers`` when needed.
    """
    parts = urlsplit(url)
    now = now or datetime.datetime.now(UTC)
    signed = dict(headers or {})
    signed.setdefault("Host", parts.netloc)
    signed["X-Sdk-Date"] = now.strftime(DATE_FORMAT)
    lower = {k.lower(): v for k, v in signed.items()}
    names = sorted(lower)
    canonical = canonical_request(method, parts.path or "/", parts.query, lower, names,
                                  hashlib.sha256(body).hexdigest())
    sig = signature(secret_key, string_to_sign(canonical, signed["X-Sdk-Date"]))
    signed["Authorization"] = (f"{ALGORITHM} Access={access_key}, "
                               f"SignedHeaders={';'.join(names)}, Signature={sig}")
    return signed
