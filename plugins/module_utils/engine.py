# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The engine: one call of an info module, from validated options to its result.

It connects (endpoint, credentials, one HTTP session), reads (pages or objects,
validated, with phases), waits when asked, and shapes the result. It knows
nothing of AnsibleModule or of action plugins: a front-end validates the
options against the module's declaration, calls :func:`run_call`, and returns
the result or fails with the ``message`` and ``result`` of :class:`CallFailed`.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
import time
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import unquote, urlsplit

from ansible_collections.hwcloud.tasks.plugins.module_utils import http_client as http
from ansible_collections.hwcloud.tasks.plugins.module_utils.apis import build_path, check_path_param, unwrap_object
from ansible_collections.hwcloud.tasks.plugins.module_utils.auth import select_auth
from ansible_collections.hwcloud.tasks.plugins.module_utils.declaration import SECRET_OPTIONS, ListSelection, response_size
from ansible_collections.hwcloud.tasks.plugins.module_utils.endpoints import region_hint, resolve_endpoint, resolve_iam_endpoint
from ansible_collections.hwcloud.tasks.plugins.module_utils.errors import HwcloudTasksError, ParameterError, ReadIntegrityError
from ansible_collections.hwcloud.tasks.plugins.module_utils.kinds import summarize
from ansible_collections.hwcloud.tasks.plugins.module_utils.masking import Masker
from ansible_collections.hwcloud.tasks.plugins.module_utils.paginate import fetch_one_page, gather_all_pages
from ansible_collections.hwcloud.tasks.plugins.module_utils.validation import validate_document
from ansible_collections.hwcloud.tasks.plugins.module_utils.waiter import WaitCondition, Waiter, wait_problems

if TYPE_CHECKING:  # pragma: no cover - names for the type hints only
    from ansible_collections.hwcloud.tasks.plugins.module_utils.declaration import ModuleDeclaration
    from ansible_collections.hwcloud.tasks.plugins.module_utils.kinds import ItemKind
    from ansible_collections.hwcloud.tasks.plugins.module_utils.paginate import PageResult

# A warning or a progress line goes to the front-end as it arises.
Say = Callable[[str], None]

# What to add to an HTTP error so that the user knows what to change.
STATUS_HINTS = {
    401: "The credentials were refused (wrong, or an expired token): check them, or get a new token",
    403: "The credentials are not allowed to read this project: check project_id and the user's permissions",
    404: "Nothing exists at this address: check the id, project_id and endpoint",
}
# Objects fetched at once by the modules that read one object per id.
OBJECT_CONCURRENCY = 8


class CallFailed(HwcloudTasksError):
    """The call failed: ``message`` for people, ``result`` for playbooks (always with ``api_calls`` once
    a session was opened), ``missing_library`` when a Python library is what is missing, and what a
    front-end needs to report it: ``secrets`` (every form of every secret the call knew, to mask) and
    the ``warnings`` raised before it failed."""

    def __init__(self, message, result=None, missing_library=None, secrets=(), warnings=()):
        super().__init__(message, result)
        self.missing_library = missing_library
        self.secrets = list(secrets)
        self.warnings = list(warnings)


def secrets_in_options(params):
    """Every value of ``params`` that is a secret: the secret options, and an ``endpoint`` or
    ``iam_endpoint`` that carries a password (refused, but never to be shown either), with that password."""
    secrets = [params.get(name) for name in SECRET_OPTIONS if params.get(name)]
    for name in ("endpoint", "iam_endpoint"):
        value = params.get(name)
        if isinstance(value, str) and "@" in value:
            userinfo = urlsplit(value).netloc.rpartition("@")[0] if "://" in value else value.rpartition("@")[0]
            password = userinfo.partition(":")[2]
            secrets.append(value)
            if password:
                secrets.extend([password, unquote(password)])
    return [secret for secret in secrets if isinstance(secret, str) and secret]


def check_ranges(params, ranges):
    """ParameterError when an option is outside its range (a boolean is not a number, though ansible's int takes one).

    Each range is (option, lowest, highest or None, what to do instead[, how to name the option]).
    """
    for name, low, high, hint, *label in ranges:
        value = params.get(name)
        if isinstance(value, bool):
            raise ParameterError("%s must be a number, not %r" % ((label or [name])[0], value))
        if value is None or (value >= low and (high is None or value <= high)):
            continue
        allowed = "%d-%d" % (low, high) if high is not None else "at least %d" % low
        raise ParameterError("%s must be %s (got %r)%s" % ((label or [name])[0], allowed, value, "; " + hint if hint else ""))


