# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Front-end 2: run an info module's call in the controller's worker process.

A task that runs on the controller through the local connection pays no
module shipping: the options are validated here against the module's own
declaration (types, choices, aliases, defaults, environment fallbacks that see
the task's ``environment:``, ``no_log`` values), the engine runs in the
worker, and the result is masked and shaped as AnsibleModule would shape it,
so that a playbook cannot tell the two paths apart except by their speed.

Any other task (another host or connection, ``delegate_to`` a remote host,
``become``, ``async``) ships the module as usual, and so does every task
when the variable ``hwcloud_tasks_in_process`` is false (or, when that
variable is not set, the controller's environment variable
``HWCLOUD_TASKS_IN_PROCESS``).

The engine and ``requests`` are imported with this file, which the strategy
loads once in the main process (to read the class's attributes), so every
worker forked after it starts with them already imported.
"""

from __future__ import annotations

import contextlib
import json
import os

from ansible.errors import AnsibleError
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

from ansible_collections.hwcloud.tasks.plugins.module_utils import http_client as http
from ansible_collections.hwcloud.tasks.plugins.module_utils.arguments import validated
from ansible_collections.hwcloud.tasks.plugins.module_utils.engine import CallFailed, run_call

display = Display()

SWITCH = "hwcloud_tasks_in_process"
SWITCH_ENVIRONMENT = "HWCLOUD_TASKS_IN_PROCESS"
LOCAL_CONNECTIONS = ("local", "ansible.builtin.local", "ansible.legacy.local")


class InProcessAction(ActionBase):
    """The action plugin of one info module: ``declaration`` is the module's ModuleDeclaration."""

    declaration = None
    _supports_check_mode = True
    _supports_async = True
    _host_name = "localhost"

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # no effect, as in every action plugin since 2.?
        task_vars = task_vars or {}
        reason = self.why_shipped(task_vars)
        if reason is not None:
            display.vvv("%s: shipping the module (%s)" % (self.module_name, reason))
            return merge_hash(result, self.ship_module(task_vars))
        display.vvv("%s: running on the controller, in process" % self.module_name)
        self._host_name = task_vars.get("inventory_hostname") or "localhost"
        return merge_hash(result, self.run_in_process())

    @property
    def module_name(self):
        return "hwcloud.tasks." + self.declaration.name

    # -- which path ----------------------------------------------------------------------------

    def why_shipped(self, task_vars):
        """None when the call runs here; else why the module is shipped instead."""
        name, switch = (SWITCH, task_vars[SWITCH]) if SWITCH in task_vars else (SWITCH_ENVIRONMENT, os.environ.get(SWITCH_ENVIRONMENT, True))
        try:
            if not boolean(self._templar.template(switch), strict=True):
                return "%s is false" % name
        except (TypeError, ValueError):
            raise AnsibleError("%s must be true or false, not %r" % (name, switch)) from None
        if self._task.async_val:
            return "async"
        elsewhere = runs_elsewhere(self)
        if elsewhere is not None:
            return elsewhere
        if http.requests is None:
            return "requests is not installed on the controller"
        return None

    def ship_module(self, task_vars):
        wrap_async = bool(self._task.async_val) and not self._connection.has_native_async
        result = self._execute_module(module_name=self.module_name, module_args=self._task.args, task_vars=task_vars,
                                      wrap_async=wrap_async)
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    # -- in process ----------------------------------------------------------------------------

    def run_in_process(self):
        declaration = self.declaration
        with task_environment(raw_task_environment(self)):
            arguments = validated(declaration, self._task.args)
            params, no_log_values, warnings = arguments.params, arguments.no_log_values, arguments.warnings
            if arguments.error:
                message = arguments.error
                if arguments.unsupported:
                    message = "Unsupported parameters for (%s) module: %s" % (self.module_name, message)
                return self.finish(dict(failed=True, msg=message), params, no_log_values, warnings)
            try:
                result, secrets, call_warnings = run_call(declaration, params, progress=self.show_progress)
            except CallFailed as exc:
                no_log_values.update(form for secret in exc.secrets for form in http.secret_forms(secret))
                message = exc.message
                if exc.missing_library:
                    message = "Failed to import the required Python library (%s) on the controller's Python" % exc.missing_library
                result = dict(exc.result, failed=True, msg=message)
                return self.finish(result, params, no_log_values, warnings + exc.warnings)
        no_log_values.update(form for secret in secrets for form in http.secret_forms(secret))
        return self.finish(result, params, no_log_values, warnings + call_warnings)

    def finish(self, result, params, no_log_values, warnings):
        """The result as AnsibleModule would return it: changed, invocation, warnings, every secret masked."""
        result = mask_secrets(dict(result), no_log_values)
        result.setdefault("changed", False)
        # The options hold the secrets themselves: masked on their own, so that the check of the (large) rest can pass.
        result["invocation"] = {"module_args": remove_values(params, no_log_values)}
        if warnings:
            result["warnings"] = remove_values(list(warnings), no_log_values)
        return result

    def show_progress(self, text):
        display.display("[%s] %s waiting: %s" % (self._host_name, self.module_name, text))


def mask_secrets(value, secrets):
    """``remove_values(value, secrets)``, without its walk of every string of a large result when none can hold a secret.

    remove_values visits every value in Python: 0.4 s of CPU for 10,000 VIAS batch tasks, as much as
    reading them. A secret in any string of ``value``, or in the text of any of its numbers, is also
    in its JSON text (JSON escapes a string character by character, so the escaped secret is in the
    escaped string that holds it). When no escaped secret is in that text, remove_values would return
    an equal copy, and ``value`` is returned as it is; anything json cannot write goes the slow way.
    """
    secrets = [to_text(secret, errors="surrogate_or_strict") for secret in secrets]
    if not secrets:
        return value
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return remove_values(value, secrets)
    if any(not secret or json.dumps(secret, ensure_ascii=False)[1:-1] in text for secret in secrets):
        return remove_values(value, secrets)
    return value


@contextlib.contextmanager
def task_environment(environment):
    """The task's ``environment:`` in os.environ while the call runs, as a shipped module would see it
    (option fallbacks, proxies, CA bundles); restored after, though the worker process ends with the task."""
    saved = dict((name, os.environ.get(name)) for name in environment)
    try:
        for name, value in environment.items():
            os.environ[str(name)] = str(value)
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# -- the rest of the adapter: what the in-process path needs of ansible-core beyond its public API (validation's
# part is module_utils/arguments.py, which the event source shares). tests/unit/plugins/plugin_utils/test_core_adapter.py
# checks both on every release of the matrix (tools/test_matrix.py).


def raw_task_environment(action):
    """The task's ``environment:`` as a dict, templated and merged as ActionBase gives it to a shipped module."""
    environment = {}
    action._compute_environment_string(raw_environment_out=environment)  # pylint: disable=protected-access
    return environment


def runs_elsewhere(action):
    """Why the task of ``action`` (an action plugin) cannot run in this process: another connection than the
    controller's local one, or ``become``; None when it can."""
    connection = getattr(action._connection, "_load_name", None) or getattr(action._connection, "transport", None)  # pylint: disable=protected-access
    if connection not in LOCAL_CONNECTIONS:
        return "the %s connection runs it elsewhere" % connection
    if action._play_context.become:  # pylint: disable=protected-access
        return "become"
    return None
