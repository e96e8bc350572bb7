# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where each service lives: region -> public host, or the user's override."""

from __future__ import annotations

import difflib
import re
from urllib.parse import urlsplit

from ansible_collections.hwcloud.tasks.plugins.module_utils.errors import HwcloudTasksError

REGION_PATTERN = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+\Z")
GLOBAL_IAM_ENDPOINT = "https://iam.myhuaweicloud.com"


class EndpointError(HwcloudTasksError, ValueError):
    """The options do not say where to send requests."""


# Public regions of Huawei Cloud, for the hint after a host that does not resolve. A region not listed
# still works: the list only suggests what was probably meant.
KNOWN_REGIONS = (
    "cn-north-1", "cn-north-2", "cn-north-4", "cn-north-9", "cn-north-11", "cn-north-12",
    "cn-east-2", "cn-east-3", "cn-east-4", "cn-east-5",
    "cn-south-1", "cn-south-2", "cn-south-4", "cn-southwest-2", "cn-southwest-3",
    "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
    "af-south-1", "af-north-1", "la-north-2", "la-south-2", "sa-brazil-1", "na-mexico-1",
    "tr-west-1", "me-east-1", "ru-northwest-2", "eu-west-101", "eu-west-0",
)


def region_hint(region, endpoint=None):
    """After a host name that does not resolve: the known regions nearest an unknown ``region``, or None."""
    if endpoint or not region or region in KNOWN_REGIONS:
        return None
    nearest = difflib.get_close_matches(region, KNOWN_REGIONS, n=3, cutoff=0.6)
    text = "region %r is not a known Huawei Cloud region" % region
    if nearest:
        text += "; did you mean %s?" % " or ".join(nearest)
    return text + " (a new region works once its hosts resolve; endpoint names a host directly)"


def validate_endpoint_url(url, option):
    problem = None
    if "@" in url.split("?", 1)[0].split("#", 1)[0].partition("://")[2].split("/", 1)[0]:
        # Never repeat the value: what stands before the @ is a user name and a password.
        raise EndpointError(
            "%s must not carry a user name or password (https://user:password@host): they would be shown in logs and "
            "sent to the server as Basic auth. Give the address alone, and credentials with auth_token, "
            "access_key/secret_key or user_name/password" % option
        )
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


def resolve_endpoint(host, region=None, endpoint=None):
    """The base URL of an API whose public host name starts with ``host`` (its ApiSpec's; ``iam`` for IAM): an explicit
    ``endpoint`` wins, then the region's public host."""
    if endpoint:
        return validate_endpoint_url(endpoint, "endpoint")
    if not region:
        raise EndpointError(
            "Neither region nor endpoint is set: set region (or HW_REGION_NAME), "
            "or endpoint for a private or test server"
        )
    if not REGION_PATTERN.match(region):
        raise EndpointError("region must look like cn-north-4 (got %r)" % (region,))
    return "https://%s.%s.myhuaweicloud.com" % (host, region)


def resolve_iam_endpoint(region=None, iam_endpoint=None):
    """IAM: the explicit ``iam_endpoint``, else the region's IAM host, else the global one."""
    if iam_endpoint:
        return validate_endpoint_url(iam_endpoint, "iam_endpoint")
    if region:
        return resolve_endpoint("iam", region)
    return GLOBAL_IAM_ENDPOINT
