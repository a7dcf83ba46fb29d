"""Punch times and --from/--to values into Unix seconds, and back for display."""

from __future__ import annotations

import datetime

import pytest

from reconciler.flows.times import (
    EARLIEST_PUNCH,
    format_instant,
    parse_day,
    parse_punch_time,
    parse_when,
    zone,
)

SHANGHAI = zone("Asia/Shanghai")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-04T09:00:00+08:00", 1709514000),
        ("2024-03-04T01:00:00Z", 1709514000),
        ("2024-03-04 09:00:00.900+08:00", 1709514000),
        ("1709514000", 1709514000),
        (" 1709514000 ", 1709514000),
        (1709514000, 1709514000),
        (1709514000.0, 1709514000),
    ],
)
def test_punch_times_accept_offsets_and_unix_seconds(value: object, expected: int) -> None:
    assert parse_punch_time(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2024-03-04T09:00:00", "has no offset"),
        ("2024-03-04", "has no offset"),
        ("yesterday", "is not ISO 8601"),
        ("1709514000000", "looks like milliseconds"),
        (-5, "-5 is before 1970"),
        ("9999-12-31T09:00:00+08:00", "is after the year 2286"),
        (12345678901, "is after the year 2286"),
        (1709514000.5, "must be whole"),
        (True, "ISO 8601 with an offset or Unix seconds"),
        ("", "ISO 8601 with an offset or Unix seconds"),
        (None, "ISO 8601 with an offset or Unix seconds"),
    ],
)
def test_punch_times_without_a_known_instant_are_refused(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_punch_time(value)


def test_the_earliest_punch_is_the_latest_reading_of_2022_01_01() -> None:
    assert parse_punch_time("2022-01-01T00:00:00Z") == EARLIEST_PUNCH
    assert parse_punch_time("2022-01-01T00:00:00+08:00") < EARLIEST_PUNCH


def test_when_reads_dates_in_the_zone_and_a_date_as_end_includes_the_day() -> None:
    start = parse_when("2024-03-04", SHANGHAI)
    end = parse_when("2024-03-04", SHANGHAI, end=True)
    assert start == parse_punch_time("2024-03-04T00:00:00+08:00")
    assert end - start == 86400
    assert parse_when("20240304", SHANGHAI) == start


def test_when_reads_times_without_offset_in_the_zone_and_keeps_given_offsets() -> None:
    assert parse_when("2024-03-04T09:00", SHANGHAI) == 1709514000
    assert parse_when("2024-03-04T01:00Z", SHANGHAI) == 1709514000
    assert parse_when("1709514000", SHANGHAI) == 1709514000


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9999-12-31", "is outside 1970-01-01 … 9998-12-31"),
        ("0001-01-01", "is outside 1970-01-01 … 9998-12-31"),
        ("1969-12-31T23:00:00Z", "is before 1970"),
        ("9999-12-31T23:00", "is after the year 2286"),
    ],
)
def test_when_outside_what_feishu_can_hold_is_a_clear_error(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_when(value, SHANGHAI, end=True)


def test_days_are_checked() -> None:
    assert parse_day("2024-02-29") == datetime.date(2024, 2, 29)
    with pytest.raises(ValueError, match="is not a date"):
        parse_day("2023-02-29")
    with pytest.raises(ValueError, match="use YYYY-MM-DD"):
        parse_day("04/03/2024")


def test_instants_show_in_the_zone_with_its_offset() -> None:
    assert format_instant(1709514000, SHANGHAI) == "2024-03-04T09:00:00+08:00"
    assert format_instant(1709514000, zone("UTC")) == "2024-03-04T01:00:00+00:00"
    assert format_instant(None, SHANGHAI) == ""


@pytest.mark.parametrize("name", ["Mars/Base", "", "../etc/passwd", "x" * 300, "UTC\x00"])
def test_unknown_zones_are_named(name: str) -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        zone(name)


def test_only_ascii_digits_are_unix_seconds() -> None:
    with pytest.raises(ValueError, match="is not ISO 8601"):
        parse_punch_time("１７０９５１４０００")
