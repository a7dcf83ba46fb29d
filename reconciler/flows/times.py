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

_UNIX = re.compile(r"^[0-9]{1,18}$")
# Feishu's times are at most 10 digits of Unix seconds (up to the year 2286);
# 12 digits and more are milliseconds given by mistake.
_LATEST = 10**10
_MILLIS = 10**12
_DAY = re.compile(r"^([0-9]{4})-?([0-9]{2})-?([0-9]{2})$")
# Days Feishu's yyyyMMdd integers can hold, with a day to spare at each end.
_FIRST_DAY, _LAST_DAY = datetime.date(1970, 1, 1), datetime.date(9998, 12, 31)


def zone(name: str) -> datetime.tzinfo:
    """The IANA zone called ``name``; ``ValueError`` when there is none."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        # OSError: a name the zone database cannot even look up (too long, say).
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
    return _unix(_seconds(moment), text)


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
        moment = datetime.datetime.combine(day, datetime.time(), tzinfo=tz)
    else:
        moment = _iso(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=tz)
    return _unix(_seconds(moment), text)


def parse_day(value: str) -> datetime.date:
    """``2024-03-04`` or ``20240304``."""
    match = _DAY.match(value.strip())
    if not match:
        raise ValueError(f"{value!r} is not a date (use YYYY-MM-DD)")
    try:
        day = datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a date: {exc}") from None
    if not _FIRST_DAY <= day <= _LAST_DAY:
        raise ValueError(f"{value!r} is outside {_FIRST_DAY} … {_LAST_DAY}")
    return day


def format_instant(seconds: int | None, tz: datetime.tzinfo) -> str:
    """ISO 8601 in ``tz`` with its offset, e.g. ``2024-03-04T09:00:00+08:00``; '' for none."""
    if seconds is None:
        return ""
    return datetime.datetime.fromtimestamp(seconds, tz).isoformat()


def _unix(seconds: int, text: object = None) -> int:
    shown = seconds if text is None else repr(text)
    if seconds < 0:
        raise ValueError(f"{shown} is before 1970")
    if seconds >= _MILLIS:
        raise ValueError(f"{shown} looks like milliseconds; give Unix seconds")
    if seconds >= _LATEST:
        raise ValueError(f"{shown} is after the year 2286")
    return seconds


def _seconds(moment: datetime.datetime) -> int:
    try:
        return int(moment.timestamp())
    except (OverflowError, ValueError):
        raise ValueError(f"{moment.isoformat()} is out of range") from None


def _iso(text: str) -> datetime.datetime:
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not ISO 8601 (e.g. 2024-03-04T09:00:00+08:00)") from None
