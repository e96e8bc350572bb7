# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Times as the APIs want them: UTC epoch milliseconds."""

from __future__ import annotations

from datetime import datetime, timezone
import re

from ansible_collections.hwcloud.tasks.plugins.module_utils.errors import HwcloudTasksError
ISO_8601 = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?\Z")


class TimestampError(HwcloudTasksError, ValueError):
    """A value that is neither epoch milliseconds nor an ISO 8601 date-time."""


def to_epoch_millis(name, value):
    """Epoch milliseconds from an integer (or a string of digits) or an ISO 8601 date-time (UTC unless it says)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise TimestampError("%s must be epoch milliseconds or an ISO 8601 date-time (got %r)" % (name, value))
    # A string of digits counts as a number: ansible-core before 2.19 turns a templated integer into one.
    if isinstance(value, int) or (isinstance(value, str) and re.match(r"^-?[0-9]+\Z", value.strip())):
        digits = len(str(value).strip().lstrip("-"))
        if digits > 16:  # later than the year 316,000: a mistake, and int() has limits
            raise TimestampError("%s has too many digits for epoch milliseconds (got %s digits)" % (name, digits))
        millis = int(value)
        if millis < 0:
            raise TimestampError(
                "%s must be epoch milliseconds (0 or more, like 1700000000000) or an ISO 8601 date-time (got %r)" % (name, value)
            )
        return millis
    text = str(value).strip()
    if not ISO_8601.match(text):
        raise TimestampError(
            "%s must be epoch milliseconds (1700000000000) or an ISO 8601 date-time "
            "(2024-05-01T08:00:00Z) (got %r)" % (name, value)
        )
    text = text.replace(" ", "T")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    elif re.search(r"[+-]\d{4}$", text):
        text = text[:-2] + ":" + text[-2:]
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise TimestampError("%s is not a valid date-time: %s (got %r)" % (name, exc, value)) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(round(moment.timestamp() * 1000))
