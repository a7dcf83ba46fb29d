"""Instants and days as people write them, turned into Unix seconds and back.

Punch rows must say which instant they mean (an offset or Unix seconds); the
reading commands' ``--from``/``--to`` may lean on the ``--tz`` zone instead.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo

__all__ = [
    "DEFAULT_TZ",
    "EARLIEST_PUNCH",
    "format_instant",
    "parse_day",
    "parse_punch_time",
    "parse_when",
    "zone",
]

DEFAULT_TZ = "Asia/Shanghai"
"""The contract's default attendance-group zone; Feishu does not return a group's zone."""

# Feishu refuses punches before 2022-01-01; midnight UTC is the latest reading of
# that date anywhere, so a row that passes here is never refused for its age.
EARLIEST_PUNCH = int(datetime.datetime(2022, 1, 1, tzinfo=datetime.UTC).timestamp())

_UNIX = re.compile(r"^\d{1,18}$")
# Unix seconds reach 11 digits only after the year 5000; 13 digits are milliseconds.
_MILLIS = 10**11
_DAY = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})$")


def zone(name: str) -> datetime.tzinfo:
    """The IANA zone called ``name``; ``ValueError`` when there is none."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r} (use an IANA name such as Asia/Shanghai)"
        ) from None


def parse_punch_time(value: object) -> int:
    """A row's ``check_time``: Unix seconds, or ISO 8601 with an offset.

    A time without an offset is refused: the zone it meant cannot be known.
    """
    if isinstance(value, bool) or value is None:
        raise ValueError("must be ISO 8601 with an offset or Unix seconds")
    if isinstance(value, int):
        return _unix(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"{value!r}: Unix seconds must be whole")
        return _unix(int(value))
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be ISO 8601 with an offset or Unix seconds")
    text = value.strip()
    if _UNIX.match(text):
        return _unix(int(text))
    moment = _iso(text)
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no offset (add one, e.g. +08:00 or Z)")
    return int(moment.timestamp())


def parse_when(value: str, tz: datetime.tzinfo, *, end: bool = False) -> int:
    """``--from``/``--to``: Unix seconds, a date, or an ISO time (no offset → ``tz``).

    A bare date means its midnight in ``tz``; with ``end`` it means the
    midnight after it, so ``--to 2024-03-10`` includes the whole day.
    """
    text = value.strip()
    if _UNIX.match(text) and len(text) > 8:
        return _unix(int(text))
    if _DAY.match(text):
        day = parse_day(text)
        if end:
            day += datetime.timedelta(days=1)
        return int(datetime.datetime.combine(day, datetime.time(), tzinfo=tz).timestamp())
    moment = _iso(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return int(moment.timestamp())


def parse_day(value: str) -> datetime.date:
    """``2024-03-04`` or ``20240304``."""
    match = _DAY.match(value.strip())
    if not match:
        raise ValueError(f"{value!r} is not a date (use YYYY-MM-DD)")
    try:
        return datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a date: {exc}") from None


def format_instant(seconds: int | None, tz: datetime.tzinfo) -> str:
    """ISO 8601 in ``tz`` with its offset, e.g. ``2024-03-04T09:00:00+08:00``; '' for none."""
    if seconds is None:
        return ""
    return datetime.datetime.fromtimestamp(seconds, tz).isoformat()


def _unix(seconds: int) -> int:
    if seconds < 0:
        raise ValueError(f"{seconds}: Unix seconds cannot be negative")
    if seconds >= _MILLIS:
        raise ValueError(f"{seconds} looks like milliseconds; give Unix seconds")
    return seconds


def _iso(text: str) -> datetime.datetime:
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not ISO 8601 (e.g. 2024-03-04T09:00:00+08:00)") from None
