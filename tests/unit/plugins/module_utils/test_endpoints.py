# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Service endpoints: region hosts, the VAS host ``iva``, explicit overrides and their validation."""

from __future__ import annotations

import pytest

from ansible_collections.hwcloud.tasks.plugins.module_utils.apis import VAS_TASK, VAS_TASKS
from ansible_collections.hwcloud.tasks.plugins.module_utils.endpoints import (
    GLOBAL_IAM_ENDPOINT,
    EndpointError,
    resolve_endpoint,
    resolve_iam_endpoint,
)
from ansible_collections.hwcloud.tasks.plugins.module_utils.kinds import KINDS


@pytest.mark.parametrize(
    "service, host",
    [
        ("hilens", "https://hilens.cn-north-4.myhuaweicloud.com"),
        ("vias", "https://vias.cn-north-4.myhuaweicloud.com"),
        ("vas", "https://iva.cn-north-4.myhuaweicloud.com"),
        ("octopus", "https://octopus.cn-north-4.myhuaweicloud.com"),
        ("vias_batch", "https://vias.cn-north-4.myhuaweicloud.com"),
    ],
)
def test_each_service_resolves_to_its_regional_public_host(service, host):
    kind = KINDS[service]
    assert resolve_endpoint((kind.list_api or kind.object_api).host, region="cn-north-4") == host
    assert resolve_endpoint("iam", region="cn-north-4") == "https://iam.cn-north-4.myhuaweicloud.com"


def test_vas_is_served_by_the_iva_host_not_vas():
    assert VAS_TASK.host == VAS_TASKS.host == "iva"
    assert resolve_endpoint(VAS_TASK.host, region="ap-southeast-1") == "https://iva.ap-southeast-1.myhuaweicloud.com"


@pytest.mark.parametrize("region", ["cn-north-4", "cn-east-3", "ap-southeast-1", "la-south-2", "cn-north-northeast-12"])
def test_well_formed_regions_are_accepted(region):
    assert resolve_endpoint("vias", region=region) == "https://vias.%s.myhuaweicloud.com" % region


@pytest.mark.parametrize(
    "region",
    [
        "CN-north-4",
        "cn-north",
        "cn4",
        "north-4",
        "cn-north-4.evil.com",
        "cn-north-4/x",
        "cn-north-4 ",
        "cn-north-4\n",
        "cn-north-x",
        "c-north-4",
        "cn--4",
    ],
)
def test_malformed_region_is_rejected_with_an_example(region):
    with pytest.raises(EndpointError) as caught:
        resolve_endpoint("hilens", region=region)

    assert "region must look like cn-north-4" in str(caught.value)
    assert repr(region) in str(caught.value)


def test_no_region_and_no_endpoint_says_how_to_set_either():
    with pytest.raises(EndpointError) as caught:
        resolve_endpoint("vias")

    message = str(caught.value)
    assert "Neither region nor endpoint is set" in message
    assert "HW_REGION_NAME" in message
    assert "endpoint" in message


def test_explicit_endpoint_wins_over_region_and_loses_its_trailing_slash():
    assert resolve_endpoint("vas", region="cn-north-4", endpoint="http://127.0.0.1:8080/") == "http://127.0.0.1:8080"


@pytest.mark.parametrize(
    "endpoint, expected",
    [
        ("https://vias.example.com", "https://vias.example.com"),
        ("http://127.0.0.1:40123", "http://127.0.0.1:40123"),
        ("https://gw.example.com/prefix/", "https://gw.example.com/prefix"),
        ("https://[::1]:8443", "https://[::1]:8443"),
    ],
)
def test_valid_endpoint_urls_are_kept_without_trailing_slash(endpoint, expected):
    assert resolve_endpoint("octopus", endpoint=endpoint) == expected


@pytest.mark.parametrize(
    "endpoint",
    [
        "vias.example.com",
        "ftp://vias.example.com",
        "https://",
        "https:///path",
        "https://a b.example.com",
        "https://vias.example.com/a b",
        "https://vias.example.com?x=1",
        "https://vias.example.com#frag",
        "https://vias.example.com\n",
        " https://vias.example.com",
    ],
)
def test_invalid_endpoint_url_is_rejected_naming_the_option(endpoint):
    with pytest.raises(EndpointError) as caught:
        resolve_endpoint("vias", endpoint=endpoint)

    assert str(caught.value).startswith("endpoint must be an http(s) URL")
    assert repr(endpoint) in str(caught.value)


def test_iam_endpoint_explicit_wins_over_region():
    assert resolve_iam_endpoint(region="cn-north-4", iam_endpoint="https://iam.example.com/") == "https://iam.example.com"


def test_iam_endpoint_from_region():
    assert resolve_iam_endpoint(region="cn-east-3") == "https://iam.cn-east-3.myhuaweicloud.com"


def test_iam_endpoint_without_region_is_the_global_one():
    assert resolve_iam_endpoint() == GLOBAL_IAM_ENDPOINT == "https://iam.myhuaweicloud.com"


@pytest.mark.parametrize("iam_endpoint", ["iam.example.com", "https://iam.example.com?x", "https://iam.example.com\n"])
def test_invalid_iam_endpoint_is_rejected_naming_iam_endpoint(iam_endpoint):
    with pytest.raises(EndpointError) as caught:
        resolve_iam_endpoint(region="cn-north-4", iam_endpoint=iam_endpoint)

    assert str(caught.value).startswith("iam_endpoint must be an http(s) URL")


def test_iam_endpoint_with_a_malformed_region_is_rejected():
    with pytest.raises(EndpointError):
        resolve_iam_endpoint(region="Beijing")


def test_endpoint_error_is_a_value_error():
    assert issubclass(EndpointError, ValueError)
