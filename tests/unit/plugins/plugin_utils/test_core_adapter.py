# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The adapter of the in-process path (plugins/plugin_utils/in_process.py): what it needs of ansible-core beyond
its public API, checked against the ansible-core this runs on (tools/test_matrix.py runs it on every release)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from ansible.module_utils.common.validation import check_type_float
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.plugins.loader import connection_loader

from ansible_collections.hwcloud.tasks.plugins.action.vias_task_info import ActionModule
from ansible_collections.hwcloud.tasks.plugins.module_utils.arguments import (
    plain,
    validate_arguments,
    validated,
    validation_alias_warnings,
    validation_no_log_values,
)
from ansible_collections.hwcloud.tasks.plugins.modules.vias_batch_task_info import DECLARATION as BATCH
from ansible_collections.hwcloud.tasks.plugins.modules.vias_task_info import DECLARATION as VIAS
from ansible_collections.hwcloud.tasks.plugins.plugin_utils.in_process import raw_task_environment, runs_elsewhere

BUILTIN = (dict, list, str, int, float, bool, type(None))


def loaded(text):
    """Task arguments as the controller holds them: loaded by ansible's own YAML loader (tagged in 2.19+)."""
    return DataLoader().load(text)


def kinds(value):
    """Every type in ``value``, keys included."""
    found = {type(value)}
    if isinstance(value, dict):
        for key, item in value.items():
            found |= kinds(key) | kinds(item)
    elif isinstance(value, list):
        for item in value:
            found |= kinds(item)
    return found


def shipped(value):
    """What a shipped module receives: the arguments through JSON."""
    return json.loads(json.dumps(value))


ARGS = "task_id: abc\nwait_timeout: 2.5\nmax_pages: 7\nwait_for: [running, {nested: [1, 2.0, true, null]}]\nnothing: null\n"


def test_the_controllers_values_are_not_builtin_types():
    # The case plain() exists for; if ansible stops subclassing, plain() must still return builtin types (below).
    assert kinds(loaded(ARGS)) - set(BUILTIN), "ansible-core now loads builtin types only: %s" % kinds(loaded(ARGS))


def test_plain_gives_what_a_shipped_module_receives():
    value = plain(loaded(ARGS))
    assert kinds(value) <= set(BUILTIN), kinds(value)
    assert value == shipped(loaded(ARGS))
    assert [type(item) for item in value["wait_for"][1]["nested"]] == [int, float, bool, type(None)]


def test_plain_keeps_builtin_values_as_they_are_and_tuples_become_lists():
    text = "already plain"
    assert plain(text) is text
    assert plain({"a": (1, "b")}) == {"a": [1, "b"]}
    odd = object()
    assert plain([odd]) == [odd]


def test_a_bad_float_names_str_as_the_shipped_module_does():
    with pytest.raises(TypeError) as shipped_error:
        check_type_float("soon")
    validation = validate_arguments(VIAS, loaded("task_id: abc\nproject_id: p\nwait_timeout: soon\n"))
    assert validation.error_messages, "a bad float passed validation"
    assert str(shipped_error.value) in validation.errors.msg, validation.errors.msg
    assert "<class 'str'>" in validation.errors.msg and "_datatag" not in validation.errors.msg


def test_validation_reports_the_secrets_to_mask():
    validation = validate_arguments(VIAS, loaded("task_id: abc\nproject_id: p\nauth_token: tok-123\nsecret_key: sk-456\n"))
    assert not validation.error_messages, validation.errors.msg
    assert {"tok-123", "sk-456"} <= validation_no_log_values(validation)


def test_validation_warns_when_an_option_and_its_alias_are_both_set():
    alias = next(name for name, spec in BATCH.argument_spec().items() if spec.get("aliases"))
    other = BATCH.argument_spec()[alias]["aliases"][0]
    validation = validate_arguments(BATCH, loaded("project_id: p\n%s: 10\n%s: 20\n" % (alias, other)))
    assert validation_alias_warnings(validation) == ["Both option %s and its alias %s are set." % (alias, other)]


def action_for(connection_name, task_environment=None, become=False):
    """A real action plugin of the collection on a real connection plugin, with the task fields the adapter reads."""
    play_context = PlayContext()
    play_context.become = become
    connection = connection_loader.get(connection_name, play_context)
    task = SimpleNamespace(environment=task_environment or [], async_val=0, check_mode=False, delegate_to=None,
                           action="hwcloud.tasks.vias_task_info", args={})
    templar = SimpleNamespace(template=lambda value, **kwargs: value, available_variables={})
    templar.copy_with_new_env = lambda **kwargs: templar
    return ActionModule(task=task, connection=connection, play_context=play_context, loader=DataLoader(), templar=templar,
                        shared_loader_obj=None)


def test_the_task_environment_reaches_the_call():
    action = action_for("local", [{"HW_PROJECT_ID": "from-the-task"}, {"HTTPS_PROXY": "http://proxy:3128"}])
    assert raw_task_environment(action) == {"HW_PROJECT_ID": "from-the-task", "HTTPS_PROXY": "http://proxy:3128"}
    assert raw_task_environment(action_for("local")) == {}


def test_only_the_local_connection_without_become_runs_in_process():
    assert runs_elsewhere(action_for("local")) is None
    assert runs_elsewhere(action_for("local", become=True)) == "become"
    assert runs_elsewhere(action_for("ssh")) == "the ssh connection runs it elsewhere"


def test_one_validation_serves_both_front_ends_with_what_to_mask_and_why_it_failed():
    arguments = validated(VIAS, loaded("task_id: abc\nproject_id: p\nauth_token: tok-123\ncolour: red\n"))
    assert arguments.unsupported is True and "colour" in arguments.error
    assert "tok-123" in arguments.no_log_values
    arguments = validated(VIAS, loaded("task_id: abc\nproject_id: p\nendpoint: https://user:pa55@host\n"))
    assert arguments.error is None and "pa55" in arguments.no_log_values  # a password inside endpoint is masked too