def prepare_options(declaration, params):
    """``params`` as the engine uses them, checked before any request: max_response_size in bytes, every number in
    its range. Returns a new dict (the options as given stay the invocation's); ParameterError otherwise."""
    prepared = dict(params)
    prepared["max_response_size"] = response_size(prepared.get("max_response_size", "64M"))
    check_ranges(prepared, declaration.all_ranges())
    return prepared


def build_wait_condition(kind, params):
    """The wait the options ask for (inactive when neither wait_for nor wait_for_states is set)."""
    states = [str(state).strip().upper() for state in params["wait_for_states"]]
    problems = wait_problems(kind, params["wait_for"], states, params["fail_on"])
    if problems:
        raise ParameterError(problems[0])
    return WaitCondition(
        wanted_phases=params["wait_for"],
        wanted_states=states,
        forbidden_phases=params["fail_on"],
        min_count=params.get("wait_min_count") or 0,
    )


class Engine:
    """One call's connection and reads: one HTTP session, endpoints resolved once, warnings collected."""

    def __init__(self, params: dict[str, Any], kind: ItemKind, warn: Say | None = None) -> None:
        self.params = params
        self.kind = kind
        self.warnings = []
        self._warn = warn
        self.http = None
        self._base_urls = {}
        # One mask for the whole call: the secret options now, the IAM tokens the HTTP session learns later.
        self.masker = Masker(secrets_in_options(params))

    # -- secrets and warnings ----------------------------------------------------------------------

    def secret_values(self) -> list[str]:
        """Every form of every secret this call knows, IAM tokens learnt during it included."""
        return list(self.masker.forms)

    def scrub(self, text: Any) -> str:
        return self.masker.scrub(text)

    def warn(self, message: str) -> None:
        message = self.scrub(message)
        if message not in self.warnings:
            self.warnings.append(message)
            if self._warn is not None:
                self._warn(message)

    # -- connecting --------------------------------------------------------------------------------

    def connect(self):
        """Open the one HTTP session of this call, with the credentials the options select."""
        if self.http is not None:
            return
        params = self.params
        auth = select_auth(params, resolve_iam_endpoint(params["region"], strip_v3(params["iam_endpoint"])))
        if not params["validate_certs"]:
            self.warn("validate_certs is false: the server's identity is not checked. Use ca_path for a private CA.")
        self.http = http.HttpClient(
            auth=auth,
            timeout=params["timeout"],
            retries=params["retries"],
            retry_timeout=params["retry_timeout"],
            max_response_size=params["max_response_size"],
            validate_certs=params["validate_certs"],
            ca_path=params["ca_path"],
            pool_size=params.get("page_concurrency") or OBJECT_CONCURRENCY,
            masker=self.masker,
        )
        if not params["validate_certs"]:
            silence_insecure_request_warnings()

    def base_url(self, api):
        """The endpoint of ``api``'s host for this call, worked out once (EndpointError when it cannot be)."""
        if api.host not in self._base_urls:
            self._base_urls[api.host] = resolve_endpoint(api.host, self.params["region"], self.params["endpoint"])
        return self._base_urls[api.host]

    def prepare(self, api):
        """Open the session and resolve the endpoint before the first request and before any thread starts,
        so that every request shares one session and a wrong endpoint fails before anything is sent."""
        self.base_url(api)
        self.connect()

    # -- reading -----------------------------------------------------------------------------------

    def fetch_document(self, api, path_params, query=None, deadline=None):
        """GET one response of ``api`` and validate it against its schema (after ``prepare``)."""
        url = self.base_url(api) + build_path(api, project_id=self.params["project_id"], **path_params)
        document = self.http.get_json(url, params=query, deadline=deadline)
        for warning in validate_document(api.name, document, self.params["schema_validation"]):
            self.warn(warning)
        return document

    def with_phases(self, items):
        for item in items:
            if isinstance(item, dict):
                item["phase"] = self.kind.phase(item)
        return items

    def read_list(self, selection: ListSelection, deadline: float | None = None,
                  expected_total: int | None = None) -> PageResult:
        """Every item of a list API (or only the page the selection names), with phases: a PageResult."""
        api = selection.api
        self.prepare(api)

        def fetch_page(paging_params):
            page_query = dict(selection.query)
            page_query.update(paging_params)
            return self.fetch_document(api, selection.path_params, page_query, deadline)

        if selection.unpaged:
            result = fetch_one_page(api, fetch_page, {}, whole_list=True)
        elif selection.named_page:
            result = fetch_one_page(api, fetch_page, selection.named_page)
        else:
            started = time.monotonic()

            def may_reread():
                # Another read only if it can end before the wait's deadline, judged by how long the reads so far took.
                return deadline is None or time.monotonic() + (time.monotonic() - started) < deadline

            result = gather_all_pages(api, fetch_page, self.params["page_concurrency"], self.params["max_pages"], expected_total,
                                      may_reread=may_reread)
        self.with_phases(result.items)
        return result

    def read_objects(self, selection: Any, ids: list[str], deadline: float | None = None) -> list[dict[str, Any]]:
        """One object per id, fetched concurrently, each refused unless it is the object asked for; in the order asked."""
        api = selection.api

        def fetch(object_id):
            document = unwrap_object(api, self.fetch_document(api, dict(selection.path_params, task_id=object_id), deadline=deadline))
            found = self.kind.id_of(document)
            if found is None or str(found) != object_id:
                raise ReadIntegrityError(
                    "asked for %s %s, the service answered with %s: refused, never taken for the task asked for "
                    "(a proxy or cache in the way, or a server fault). Try again; if it persists, check endpoint"
                    % (self.kind.title, object_id, "%s %s" % (self.kind.title, found) if found is not None else "an object without an id"),
                    "foreign",
                )
            return self.with_phases([document])[0]

        for object_id in ids:  # every id is checked before the first request
            check_path_param("task_id", object_id)
        for name, value in selection.path_params.items():
            check_path_param(name, value)
        self.prepare(api)
        if len(ids) == 1:
            return [fetch(ids[0])]
        with ThreadPoolExecutor(max_workers=min(OBJECT_CONCURRENCY, len(ids))) as pool:
            return list(pool.map(fetch, ids))

    def api_calls(self) -> dict[str, int]:
        return dict(self.http.stats) if self.http is not None else {"requests": 0, "retries": 0, "throttled": 0}


