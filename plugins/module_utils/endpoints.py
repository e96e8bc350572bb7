# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where each service lives: region -> public host, or the user's override."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Public host prefixes; VAS answers on ``iva``, not ``vas``.
SERVICE_HOSTS = {
    "hilens": "hilens",
    "vias": "vias",
    "vas": "iva",
    "octopus": "octopus",
    "iam": "iam",
}

REGION_PATTERN = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+\Z")
GLOBAL_IAM_ENDPOINT = "https://iam.myhuaweicloud.com"


class EndpointError(ValueError):
    """The options do not say where to send requests."""


def validate_endpoint_url(url, option):
    problem = None
    if not re.match(r"^https?://[^/\s?#]+(/[^\s?#]*)?\Z", url):
        problem = "must be an http(s) URL"
    else:
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018  raises ValueError for a port out of range or not a number
            if not parts.hostname:
                problem = "has no host"
            elif not parts.hostname.isascii():
                problem = "must name its host in ASCII (the xn-- punycode form of an international name)"
        except (ValueError, UnicodeError) as exc:
            problem = "is not a valid URL (%s)" % exc
    if problem:
        raise EndpointError(
            "%s %s, such as https://vias.cn-north-4.myhuaweicloud.com (got %r)" % (option, problem, url)
        )
    return url.rstrip("/")


def resolve_endpoint(service, region=None, endpoint=None):
    """Return the base URL for ``service``: an explicit ``endpoint`` wins, then the region's public host."""
    if endpoint:
        return validate_endpoint_url(endpoint, "endpoint")
    if not region:
        raise EndpointError(
            "Neither region nor endpoint is set: set region (or HW_REGION_NAME), "
            "or endpoint for a private or test server"
        )
    if not REGION_PATTERN.match(region):
        raise EndpointError("region must look like cn-north-4 (got %r)" % (region,))
    return "https://%s.%s.myhuaweicloud.com" % (SERVICE_HOSTS[service], region)


def resolve_iam_endpoint(region=None, iam_endpoint=None):
    """IAM: the explicit ``iam_endpoint``, else the region's IAM host, else the global one."""
    if iam_endpoint:
        return validate_endpoint_url(iam_endpoint, "iam_endpoint")
    if region:
        return resolve_endpoint("iam", region)
    return GLOBAL_IAM_ENDPOINT
