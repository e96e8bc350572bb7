# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One root error: every error the collection raises on purpose is a HwcloudTasksError, caught in one clause."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

from ansible_collections.hwcloud.tasks.plugins import module_utils
from ansible_collections.hwcloud.tasks.plugins.module_utils.api_error import ApiError
from ansible_collections.hwcloud.tasks.plugins.module_utils.engine import CallFailed
from ansible_collections.hwcloud.tasks.plugins.module_utils.errors import HwcloudTasksError, ParameterError, ReadIntegrityError
from ansible_collections.hwcloud.tasks.plugins.module_utils.paginate import PagingError, TooManyPagesError
from ansible_collections.hwcloud.tasks.plugins.module_utils.validation import MissingLibraryError, SchemaValidationError
from ansible_collections.hwcloud.tasks.plugins.module_utils.waiter import poll_can_be_retried

# Exceptions that only steer control flow inside the one module that defines them, never raised past it.
PRIVATE = {"RetryableError", "ResponseTooLarge", "UnsupportedEncoding", "_NoFastPath"}


def exception_classes():
    for info in pkgutil.iter_modules(module_utils.__path__):
        module = importlib.import_module("%s.%s" % (module_utils.__name__, info.name))
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == module.__name__:
                yield name, value


def test_every_error_the_collection_raises_on_purpose_has_one_root():
    public = dict((name, cls) for name, cls in exception_classes() if name not in PRIVATE)
    assert len(public) >= 15
    assert [name for name, cls in sorted(public.items()) if not issubclass(cls, HwcloudTasksError)] == []


@pytest.mark.parametrize("error, retryable", [
    (ApiError("connection failed: [Errno 111] Connection refused"), True),
    (ApiError("HTTP 429: throttled", status=429), True),
    (ApiError("HTTP 503: busy", status=503), True),
    (ApiError("HTTP 404: no such task", status=404), False),
    (ApiError("HTTP 302: redirects", status=302, category="redirect"), False),
    (ApiError("too large", category="too_large"), False),
    (ReadIntegrityError("the list moved", "incomplete"), True),
    (PagingError("no list at tasks"), True),
    (TooManyPagesError("more than max_pages"), False),
    (SchemaValidationError("vias_task", "$.state", "7", "a string"), True),
    (ParameterError("limit must be 1-100"), False),
    (MissingLibraryError("jsonschema"), False),
], ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value))
def test_each_error_says_whether_another_poll_may_fix_it(error, retryable):
    assert error.retryable is retryable
    assert poll_can_be_retried(error) is retryable


def test_an_error_carries_its_result_fields_and_a_call_failure_its_secrets_and_warnings():
    assert ApiError("HTTP 404", status=404, request_id="r1", url="https://h/x").to_result()["request_id"] == "r1"
    assert ReadIntegrityError("moved", "incomplete", result={"total": 3}).to_result() == {"total": 3}
    assert MissingLibraryError("jsonschema").missing_library == "jsonschema"
    failed = CallFailed("no", {"api_calls": {}}, secrets=["s3cret"], warnings=["w"])
    assert (failed.secrets, failed.warnings, failed.to_result()) == (["s3cret"], ["w"], {"api_calls": {}})


def test_a_programming_error_is_never_taken_for_a_failed_poll():
    assert poll_can_be_retried(KeyError("state")) is False
    assert poll_can_be_retried(TypeError("bad")) is False
