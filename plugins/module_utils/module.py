# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base of every module: shared options, one client per service, one way to fail.

A module file declares its own options and which API it reads; everything it
shares with the other modules (connection options, auth, paging, validation,
phases, summaries, projection and error reporting) lives here.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.hwcloud.tasks.plugins.module_utils import http_client as http
from ansible_collections.hwcloud.tasks.plugins.module_utils.apis import (
    PathParameterError,
    ResponseShapeError,
    build_path,
    check_path_param,
    unwrap_object,
)
from ansible_collections.hwcloud.tasks.plugins.module_utils.auth import AuthError, select_auth
from ansible_collections.hwcloud.tasks.plugins.module_utils.endpoints import EndpointError, resolve_endpoint, resolve_iam_endpoint
from ansible_collections.hwcloud.tasks.plugins.module_utils.paginate import PagingError, fetch_one_page, gather_all_pages
from ansible_collections.hwcloud.tasks.plugins.module_utils.phase import PHASE_BY_STATE, PHASES, phase_of_item, summarize
from ansible_collections.hwcloud.tasks.plugins.module_utils.validation import (
    MissingLibraryError,
    SchemaValidationError,
    validate_document,
)
from ansible_collections.hwcloud.tasks.plugins.module_utils.waiter import WaitCondition, Waiter

SECRET_OPTIONS = ("auth_token", "secret_key", "password", "security_token")

# Documented in doc_fragments/common.py (DOCUMENTATION); keep the two in step.
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
    schema_validation=dict(type="str", default="strict", choices=["strict", "warn", "off"]),
)

