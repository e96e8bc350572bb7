# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The errors the engine raises that no lower layer owns; each says what was wrong and what to do."""

from __future__ import annotations


class ParameterError(ValueError):
    """An option value that cannot make a request, found before any request is sent."""


class ReadIntegrityError(Exception):
    """A read that cannot be trusted to be whole and about the items asked for.

    ``reason`` is ``incomplete`` (a list whose pages do not add up to its total, or whose total
    changed while it was read) or ``foreign`` (an object read answered with another object).
    ``items`` holds what the read served that is true of its own items (a list's records, never
    a foreign object), and ``result`` what the read knew (the API's total, the pages read).
    """

    def __init__(self, message, reason, items=(), result=None):
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.items = list(items)
        self.result = result or {}
