# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets never leave a run: every form a secret can travel in, and the mask that replaces it."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import quote, quote_plus

MASK = "********"


def secret_forms(secret):
    """The forms a secret can travel in through a message or a result: as is, JSON-escaped (quotes,
    backslashes, non-ASCII as \\uXXXX or as is), Python repr-escaped, percent-encoded and HTML-escaped."""
    if not secret or not isinstance(secret, str):
        return []
    forms = [
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        repr(secret)[1:-1],
        ascii(secret)[1:-1],
        quote(secret, safe=""),
        quote_plus(secret, safe=""),
        re.sub("%[0-9A-F]{2}", lambda escape: escape.group(0).lower(), quote(secret, safe="")),
        html.escape(secret),
    ]
    unique = []
    for form in forms:
        if form and form not in unique:
            unique.append(form)
    return unique


class Masker:
    """The secrets one run knows (options, and tokens learnt during it), each in every form it travels in."""

    def __init__(self, secrets=()):
        self.forms = []
        for secret in secrets:
            self.add(secret)

    def add(self, secret):
        for form in secret_forms(secret):
            if form not in self.forms:
                self.forms.append(form)
        self.forms.sort(key=len, reverse=True)  # mask the longest form first

    def scrub(self, text):
        text = "" if text is None else str(text)
        for form in self.forms:
            text = text.replace(form, MASK)
        return text
