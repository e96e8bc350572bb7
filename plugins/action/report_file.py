# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""hwcloud.tasks.report_file: written in the worker on the controller, shipped elsewhere."""

from __future__ import annotations

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

from ansible_collections.hwcloud.tasks.plugins.module_utils.arguments import plain
from ansible_collections.hwcloud.tasks.plugins.module_utils.report_file import ReportFileError, write_report
from ansible_collections.hwcloud.tasks.plugins.modules.report_file import ARGUMENT_SPEC
from ansible_collections.hwcloud.tasks.plugins.plugin_utils.in_process import runs_elsewhere


class ActionModule(ActionBase):
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        if runs_elsewhere(self) is not None:
            result.update(self._execute_module(module_name="hwcloud.tasks.report_file", module_args=self._task.args,
                                               task_vars=task_vars))
            return result
        # The arguments as the shipped module receives them, so that messages name the same types.
        validation = ArgumentSpecValidator(ARGUMENT_SPEC).validate(plain(self._task.args))
        params = validation.validated_parameters
        if validation.error_messages:
            result.update(failed=True, msg=validation.errors.msg)
            return result
        try:
            changed, size = write_report(params["path"], params["content"], params["mode"], params["marker"],
                                         self._task.check_mode)
        except ReportFileError as exc:
            result.update(failed=True, msg=str(exc))
            return result
        result.update(changed=changed, path=params["path"], size=size)
        return result
