"""Checks of user-supplied values that name the offending entry.

Fault rules, chaos and quota settings and scenario files are written by
people; an error has to say where it is (``faults[2].ms``) and what is
allowed, or the user cannot fix it.  Every helper takes the value and its
path and either returns the value (coerced where the admin API always was
lenient, e.g. ``"3"`` for an integer) or raises ``SpecError``.
"""

import math
import re

MISSING = object()


class SpecError(ValueError):
    """A value is not what the admin API or a scenario file allows."""

    def __init__(self, path, message):
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.reason = message


def join(path, key):
    """``faults[0]`` + ``ms`` -> ``faults[0].ms``; ints index lists."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def kind_of(value):
    """The JSON name of a value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def mapping(value, path, allowed, required=()):
    """An object whose keys are all in ``allowed`` and include ``required``."""
    if not isinstance(value, dict):
        raise SpecError(path, f"must be an object (got {kind_of(value)})")
    unknown = sorted(str(key) for key in value if key not in allowed)
    if unknown:
        raise SpecError(path, f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}")
    missing = [key for key in required if key not in value]
    if missing:
        raise SpecError(path, f"missing required key(s) {', '.join(missing)}")
    return value


def sequence(value, path, max_items=None):
    if not isinstance(value, (list, tuple)):
        raise SpecError(path, f"must be a list (got {kind_of(value)})")
    if max_items is not None and len(value) > max_items:
        raise SpecError(path, f"at most {max_items} entries")
    return list(value)


def number(value, path, minimum=None, maximum=None, integer=False, nullable=False, above=None):
    """A finite number (or a string holding one); ``integer`` also refuses fractions."""
    if value is None and nullable:
        return None
    what = "an integer" if integer else "a number"
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+(\.\d+)?\s*", value):
        value = float(value) if "." in value else int(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SpecError(path, f"must be {what}{' or null' if nullable else ''} (got {value!r})")
    if integer:
        if value != int(value):
            raise SpecError(path, f"must be {what} (got {value!r})")
        value = int(value)
    if minimum is not None and value < minimum:
        raise SpecError(path, f"must be >= {minimum} (got {value!r})")
    if above is not None and value <= above:
        raise SpecError(path, f"must be > {above} (got {value!r})")
    if maximum is not None and value > maximum:
        raise SpecError(path, f"must be <= {maximum} (got {value!r})")
    return value


def boolean(value, path):
    """true/false (the strings "true"/"false" too: Ansible templates produce them)."""
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if not isinstance(value, bool):
        raise SpecError(path, f"must be true or false (got {value!r})")
    return value


def string(value, path, choices=None, pattern=None, nullable=False, max_length=None):
    if value is None and nullable:
        return None
    if not isinstance(value, str):
        raise SpecError(path, f"must be a string (got {kind_of(value)}{': quote it' if value is not None else ''})")
    if choices is not None and value not in choices:
        raise SpecError(path, f"{value!r} is not one of {', '.join(map(str, choices))}")
    if pattern is not None and not re.fullmatch(pattern, value):
        raise SpecError(path, f"{value!r} must match {pattern}")
    if max_length is not None and len(value) > max_length:
        raise SpecError(path, f"at most {max_length} characters")
    return value


def choice(value, path, choices):
    """One of ``choices`` (any JSON scalar)."""
    if isinstance(value, bool) or value not in choices:
        raise SpecError(path, f"{value!r} is not one of {', '.join(map(str, choices))}")
    return value


def scalar(value, path, nullable=False):
    """A string or number (what a query value or a header may hold)."""
    if value is None and nullable:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise SpecError(path, f"must be a string or a number (got {kind_of(value)})")
    return value


def json_value(value, path):
    """Any JSON value (the admin API and scenario files carry only JSON)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise SpecError(path, "must be a finite number")
        return value
    if isinstance(value, (list, tuple)):
        return [json_value(item, join(path, i)) for i, item in enumerate(value)]
    if isinstance(value, dict):
        return {str(k): json_value(v, join(path, str(k))) for k, v in value.items()}
    raise SpecError(path, f"must be a JSON value (got {kind_of(value)})")
