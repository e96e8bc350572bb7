# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filter ``markdown_report``: a verification as a Markdown summary.

One filter per file, so that ansible-doc and Galaxy document each on its own: its documentation is
``markdown_report.yml`` beside this file, its code ``plugins/plugin_utils/verification_reports.py``.
"""

from __future__ import annotations

from ansible_collections.hwcloud.tasks.plugins.plugin_utils.verification_reports import markdown_report


class FilterModule:
    """The filter hwcloud.tasks.markdown_report."""

    def filters(self):
        return {"markdown_report": markdown_report}
