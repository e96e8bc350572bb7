# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one validation of a module's arguments on the controller, for the two front-ends that run the engine there.

The in-process action plugins (plugin_utils/in_process.py) and the event source
(extensions/eda) validate options against a module's declaration exactly as
AnsibleModule does for a shipped module, then run the engine with what came out.
What they need of ansible-core beyond its public API is here and nowhere else:
the values validation found to mask (``_no_log_values``) and its alias warnings
(``_warnings``), both private attributes that AnsibleModule itself reads.
tests/unit/plugins/plugin_utils/test_core_adapter.py checks this on every release
of the version matrix (tools/test_matrix.py).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Mapping

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import UnsupportedError

from ansible_collections.hwcloud.tasks.plugins.module_utils.engine import secrets_in_options
from ansible_collections.hwcloud.tasks.plugins.module_utils.masking import secret_forms

# params: the options as the engine takes them; error: the message when validation failed (else None), and
# unsupported: whether it failed on names the module does not take; no_log_values: every value to mask, the forms
# of the secret options included; warnings: AnsibleModule's warnings about aliases.
ValidatedArguments = namedtuple("ValidatedArguments", "params error unsupported no_log_values warnings")


def plain(value):
    """``value`` as a shipped module receives it: the builtin types of JSON (dict, list, str, int, float, bool,
    None), without the controller's own subclasses (ansible-core 2.19 and later tag every value with its
    origin, ``_AnsibleTaggedStr`` and kin; earlier releases load YAML as ``AnsibleUnicode``). Validation
    then names the same types in its messages in both paths. A value of any other type is left as it is."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Mapping):
        return dict((plain(key), plain(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    for kind in (str, int, float):
        if isinstance(value, kind):
            return kind(value)  # the value itself when it is of the builtin type already
    return value


def validate_arguments(declaration, args):
    """ArgumentSpecValidator's result for ``args``, converted as a shipped module receives them."""
    validator = ArgumentSpecValidator(declaration.argument_spec(), **declaration.rules())
    return validator.validate(plain(args))


def validation_no_log_values(validation):
    """The values to mask that validation found (no_log options, their fallbacks): a private set AnsibleModule reads too."""
    return set(validation._no_log_values)  # pylint: disable=protected-access


def validation_alias_warnings(validation):
    """AnsibleModule's warning for every option set together with its alias (private list of the validation result)."""
    return ["Both option %s and its alias %s are set." % (w["option"], w["alias"]) for w in validation._warnings]  # pylint: disable=protected-access


def validated(declaration, args):
    """``args`` validated against ``declaration`` as AnsibleModule would, with every value to mask: a ValidatedArguments."""
    validation = validate_arguments(declaration, args)
    params = validation.validated_parameters
    no_log_values = validation_no_log_values(validation)
    no_log_values.update(form for secret in secrets_in_options(params) for form in secret_forms(secret))
    error = unsupported = None
    if validation.error_messages:
        error, unsupported = validation.errors.msg, isinstance(validation.errors[0], UnsupportedError)
    return ValidatedArguments(params, error, bool(unsupported), no_log_values, validation_alias_warnings(validation))