# Documented in doc_fragments/common.py (WAIT).
WAIT_ARGUMENT_SPEC = dict(
    wait_for=dict(type="list", elements="str", choices=list(PHASES), default=[]),
    wait_for_states=dict(type="list", elements="str", default=[]),
    fail_on=dict(type="list", elements="str", choices=list(PHASES), default=["failed"]),
    wait_timeout=dict(type="int", default=300),
    wait_sleep=dict(type="int", default=5),
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

# (option, lowest, highest or None): checked before any request is sent.
COMMON_RANGES = (("timeout", 1, 3600), ("retries", 0, 10), ("wait_timeout", 1, 86400), ("wait_sleep", 1, 3600))
LIST_RANGES = (("page_concurrency", 1, 32), ("max_pages", 1, 100000), ("wait_min_count", 0, None))

# What to add to an HTTP error so that the user knows what to change.
STATUS_HINTS = {
    401: "The credentials were refused (wrong, or an expired token): check them, or get a new token",
    403: "The credentials are not allowed to read this project: check project_id and the user's permissions",
    404: "Nothing exists at this address: check the id, project_id and endpoint",
}
# Objects fetched at once by the modules that read one object per id.
OBJECT_CONCURRENCY = 8


class HwCloudModule:
    """AnsibleModule plus the collection's shared options and behaviour."""

    def __init__(self, argument_spec=None, list_module=False, **kwargs):
        spec = dict(COMMON_ARGUMENT_SPEC)
        spec.update(WAIT_ARGUMENT_SPEC)
        if list_module:
            spec.update(LIST_ARGUMENT_SPEC)
        spec.update(argument_spec or {})
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=True, **kwargs)
        self.params = self.module.params
        self.list_module = list_module
        self.warnings = []
        self.http = None
        self._base_urls = {}
        if http.requests is None:
            self.module.fail_json(msg=missing_required_lib("requests"))
        self.require_ranges(COMMON_RANGES + (LIST_RANGES if list_module else ()))
        self.wait_condition = self.build_wait_condition()

    def build_wait_condition(self):
        """The wait the options ask for (inactive when neither wait_for nor wait_for_states is set)."""
        unknown = [state for state in self.params["wait_for_states"] if state.upper() not in PHASE_BY_STATE]
        if unknown:
            self.fail(
                "wait_for_states has unknown raw state(s) %s; known states: %s. Or wait for a phase with wait_for"
                % (", ".join(unknown), ", ".join(sorted(PHASE_BY_STATE)))
            )
        overlap = set(self.params["wait_for"]) & set(self.params["fail_on"])
        if overlap:
            self.fail("wait_for and fail_on both name %s: a phase cannot be wanted and forbidden" % ", ".join(sorted(overlap)))
        forbidden_states = [state for state in self.params["wait_for_states"] if PHASE_BY_STATE[state.upper()].phase in self.params["fail_on"]]
        if forbidden_states:
            self.fail(
                "wait_for_states names %s, whose phase fail_on forbids (%s): set fail_on to the phases that should end the wait"
                % (", ".join(forbidden_states), ", ".join(self.params["fail_on"]))
            )
        return WaitCondition(
            wanted_phases=self.params["wait_for"],
            wanted_states=self.params["wait_for_states"],
            forbidden_phases=self.params["fail_on"],
            min_count=self.params.get("wait_min_count") or 0,
        )

    # -- input checks -------------------------------------------------------

    def require_range(self, name, low, high=None, hint=None):
        """Fail before any request when option ``name`` is outside [low, high]."""
        value = self.params.get(name)
        if isinstance(value, bool):  # ansible's int type lets true/false through as 1/0
            self.fail("%s must be a number, not %r" % (name, value))
        if value is None or (value >= low and (high is None or value <= high)):
            return
        allowed = "%d-%d" % (low, high) if high is not None else "at least %d" % low
        message = "%s must be %s (got %r)" % (name, allowed, value)
        self.fail(message + ("; " + hint if hint else ""))

    def require_ranges(self, ranges):
        for name, low, high in ranges:
            self.require_range(name, low, high)

    # -- failing ------------------------------------------------------------

    def fail(self, msg, **extra):
        self.module.fail_json(msg=self.scrub(msg), **extra)

    def scrub(self, text):
        """Mask every secret we know of (options and tokens learnt at run time)."""
        text = str(text)
        for name in SECRET_OPTIONS:
            if self.params.get(name):
                text = text.replace(self.params[name], http.MASK)
        return self.http.scrub(text) if self.http else text

    @contextmanager
    def reporting_errors(self):
        """Turn every expected failure into one fail_json with a message that says what to do."""
        try:
            yield
        except http.ApiError as exc:
            message = str(exc)
            if exc.status in STATUS_HINTS:
                message += ". " + STATUS_HINTS[exc.status]
            self.fail(message, **exc.to_result())
        except MissingLibraryError as exc:
            self.fail(missing_required_lib(exc.name))
        except (EndpointError, AuthError, PathParameterError, PagingError, ResponseShapeError, SchemaValidationError) as exc:
            self.fail(str(exc))

    # -- talking to a service -----------------------------------------------

    def connect(self):
        """Create the one HTTP session of this run, with the credentials the options select."""
        params = self.params
        auth = select_auth(params, resolve_iam_endpoint(params["region"], strip_v3(params["iam_endpoint"])))
        if not params["validate_certs"]:
            self.warn("validate_certs is false: the server's identity is not checked. Use ca_path for a private CA.")
        self.http = http.HttpClient(
            auth=auth,
            timeout=params["timeout"],
            retries=params["retries"],
            validate_certs=params["validate_certs"],
            ca_path=params["ca_path"],
            pool_size=params.get("page_concurrency") or OBJECT_CONCURRENCY,
            secrets=[params.get(name) for name in SECRET_OPTIONS],
        )
        if not params["validate_certs"]:
            silence_insecure_request_warnings()

    def base_url(self, service):
        """The endpoint of ``service`` for this run, worked out once (EndpointError when it cannot be)."""
        if service not in self._base_urls:
            self._base_urls[service] = resolve_endpoint(service, self.params["region"], self.params["endpoint"])
        return self._base_urls[service]

    def prepare(self, spec):
        """Open this run's session and resolve the endpoint of ``spec`` before the first request and before any
        thread starts, so that every request shares one session and a wrong endpoint fails before anything is sent."""
        if self.http is None:
            self.connect()
        self.base_url(spec.service)

    def fetch_document(self, spec, path_params, query=None):
        """GET one response of ``spec`` and validate it against its schema (after ``prepare``)."""
        url = self.base_url(spec.service) + build_path(spec, project_id=self.params["project_id"], **path_params)
        document = self.http.get_json(url, params=query)
        for warning in validate_document(spec.schema, document, self.params["schema_validation"]):
            self.warn(warning)
        return document

    def fetch_items(self, spec, path_params, query, named_page=None, unpaged=False, expected_total=None):
        """Every item of a list API (or only ``named_page``, a dict of paging parameters).

        ``unpaged``: the query itself asks the API for every record in one response.
        ``expected_total``: what the previous read of this query counted, so that every page is asked for at once.
        """
        self.prepare(spec)

        def fetch_page(paging_params):
            page_query = dict(query)
            page_query.update(paging_params)
            return self.fetch_document(spec, path_params, page_query)

        if unpaged:
            return fetch_one_page(spec, fetch_page, {}, whole_list=True)
        if named_page:
            return fetch_one_page(spec, fetch_page, named_page)
        return gather_all_pages(spec, fetch_page, self.params["page_concurrency"], self.params["max_pages"], expected_total)

    def fetch_objects(self, spec, phase_service, path_params_list):
        """One object per set of path parameters, fetched concurrently, returned in the order asked."""

        def fetch(path_params):
            document = unwrap_object(spec, self.fetch_document(spec, path_params))
            return self.with_phases(phase_service, [document])[0]

        if not path_params_list:
            raise PathParameterError("No id given: name at least one object to read")
        for path_params in path_params_list:  # every id is checked before the first request
            for name, value in path_params.items():
                check_path_param(name, value)
        self.prepare(spec)
        if len(path_params_list) == 1:
            return [fetch(path_params_list[0])]
        with ThreadPoolExecutor(max_workers=min(OBJECT_CONCURRENCY, len(path_params_list))) as pool:
            return list(pool.map(fetch, path_params_list))

    # -- shaping the result ---------------------------------------------------

    def warn(self, message):
        if message not in self.warnings:
            self.warnings.append(message)
            self.module.warn(self.scrub(message))

    def with_phases(self, phase_service, items):
        for item in items:
            if isinstance(item, dict):
                item["phase"] = phase_of_item(phase_service, item)
        return items

    def project(self, spec, items):
        """Keep only the fields the user asked for (plus the id and the phase)."""
        fields = self.params.get("fields")
        if not fields:
            return items
        keep = set(fields) | set([spec.id_field, "phase"])
        return [dict((key, value) for key, value in item.items() if key in keep) for item in items]

    def list_result(self, spec, phase_service, return_key, page_result):
        """The result of a list module: items (unless declined), summary (if asked), totals and paging facts."""
        items = page_result.items
        result = dict(complete=page_result.complete, pages=page_result.pages)
        if not page_result.complete:
            self.warn(page_result.warning())
        if self.params["summary"]:
            result["summary"] = summarize(phase_service, items, reuse_phase=True)  # with_phases has judged them
        if self.params["return_items"]:
            result[return_key] = self.project(spec, items)
        return result

    def run_objects(self, spec, phase_service, **path_params):
        """Read the object of ``task_id`` (exit with ``task``) or of each of ``task_ids`` (exit with ``tasks``),
        waiting first when the options ask for it."""
        single = self.params["task_id"]
        ids = [single] if single is not None else self.params["task_ids"]
        if not ids:
            self.fail("task_ids is empty: name at least one task id")

        def read(wanted_ids):
            return self.fetch_objects(spec, phase_service, [dict(path_params, task_id=task_id) for task_id in wanted_ids])

        with self.reporting_errors():
            if self.wait_condition.active:
                outcome = self.wait(phase_service, spec, lambda pending: read(ids if pending is None else pending), False)
                latest = dict((task.get(spec.id_field), task) for task in outcome.items)
                # In the order asked, repeated ids included, like a read without waiting.
                tasks = [latest[task_id] for task_id in ids] if all(task_id in latest for task_id in ids) else outcome.items
                extra = dict(wait=outcome.to_result())
            else:
                outcome, tasks, extra = None, read(ids), {}
        if single is not None:
            extra["task"] = tasks[0] if tasks else None  # None only when every poll of a wait failed
        else:
            extra["tasks"] = tasks
        self.finish(outcome, extra)

    def wait(self, phase_service, spec, poll, full_polls):
        params = self.params
        waiter = Waiter(phase_service, spec.id_field, self.wait_condition, params["wait_timeout"], params["wait_sleep"], full_polls)
        return waiter.run(poll)

    def finish(self, outcome, result):
        """Exit with the facts; after a wait that did not succeed, fail with them and the wait's own message."""
        if outcome is not None and not outcome.succeeded:
            if self.http is not None:
                result["api_calls"] = dict(self.http.stats)
            self.fail(outcome.message(), **result)
        self.exit(**result)

    def named_page(self, spec):
        """The paging parameters the user set (then only that page is read), or None to read every page."""
        paging = spec.paging
        named = dict((name, self.params[name]) for name in (paging.start_param, paging.size_param) if self.params.get(name) is not None)
        if not named:
            return None
        named.setdefault(paging.start_param, paging.first)
        named.setdefault(paging.size_param, paging.default_size)
        return named

    def run_list(self, spec, phase_service, return_key, total_key, path_params, query, unpaged=False):
        """Read a list API (every page, or the page the user named), waiting first when asked, and exit."""
        query = dict((name, value) for name, value in query.items() if value is not None)
        read_last = []

        def read(_pending=None):
            # A wait's later polls know the list's size from the one before: all pages in one round trip.
            expected_total = read_last[0].total if read_last else None
            page_result = self.fetch_items(spec, path_params, query, self.named_page(spec), unpaged, expected_total)
            self.with_phases(phase_service, page_result.items)
            read_last[:] = [page_result]
            return page_result.items

        with self.reporting_errors():
            outcome = None
            if self.wait_condition.active:
                outcome = self.wait(phase_service, spec, read, True)
            else:
                read()
            if not read_last:  # every poll of the wait failed
                self.finish(outcome, dict(wait=outcome.to_result()))
            page_result = read_last[0]
            result = self.list_result(spec, phase_service, return_key, page_result)
        result[total_key] = page_result.total
        if outcome is not None:
            result["wait"] = outcome.to_result()
        self.finish(outcome, result)

    def exit(self, **result):
        if self.http is not None:
            result["api_calls"] = dict(self.http.stats)
        self.module.exit_json(changed=False, **result)


def strip_v3(url):
    """Accept the Terraform provider's auth URL (``https://iam.../v3``) as an IAM endpoint."""
    if url and url.rstrip("/").endswith("/v3"):
        return url.rstrip("/")[: -len("/v3")]
    return url


def silence_insecure_request_warnings():
    """The user chose validate_certs: false and was warned once; urllib3 need not repeat it per request."""
    try:
        import urllib3

        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    except ImportError:  # pragma: no cover - urllib3 comes with requests
        pass
