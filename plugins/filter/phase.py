# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filter ``phase``: a raw state, or a whole task, to its phase.

One filter per file, so that ansible-doc and Galaxy document each on its own: its documentation is
``phase.yml`` beside this file, its code ``plugins/plugin_utils/phase_filters.py``.
"""

from __future__ import annotations

from ansible_collections.hwcloud.tasks.plugins.plugin_utils.phase_filters import phase


class FilterModule:
    """The filter hwcloud.tasks.phase."""

    def filters(self):
        return {"phase": phase}
