"""Query-parameter parsing with the vendor's limits.

Handlers call these helpers; any violation raises ``ParamError``, which the
gateway turns into the service's 400 body naming the parameter.
"""

import re


class ParamError(Exception):
    """A query parameter is malformed or out of range."""

    def __init__(self, name, message):
        super().__init__(f"Invalid parameter {name}: {message}")
        self.name = name


def integer(query, name, default=None, minimum=None, maximum=None):
    raw = query.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"-?\d{1,19}", raw.strip()):
        raise ParamError(name, f"{raw!r} is not an integer")
    value = int(raw)
    if minimum is not None and value < minimum:
        raise ParamError(name, f"must be >= {minimum}")
    if maximum is not None and value > maximum:
        raise ParamError(name, f"must be <= {maximum}")
    return value


def boolean(query, name, default):
    raw = query.get(name)
    if raw is None:
        return default
    if raw.lower() not in ("true", "false"):
        raise ParamError(name, "must be true or false")
    return raw.lower() == "true"


def choice(query, name, allowed, default=None):
    raw = query.get(name)
    if raw is None:
        return default
    if raw not in allowed:
        raise ParamError(name, f"must be one of {', '.join(sorted(allowed))}")
    return raw


def pattern(query, name, regex, min_len=0, max_len=None):
    raw = query.get(name)
    if raw is None:
        return None
    if len(raw) < min_len or (max_len is not None and len(raw) > max_len):
        raise ParamError(name, f"length must be {min_len}-{max_len}")
    if regex is not None and not regex.fullmatch(raw):
        raise ParamError(name, f"must match {regex.pattern}")
    return raw


def string_list(query, name, allowed, max_items):
    """An array parameter, sent repeated (``a=X&a=Y``) or comma-separated (``a=X,Y``)."""
    values = [v.strip() for raw in query.getall(name, []) for v in raw.split(",") if v.strip()]
    if len(values) > max_items:
        raise ParamError(name, f"at most {max_items} entries")
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ParamError(name, f"unknown value {unknown[0]!r}")
    return values
