# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Front-end 1: the module, shipped to where the task runs.

It validates the options with AnsibleModule against the module's declaration,
hands them to the engine, and exits with the result or fails with the engine's
message. Everything a module does besides is the engine's business, so the
in-process front-end (``plugins/plugin_utils/in_process.py``) returns the
same results.
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.hwcloud.tasks.plugins.module_utils import http_client as http
from ansible_collections.hwcloud.tasks.plugins.module_utils.engine import CallFailed, run_call, secrets_in_options


def run_module(declaration):
    """Validate, run the call of ``declaration`` and exit: the whole ``main()`` of every module."""
    module = AnsibleModule(argument_spec=declaration.argument_spec(), supports_check_mode=True, **declaration.rules())
    mask_in_result(module, secrets_in_options(module.params))
    if http.requests is None:
        module.fail_json(msg=missing_required_lib("requests"))
    try:
        # A module cannot print while it runs: no progress lines (the in-process front-end prints them).
        result, secrets, _warnings = run_call(declaration, module.params, warn=module.warn)
    except CallFailed as exc:
        mask_in_result(module, exc.secrets)
        message = missing_required_lib(exc.missing_library) if exc.missing_library else exc.message
        module.fail_json(msg=message, **exc.result)
    mask_in_result(module, secrets)
    module.exit_json(changed=False, **result)


def mask_in_result(module, secrets):
    """Make AnsibleModule mask ``secrets`` (in every form) wherever they appear in what it returns, invocation included."""
    for secret in secrets:
        for form in http.secret_forms(secret):
            module.no_log_values.add(form)
