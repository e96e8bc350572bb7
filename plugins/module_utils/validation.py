# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Check API responses against the schemas of ``schemas.py``.

``validate_document(schema_name, document, mode)`` with ``mode``:

* ``strict``: raise ``SchemaValidationError`` describing the first error;
* ``warn``: return warning strings (never raise for a schema error);
* ``off``: return ``[]`` without importing jsonschema.

jsonschema walks a 10,000-item list in about 0.8 s, most of it spent
creating per-node validator state. Valid documents (the normal case) are
therefore checked first by a predicate compiled once from the schema; it
implements exactly the keywords the schemas use (``type``, ``properties``,
``required``, ``items``, ``if``/``then``/``else``) with jsonschema's type
rules. jsonschema only runs when that predicate rejects the document, and its
verdict is final, so it alone decides what is reported.

jsonschema is also only *imported* then: importing it costs more CPU than a
one-task call spends on everything else of ours. Whether it is installed is
still checked on every strict or warn run (``importlib.util.find_spec``,
without importing it), so a missing library fails the same way whether the
response is valid or not.
"""

from __future__ import annotations

import importlib.util
import numbers
import re

from ansible_collections.hwcloud.tasks.plugins.module_utils.errors import HwcloudTasksError
from ansible_collections.hwcloud.tasks.plugins.module_utils.schemas import get_schema

VALIDATION_MODES = ("strict", "warn", "off")

# Warnings shown per document; the rest are counted, not listed.
MAX_WARNINGS = 5
MAX_VALUE_REPR = 200

HOW_TO_PROCEED = "set schema_validation: warn to return the data anyway"


class SchemaValidationError(HwcloudTasksError):
    """A response does not match its schema (strict mode); a garbled answer, so another read may match."""

    retryable = True

    def __init__(self, schema_name, path, value_repr, expected):
        self.schema_name = schema_name
        self.path = path
        self.value_repr = value_repr
        self.expected = expected
        super().__init__(
            "response does not match schema %r at %s: got %s, expected %s; %s"
            % (schema_name, path, value_repr, expected, HOW_TO_PROCEED)
        )


class MissingLibraryError(HwcloudTasksError):
    """A Python library needed for validation is not installed."""

    def __init__(self, name):
        self.name = self.missing_library = name
        super().__init__(
            "the Python library %r is needed for schema validation "
            "(or set schema_validation: off)" % name
        )


# schema name -> fast predicate (None when the schema needs jsonschema), and
# schema name -> jsonschema validator (built on the first invalid document);
# compiled once per process because building costs far more than using.
# Pages fetched in parallel may compile the same schema twice; both results
# are equal and neither is mutated, so no lock is needed.
_FAST_CHECKS = {}
_VALIDATORS = {}
_JSONSCHEMA_FOUND = []


def _require_jsonschema():
    """MissingLibraryError unless jsonschema can be imported; does not import it."""
    if _JSONSCHEMA_FOUND:
        return
    try:
        found = importlib.util.find_spec("jsonschema") is not None
    except (ImportError, ValueError) as exc:  # a broken or half-removed install
        raise MissingLibraryError("jsonschema") from exc
    if not found:
        raise MissingLibraryError("jsonschema") from ModuleNotFoundError("No module named 'jsonschema'")
    _JSONSCHEMA_FOUND.append(True)


def _full_validator(schema_name, schema):
    if schema_name not in _VALIDATORS:
        try:
            from jsonschema.validators import validator_for
        except ImportError as exc:
            raise MissingLibraryError("jsonschema") from exc
        _VALIDATORS[schema_name] = validator_for(schema)(schema)
    return _VALIDATORS[schema_name]


def validate_document(schema_name, document, mode="strict"):
    """Validate ``document`` against schema ``schema_name`` in ``mode``.

    Returns a list of warnings (empty when the document is valid or mode is
    ``off``). Raises SchemaValidationError (strict mode), MissingLibraryError
    (jsonschema not installed) or ValueError (unknown mode or schema name).
    """
    if mode not in VALIDATION_MODES:
        raise ValueError(
            "schema validation mode must be one of %s, not %r"
            % (", ".join(VALIDATION_MODES), mode)
        )
    schema = get_schema(schema_name)
    if mode == "off":
        return []

    _require_jsonschema()
    if schema_name not in _FAST_CHECKS:
        _FAST_CHECKS[schema_name] = _compile_fast_check(schema)
    fast_check = _FAST_CHECKS[schema_name]
    if fast_check is not None and fast_check(document):
        return []

    errors = _full_validator(schema_name, schema).iter_errors(document)
    if mode == "strict":
        first = next(errors, None)
        if first is None:
            return []
        # best_match descends into the sub-errors of anyOf-like keywords.
        from jsonschema.exceptions import best_match

        best = best_match([first])
        path, value_repr, expected = _describe(best)
        raise SchemaValidationError(schema_name, path, value_repr, expected)
    return _warnings(schema_name, errors)


def _warnings(schema_name, errors):
    # The same mistake usually repeats on every item of a list: group errors
    # by the place in the schema that rejected them and show one per group.
    groups = {}
    for error in errors:
        key = (tuple(error.schema_path), error.validator)
        if key in groups:
            groups[key][1] += 1
        else:
            groups[key] = [error, 1]

    warnings = []
    for error, count in list(groups.values())[:MAX_WARNINGS]:
        path, value_repr, expected = _describe(error)
        message = "response does not match schema %r at %s: got %s, expected %s" % (
            schema_name, path, value_repr, expected)
        if count > 1:
            message += " (same error at %d more places)" % (count - 1)
        warnings.append(message)
    if len(groups) > MAX_WARNINGS:
        warnings.append(
            "response does not match schema %r: and %d more kinds of errors"
            % (schema_name, len(groups) - MAX_WARNINGS)
        )
    return warnings


_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def json_path(parts):
    """``['a', 3, 'b c']`` -> ``$.a[3]['b c']``."""
    path = "$"
    for part in parts:
        if isinstance(part, int):
            path += "[%d]" % part
        elif _IDENTIFIER.match(part):
            path += "." + part
        else:
            path += "['%s']" % part.replace("\\", "\\\\").replace("'", "\\'")
    return path


def short_repr(value, limit=MAX_VALUE_REPR):
    text = repr(value)
    if len(text) > limit:
        return "%s... (%d characters)" % (text[:limit], len(text))
    return text


def _describe(error):
    """Return (JSON path, value repr, expectation) of a jsonschema error."""
    parts = list(error.absolute_path)
    if error.validator == "required":
        # Point at the missing field itself rather than at its parent.
        missing = [name for name in error.validator_value if name not in error.instance]
        return json_path(parts + missing[:1]), "no value (the field is missing)", "a required field"
    if error.validator == "type":
        types = error.validator_value
        if isinstance(types, str):
            types = [types]
        expected = " or ".join(types)
    else:
        expected = "%s %s" % (error.validator, short_repr(error.validator_value))
    return json_path(parts), short_repr(error.instance), expected


# --------------------------------------------------------------- fast path ---

# Keywords that only annotate; they never reject a document.
_ANNOTATIONS = frozenset(("$schema", "$comment", "title", "description"))
_FAST_KEYWORDS = _ANNOTATIONS | frozenset(
    ("type", "properties", "required", "items", "if", "then", "else"))


class _NoFastPath(Exception):
    """The schema uses a keyword the fast path does not implement."""


def _compile_fast_check(schema):
    """Compile ``schema`` to a predicate, or None if it uses other keywords."""
    try:
        return _compile(schema)
    except _NoFastPath:
        return None


def _type_check(types):
    """Predicate for the ``type`` keyword with jsonschema's draft 6+ rules."""
    if isinstance(types, str):
        types = [types]
    unknown = set(types) - {"string", "integer", "number", "boolean", "null", "object", "array"}
    if unknown:
        raise _NoFastPath(sorted(unknown))
    classes = tuple(
        {"string": str, "boolean": bool, "null": type(None), "object": dict, "array": list}[name]
        for name in types if name not in ("integer", "number")
    )
    wants_bool = "boolean" in types
    if "number" in types:
        numeric = (numbers.Number,)
    elif "integer" in types:
        numeric = (int,)
    else:
        numeric = ()

    def check(value):
        if isinstance(value, classes):
            return True
        if isinstance(value, bool):
            return wants_bool
        if isinstance(value, numeric):
            return True
        # draft 6+ counts 1.0 as an integer.
        return bool(numeric) and isinstance(value, float) and value.is_integer()

    return check