class Call:
    """One call of a declared module with validated options: ``run()`` returns its result or raises CallFailed."""

    def __init__(self, declaration: ModuleDeclaration, params: dict[str, Any], warn: Say | None = None,
                 progress: Say | None = None) -> None:
        self.declaration = declaration
        self.kind = declaration.kind
        self.params = dict(params)  # prepare_options() converts some in place; the options as given stay the invocation's
        self.engine = Engine(self.params, self.kind, warn=warn)
        self.progress = progress

    def run(self) -> dict[str, Any]:
        try:
            self.params.update(prepare_options(self.declaration, self.params))
            condition = build_wait_condition(self.kind, self.params)
            selection = self.declaration.select(self.params)
            if isinstance(selection, ListSelection):
                return self._run_list(selection, condition)
            return self._run_objects(selection, condition)
        except CallFailed as exc:
            exc.result.setdefault("api_calls", self.engine.api_calls())
            exc.message = self.engine.scrub(exc.message)
            raise
        except HwcloudTasksError as exc:
            raise self._failed(self._explained(exc), exc.to_result(), exc.missing_library) from None

    def _explained(self, exc):
        """The error's message, and for an HTTP error what to change: the credentials, the ids, the region."""
        message = str(exc)
        if isinstance(exc, http.ApiError):
            if exc.status in STATUS_HINTS:
                message += ". " + STATUS_HINTS[exc.status]
            hint = region_hint(self.params.get("region"), self.params.get("endpoint")) if exc.category == "name_resolution" else None
            if hint:
                message += ". " + hint
        return message

    def _failed(self, message, result=None, missing_library=None):
        result = dict(result or {})
        result["api_calls"] = self.engine.api_calls()
        return CallFailed(self.engine.scrub(message), result, missing_library)

    def _wait(self, condition, poll, full_polls):
        params = self.params
        waiter = Waiter(self.kind, condition, params["wait_timeout"], params["wait_sleep"], full_polls,
                        progress=self.progress, progress_interval=params.get("wait_progress") or 0)
        return waiter.run(poll)

    def _finish(self, outcome, result):
        """The result; after a wait that did not succeed, CallFailed with the wait's own message and the facts."""
        if outcome is not None:
            result["wait"] = outcome.to_result()
        result["api_calls"] = self.engine.api_calls()
        if outcome is not None and not outcome.succeeded:
            raise CallFailed(self.engine.scrub(outcome.message()), result)
        return result

    # -- objects -----------------------------------------------------------------------------------

    def _run_objects(self, selection, condition):
        ids = selection.ids
        if not ids:
            raise ParameterError("task_ids is empty: name at least one task id")
        engine = self.engine
        if condition.active:
            outcome = self._wait(condition, lambda pending, deadline: engine.read_objects(
                selection, ids if pending is None else pending, deadline), False)
            latest = dict((self.kind.id_of(item), item) for item in outcome.items)
            # In the order asked, repeated ids included, like a read without waiting.
            items = [latest[object_id] for object_id in ids] if all(object_id in latest for object_id in ids) else outcome.items
        else:
            outcome, items = None, engine.read_objects(selection, ids)
        result = self._items_result(items, self.kind.item_key if selection.single else self.kind.items_key, single=selection.single)
        return self._finish(outcome, result)

    def _items_result(self, items, key, single=False):
        result = {}
        if self.params.get("summary"):
            result["summary"] = summarize(self.kind, items, reuse_phase=True)  # with_phases has judged them
        if self.params.get("return_items", True):
            projected = self._project(items)
            result[key] = (projected[0] if projected else None) if single else projected
        return result

    def _project(self, items):
        """Keep only the fields the user asked for (plus the id and the phase)."""
        fields = self.params.get("fields")
        if not fields:
            return items
        keep = set(fields) | set([self.kind.id_field, "phase"])
        return [dict((key, value) for key, value in item.items() if key in keep) for item in items]

    # -- lists -------------------------------------------------------------------------------------

    def _run_list(self, selection, condition):
        engine = self.engine
        read_last = []

        def read(_pending=None, deadline=None):
            # A wait's later polls know the list's size from the one before: all pages in one round trip.
            expected_total = read_last[0].total if read_last else None
            page_result = engine.read_list(selection, deadline, expected_total)
            read_last[:] = [page_result]
            if condition.active and not page_result.complete:
                raise ReadIntegrityError(page_result.warning(), "incomplete", items=page_result.items)
            return page_result.items

        outcome = None
        if condition.active:
            outcome = self._wait(condition, read, True)
        else:
            read()
        if not read_last:  # every poll of the wait failed
            return self._finish(outcome, {})
        page_result = read_last[0]
        result = self._items_result(page_result.items, self.kind.items_key)
        result.update(total=page_result.total, count=page_result.total, complete=page_result.complete, pages=page_result.pages)
        if not page_result.complete:
            result["incomplete_reason"] = page_result.warning()
            if outcome is None:
                self.engine.warn(page_result.warning())
        elif page_result.reread_note() and outcome is None:
            self.engine.warn(page_result.reread_note())
        return self._finish(outcome, result)


def run_call(declaration: ModuleDeclaration, params: dict[str, Any], warn: Say | None = None,
             progress: Say | None = None) -> tuple[dict[str, Any], list[str], list[str]]:
    """Run one call of ``declaration`` with validated ``params``: (result, secret forms to mask, warnings), or CallFailed
    (which carries the same secret forms and warnings).

    ``warn(text)`` receives each warning as it arises; ``progress(text)`` the progress lines of a wait.
    """
    call = Call(declaration, params, warn=warn, progress=progress)
    try:
        result = call.run()
    except CallFailed as exc:
        exc.secrets, exc.warnings = call.engine.secret_values(), list(call.engine.warnings)
        raise
    return result, call.engine.secret_values(), list(call.engine.warnings)


def strip_v3(url):
    """Accept the Terraform provider's auth URL (``https://iam.../v3``) as an IAM endpoint."""
    if url and url.rstrip("/").endswith("/v3"):
        return url.rstrip("/")[: -len("/v3")]
    return url


def silence_insecure_request_warnings():
    """The user chose validate_certs: false and was warned once; urllib3 need not repeat it per request."""
    try:
        import urllib3  # pylint: disable=import-outside-toplevel

        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    except ImportError:  # pragma: no cover - urllib3 comes with requests
        pass
