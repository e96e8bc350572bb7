"""Vendor-shaped JSON responses and error bodies.

Every service answers ``{"error_code", "error_msg"}``; VIAS adds ``detail``,
``params``, ``reason`` and ``advice``; the API gateway in front of all of them
uses ``APIG.*``/``APIGW.*`` codes; IAM nests its error under ``error``.
Service error codes follow one made-up but plausible pattern,
``<PREFIX>.10<status>`` (e.g. ``VIAS.10404``).
"""

import json

from aiohttp import web

JSON_CONTENT_TYPE = "application/json;charset=UTF-8"

#: service name -> error code prefix (VAS is served by the host named "iva").
PREFIXES = {"hilens": "HiLens", "vias": "VIAS", "vias_batch": "VIAS", "vas": "IVA",
            "octopus": "Octopus"}
#: Services whose error bodies carry the extra VIAS fields.
VERBOSE_SERVICES = {"vias", "vias_batch"}

GATEWAY_ERRORS = {
    401: ("APIG.0301", "Incorrect IAM authentication information: the request was not authenticated"),
    403: ("APIG.0302", "The IAM or app user is not authorized to access the API"),
    429: ("APIGW.0308", "The throttling threshold has been reached"),
    502: ("APIG.0202", "Backend unavailable"),
    504: ("APIG.0201", "Backend timeout"),
}
SERVICE_MESSAGES = {400: "Bad request", 404: "The requested resource does not exist",
                    500: "Internal server error", 503: "Service unavailable"}
IAM_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
              429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
              503: "Service Unavailable", 504: "Gateway Timeout"}


def json_response(payload, status=200, headers=None):
    """JSON with the exact content type the vendor sends."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return web.Response(body=body, status=status,
                        headers={"Content-Type": JSON_CONTENT_TYPE, **(headers or {})})


def error_body(service, code, message, param=None):
    body = {"error_code": code, "error_msg": message}
    if service in VERBOSE_SERVICES:
        body.update(detail=message, params=[param] if param else [],
                    reason=message, advice="Check the request and try again.")
    return body


def service_error(service, status, message=None, param=None):
    """A service's own error (400/404/500/503) in its vendor shape."""
    code = f"{PREFIXES.get(service, 'APIG')}.10{status}"
    return json_response(error_body(service, code, message or SERVICE_MESSAGES.get(status, "Error"), param),
                         status)


def gateway_error(status, message=None, headers=None):
    """An error the API gateway produces (auth, throttling, backend failures)."""
    code, default = GATEWAY_ERRORS[status]
    return json_response({"error_code": code, "error_msg": message or default}, status, headers)


def _iam_body(status, message):
    return {"error": {"code": status, "message": message, "title": IAM_TITLES.get(status, "Error")}}


def iam_error(status, message):
    return json_response(_iam_body(status, message), status)


def status_error_body(service, status, message=None):
    """The body a forced ``status`` fault answers with, for any supported status."""
    if service == "iam":
        return _iam_body(status, message or IAM_TITLES.get(status, "Error"))
    if status in GATEWAY_ERRORS:
        code, default = GATEWAY_ERRORS[status]
        return {"error_code": code, "error_msg": message or default}
    code = f"{PREFIXES.get(service, 'APIG')}.10{status}"
    return error_body(service, code, message or SERVICE_MESSAGES.get(status, "Error"))