def _compile(schema):
    if not isinstance(schema, dict) or not set(schema) <= _FAST_KEYWORDS:
        raise _NoFastPath(schema)
    checks = []
    if "type" in schema:
        checks.append(_type_check(schema["type"]))
    if "required" in schema:
        required = tuple(schema["required"])

        def has_required(value):
            return not isinstance(value, dict) or all(name in value for name in required)

        checks.append(has_required)
    if "properties" in schema:
        properties = tuple(
            (name, _compile(subschema)) for name, subschema in schema["properties"].items()
        )

        def properties_match(value):
            if isinstance(value, dict):
                for name, check in properties:
                    if name in value and not check(value[name]):
                        return False
            return True

        checks.append(properties_match)
    if "items" in schema:
        item_check = _compile(schema["items"])

        def items_match(value):
            if isinstance(value, list):
                for item in value:
                    if not item_check(item):
                        return False
            return True

        checks.append(items_match)
    if "if" in schema:
        condition = _compile(schema["if"])
        then = _compile(schema["then"]) if "then" in schema else None
        otherwise = _compile(schema["else"]) if "else" in schema else None

        def branch_matches(value):
            branch = then if condition(value) else otherwise
            return branch is None or branch(value)

        checks.append(branch_matches)
    if len(checks) == 1:
        return checks[0]
    checks = tuple(checks)

    def all_match(value):
        return all(check(value) for check in checks)

    return all_match
