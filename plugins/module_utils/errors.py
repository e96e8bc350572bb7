# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The root of the collection's errors, and the errors the engine raises that no lower layer owns.

Every error the collection raises on purpose is a :class:`HwcloudTasksError` (as amazon.aws's
``AnsibleAWSError`` is there): it says what was wrong and what to do (``message``), carries the
fields a failed result gives playbooks beside ``msg`` (``result``), and whether another attempt
(another poll of a wait) may help (``retryable``). A front-end or a waiter catches it in one clause.
Errors that only steer control flow inside one module (a retryable attempt, a body past its size)
stay private to that module.
"""

from __future__ import annotations


class HwcloudTasksError(Exception):
    """An error the collection raises on purpose: ``message`` for people, ``to_result()`` for playbooks, ``retryable``,
    and ``missing_library`` when what is missing is a Python library (the front-end says how to install it)."""

    retryable = False
    missing_library = None

    def __init__(self, message="", result=None, retryable=None):
        super().__init__(message)
        self.message = message
        self.result = dict(result or {})
        if retryable is not None:
            self.retryable = retryable

    def to_result(self):
        """The fields a failed result carries beside ``msg`` (a copy: callers add their own)."""
        return dict(self.result)


class ParameterError(HwcloudTasksError, ValueError):
    """An option value that cannot make a request, found before any request is sent."""


class ReadIntegrityError(HwcloudTasksError):
    """A read that cannot be trusted to be whole and about the items asked for.

    ``reason`` is ``incomplete`` (a list whose pages do not add up to its total, or whose total
    changed while it was read) or ``foreign`` (an object read answered with another object).
    ``items`` holds what the read served that is true of its own items (a list's records, never
    a foreign object), and ``result`` what the read knew (the API's total, the pages read).
    """

    retryable = True  # another read may be whole, and about the items asked for

    def __init__(self, message, reason, items=(), result=None):
        super().__init__(message, result)
        self.reason = reason
        self.items = list(items)
