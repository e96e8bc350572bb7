# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a module declares, and the options every module shares.

A module file holds one :class:`ModuleDeclaration`: its kind of item, its own
options, the rules between them, the ranges its numbers must keep, and how its
options become a selection (which API, which ids or which query). Both
front-ends (the module run where the task runs, and the action plugin run on
the controller) validate against the argument spec it builds and hand the
validated options to the engine, so the two paths cannot disagree.
"""

from __future__ import annotations

import copy

from ansible.module_utils.common.parameters import env_fallback
from ansible.module_utils.common.text.formatters import human_to_bytes

from ansible_collections.hwcloud.tasks.plugins.module_utils.http_client import DEFAULT_RETRY_TIMEOUT
from ansible_collections.hwcloud.tasks.plugins.module_utils.errors import ParameterError
from ansible_collections.hwcloud.tasks.plugins.module_utils.phase import PHASES

SECRET_OPTIONS = ("auth_token", "secret_key", "password", "security_token")

# Documented in doc_fragments/common.py (DOCUMENTATION); keep the two in step (ansible-test sanity checks it).
COMMON_ARGUMENT_SPEC = dict(
    region=dict(type="str", fallback=(env_fallback, ["HW_REGION_NAME"])),
    project_id=dict(type="str", required=True, fallback=(env_fallback, ["HUAWEICLOUD_SDK_PROJECT_ID", "HW_PROJECT_ID"])),
    endpoint=dict(type="str"),
    auth_token=dict(type="str", no_log=True),
    access_key=dict(type="str", no_log=False, fallback=(env_fallback, ["HUAWEICLOUD_SDK_AK", "HW_ACCESS_KEY"])),
    secret_key=dict(type="str", no_log=True, fallback=(env_fallback, ["HUAWEICLOUD_SDK_SK", "HW_SECRET_KEY"])),
    security_token=dict(
        type="str", no_log=True, fallback=(env_fallback, ["HUAWEICLOUD_SDK_SECURITY_TOKEN", "HW_SECURITY_TOKEN"])
    ),
    user_name=dict(type="str", fallback=(env_fallback, ["HW_USER_NAME"])),
    password=dict(type="str", no_log=True, fallback=(env_fallback, ["HW_PASSWORD"])),
    domain_name=dict(type="str", fallback=(env_fallback, ["HW_DOMAIN_NAME"])),
    iam_endpoint=dict(type="str", fallback=(env_fallback, ["HUAWEICLOUD_SDK_IAM_ENDPOINT", "HW_AUTH_URL"])),
    validate_certs=dict(type="bool", default=True),
    ca_path=dict(type="path"),
    timeout=dict(type="int", default=30),
    retries=dict(type="int", default=4),
    retry_timeout=dict(type="int", default=DEFAULT_RETRY_TIMEOUT),
    # raw, converted by response_size(): ansible's own "bytes" type raises OverflowError on a very long number.
    max_response_size=dict(type="raw", default="64M"),
    schema_validation=dict(type="str", default="strict", choices=["strict", "warn", "off"]),
)

# Documented in doc_fragments/common.py (WAIT).
WAIT_ARGUMENT_SPEC = dict(
    wait_for=dict(type="list", elements="str", choices=list(PHASES), default=[]),
    wait_for_states=dict(type="list", elements="str", default=[]),
    fail_on=dict(type="list", elements="str", choices=list(PHASES), default=["failed"]),
    wait_timeout=dict(type="float", default=300),
    wait_sleep=dict(type="int", default=5),
    wait_progress=dict(type="int", default=30),
)

# Pages in flight at once after the first: 16 halves the round trips of a
# 50-page list compared with 8 (benchmarks/, S1 and S2), and a throttled
# page is retried on its own with backoff.
DEFAULT_PAGE_CONCURRENCY = 16

# Documented in doc_fragments/common.py (LIST).
LIST_ARGUMENT_SPEC = dict(
    page_concurrency=dict(type="int", default=DEFAULT_PAGE_CONCURRENCY),
    max_pages=dict(type="int", default=1000),
    fields=dict(type="list", elements="str"),
    summary=dict(type="bool", default=False),
    return_items=dict(type="bool", default=True),
    wait_min_count=dict(type="int", default=1),
)

# (option, lowest, highest or None, what to do instead): checked before any request is sent.
COMMON_RANGES = (
    ("timeout", 1, 3600, None),
    ("retries", 0, 10, None),
    ("retry_timeout", 1, 86400, None),
    ("max_response_size", 1024, 2 ** 30, "it counts the bytes of one answer after decompression, for example 64M"),
    ("wait_timeout", 1, 86400, None),
    ("wait_sleep", 1, 3600, None),
    ("wait_progress", 0, 86400, "0 prints no progress lines"),
)
LIST_RANGES = (("page_concurrency", 1, 32, None), ("max_pages", 1, 100000, None), ("wait_min_count", 0, None, None))
PAGE_HINT = "omit it to read every page"


class ObjectSelection:
    """Objects read one by one: ``api`` once per id, with ``path_params`` besides the id."""

    def __init__(self, api, ids, single, path_params=None):
        self.api = api
        self.ids = list(ids)
        self.single = single
        self.path_params = dict(path_params or {})


class ListSelection:
    """A list API read whole (or the one page ``named_page`` names), with its query."""

    def __init__(self, api, path_params=None, query=None, named_page=None, unpaged=False):
        self.api = api
        self.path_params = dict(path_params or {})
        self.query = dict((name, value) for name, value in (query or {}).items() if value is not None)
        self.named_page = named_page
        self.unpaged = unpaged


class ModuleDeclaration:
    """A module: its kind, its own options and the rules between them, and ``select(params)``, which turns
    validated options into an ObjectSelection or a ListSelection (ParameterError when they cannot make one)."""

    def __init__(self, name, kind, options, select, list_options=False, ranges=(), mutually_exclusive=(), required_one_of=(),
                 required_by=None, required_if=()):
        self.name = name
        self.kind = kind
        self.options = options
        self.select = select
        self.list_options = list_options
        self.ranges = tuple(ranges)
        self.mutually_exclusive = list(mutually_exclusive)
        self.required_one_of = list(required_one_of)
        self.required_by = dict(required_by or {})
        self.required_if = list(required_if)

    def argument_spec(self):
        spec = dict(COMMON_ARGUMENT_SPEC)
        spec.update(WAIT_ARGUMENT_SPEC)
        if self.list_options:
            spec.update(LIST_ARGUMENT_SPEC)
        spec.update(self.options)
        return copy.deepcopy(spec)  # the kinds' filter specs are shared: no validator may change them

    def rules(self):
        """The keyword arguments that AnsibleModule and ArgumentSpecValidator both take."""
        rules = dict(
            mutually_exclusive=self.mutually_exclusive,
            required_one_of=self.required_one_of,
            required_by=self.required_by,
            required_if=self.required_if,
        )
        return dict((name, rule) for name, rule in rules.items() if rule)

    def all_ranges(self):
        return COMMON_RANGES + (LIST_RANGES if self.list_options else ()) + self.ranges


def paging_options(paging, size_aliases=()):
    """The options that name one page of a list API: its start (offset or page_num) and its size (limit)."""
    size = dict(type="int")
    if size_aliases:
        size["aliases"] = list(size_aliases)
    return {paging.start_param: dict(type="int"), "limit": size}


def named_page(paging, params):
    """The paging parameters the user set (then only that page is read), or None to read every page."""
    start = params.get(paging.start_param)
    size = params.get("limit")
    if start is None and size is None:
        return None
    return {paging.start_param: paging.first if start is None else start, paging.size_param: paging.default_size if size is None else size}


def response_size(value):
    """max_response_size in bytes: a number, or a size with a unit (V(64M)); ParameterError otherwise."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        if isinstance(value, str) and value.strip():
            return human_to_bytes(value.strip())
    except (TypeError, ValueError, OverflowError):
        pass
    raise ParameterError("max_response_size must be a number of bytes or a size with a unit, for example 64M (got %r)"
                         % (value if not isinstance(value, str) or len(value) <= 40 else value[:40] + "..."))
