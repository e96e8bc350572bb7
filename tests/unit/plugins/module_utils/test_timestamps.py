# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""to_epoch_millis: epoch milliseconds and ISO 8601 in, UTC epoch milliseconds out."""

from __future__ import annotations

import calendar

import pytest

from ansible_collections.hwcloud.tasks.plugins.module_utils.timestamps import TimestampError, to_epoch_millis


def utc_millis(year, month, day, hour=0, minute=0, second=0, millis=0):
    """Written independently of the code under test: calendar.timegm on a UTC tuple."""
    return calendar.timegm((year, month, day, hour, minute, second)) * 1000 + millis


MAY_1_0800_UTC = utc_millis(2024, 5, 1, 8)


def test_none_means_not_set():
    assert to_epoch_millis("start_time", None) is None


@pytest.mark.parametrize("value", [0, 1, 1700000000000, 4102444800000])
def test_integers_are_epoch_millis_as_given(value):
    assert to_epoch_millis("start_time", value) == value


@pytest.mark.parametrize("value, expected", [("1700000000000", 1700000000000), ("0", 0), (" 42 ", 42), ("007", 7)])
def test_digit_strings_are_epoch_millis(value, expected):
    assert to_epoch_millis("start_time", value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2024-05-01T08:00:00Z", MAY_1_0800_UTC),
        ("2024-05-01T08:00:00.250Z", MAY_1_0800_UTC + 250),
        ("2024-05-01T08:00Z", MAY_1_0800_UTC),
        ("2024-05-01 08:00:00Z", MAY_1_0800_UTC),
        ("2024-05-01T16:00:00+08:00", MAY_1_0800_UTC),
        ("2024-05-01T16:00:00+0800", MAY_1_0800_UTC),
        ("2024-05-01T02:30:00-05:30", MAY_1_0800_UTC),
        ("2024-05-01T08:00:00+00:00", MAY_1_0800_UTC),
        ("2024-05-01T08:00:00-00:00", MAY_1_0800_UTC),
        ("  2024-05-01T08:00:00Z  ", MAY_1_0800_UTC),
        ("1970-01-01T00:00:00Z", 0),
        ("2024-02-29T23:59:59.999Z", utc_millis(2024, 2, 29, 23, 59, 59, 999)),
    ],
)
def test_iso_8601_with_zone_is_converted_to_utc_millis(value, expected):
    assert to_epoch_millis("start_time", value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2024-05-01T08:00:00", MAY_1_0800_UTC),
        ("2024-05-01 08:00:00", MAY_1_0800_UTC),
        ("2024-05-01T08:00", MAY_1_0800_UTC),
    ],
)
def test_naive_iso_8601_is_read_as_utc(value, expected):
    assert to_epoch_millis("end_time", value) == expected


def test_date_only_is_midnight_utc():
    assert to_epoch_millis("end_time", "2024-05-01") == utc_millis(2024, 5, 1)


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "",
        "   ",
        "1.5",
        "1e12",
        "+5",
        "2024/05/01",
        "2024-5-1",
        "01-05-2024",
        "2024-05-01T08",
        "2024-05-01T08:00:00 UTC",
        "2024-05-01T08:00:00+8",
        "2024-05-01T08:00:00Zjunk",
        1.5,
        1700000000000.0,
        [2024],
        {"t": 1},
    ],
)
def test_values_that_are_neither_millis_nor_iso_are_rejected_with_examples(value):
    with pytest.raises(TimestampError) as caught:
        to_epoch_millis("start_time", value)

    message = str(caught.value)
    assert message.startswith("start_time must be epoch milliseconds (1700000000000) or an ISO 8601 date-time")
    assert repr(value) in message


@pytest.mark.parametrize("value", ["2024-13-01", "2024-02-30", "2023-02-29", "2024-05-01T25:00:00Z", "2024-05-01T08:61:00Z"])
def test_impossible_dates_are_rejected_naming_the_option(value):
    with pytest.raises(TimestampError) as caught:
        to_epoch_millis("end_time", value)

    assert str(caught.value).startswith("end_time is not a valid date-time")
    assert repr(value) in str(caught.value)


@pytest.mark.parametrize("value", [-1, -1700000000000])
def test_negative_integers_are_rejected(value):
    with pytest.raises(TimestampError) as caught:
        to_epoch_millis("start_time", value)

    assert str(caught.value) == (
        "start_time must be epoch milliseconds (0 or more, like 1700000000000) or an ISO 8601 date-time (got %r)" % value
    )


@pytest.mark.parametrize("value", ["-1", "-1700000000000", " -5 "])
def test_negative_digit_strings_are_rejected_like_negative_integers(value):
    # ansible-core before 2.19 hands a templated -5 to the module as the string "-5": same message as for the integer.
    with pytest.raises(TimestampError) as caught:
        to_epoch_millis("start_time", value)

    assert str(caught.value) == (
        "start_time must be epoch milliseconds (0 or more, like 1700000000000) or an ISO 8601 date-time (got %r)" % value
    )


def test_too_many_digits_are_counted_without_the_sign():
    with pytest.raises(TimestampError, match="got 17 digits"):
        to_epoch_millis("start_time", "-" + "1" * 17)


@pytest.mark.parametrize("value", [True, False])
def test_booleans_are_rejected_not_read_as_0_or_1(value):
    with pytest.raises(TimestampError) as caught:
        to_epoch_millis("start_time", value)

    assert "(got %r)" % value in str(caught.value)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("\u00b2", id="superscript-two"),
        pytest.param("\u0661\u0667\u0660\u0660", id="arabic-indic-digits"),
        pytest.param("\uff11\uff17\uff10\uff10", id="fullwidth-digits"),
    ],
)
def test_non_ascii_digit_strings_are_rejected_as_timestamp_errors(value):
    with pytest.raises(TimestampError):
        to_epoch_millis("start_time", value)


def test_timestamp_error_is_a_value_error():
    assert issubclass(TimestampError, ValueError)
