# Copyright (c) hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""mask_secrets: exactly what ansible's remove_values returns, without walking a result that holds no secret."""

from __future__ import annotations

from ansible.module_utils.common.parameters import remove_values
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.hwcloud.tasks.plugins.plugin_utils.in_process import mask_secrets

TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
LEAVES = st.one_of(TEXT, st.integers(-10 ** 6, 10 ** 6), st.floats(allow_nan=False, allow_infinity=False), st.booleans(), st.none())
VALUES = st.recursive(LEAVES, lambda children: st.one_of(st.lists(children, max_size=4),
                                                         st.dictionaries(TEXT, children, max_size=4)), max_leaves=25)


def strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


@settings(max_examples=400, deadline=None)
@given(value=VALUES, extra=st.lists(TEXT, max_size=2), data=st.data())
def test_the_result_equals_remove_values(value, extra, data):
    # Secrets taken from the value's own strings (pieces of them), and others it may not hold.
    inside = [text for text in strings_in(value) if text]
    secrets = set(extra)
    if inside:
        whole = data.draw(st.sampled_from(inside))
        start = data.draw(st.integers(0, len(whole) - 1))
        secrets.add(whole[start:start + data.draw(st.integers(1, len(whole)))])
    assert mask_secrets(value, secrets) == remove_values(value, secrets)


def test_a_result_with_a_secret_in_any_form_is_masked():
    result = {"tasks": [{"id": "t1", "name": 'said "pa\\ss\u00e9"'}], "count": 12345}
    assert mask_secrets(result, {'"pa\\ss\u00e9"'}) == {"tasks": [{"id": "t1", "name": "said ********"}], "count": 12345}
    assert mask_secrets(result, {"12345"})["count"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


def test_a_result_without_secrets_is_returned_as_it_is():
    result = {"tasks": [{"id": "t%d" % index} for index in range(1000)]}
    assert mask_secrets(result, {"not-in-there"}) is result
    assert mask_secrets(result, set()) is result
