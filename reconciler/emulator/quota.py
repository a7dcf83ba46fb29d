"""The free edition's monthly API call quota (platform notice 2024-11, enforced from 2024-12-03).

All custom apps of a tenant share N calls a month; past them every call is
HTTP 429 with 99991403 until the month ends. Failed calls do not count; token
requests are not counted (the emulator's choice: the notice counts API calls).
The count lives in the state file, by month of the emulator clock in
Asia/Shanghai, so served and in-process emulators sharing a file share it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from reconciler.emulator.dialect import quota_exceeded
from reconciler.emulator.store import Store

__all__ = ["QUOTA_SETTING", "refund", "reserve", "usage"]

QUOTA_SETTING = "quota"
_ZONE = ZoneInfo("Asia/Shanghai")


def _month(store: Store, now: dt.datetime) -> str:
    return now.astimezone(_ZONE).strftime("%Y-%m")


def reserve(store: Store, limit: int) -> None:
    """Count one call against this month's quota, or raise the 429 answer when it is spent."""
    with store.transaction() as conn:
        month = _month(store, store.now(conn))
        used = _used(store.setting(conn, QUOTA_SETTING), month)
        if used >= limit:
            raise quota_exceeded()
        store.put_setting(conn, QUOTA_SETTING, {"month": month, "used": used + 1})


def refund(store: Store) -> None:
    """The reserved call failed: failed calls do not count."""
    with store.transaction() as conn:
        current = store.setting(conn, QUOTA_SETTING) or {}
        used = int(current.get("used", 0))
        if used > 0:
            store.put_setting(conn, QUOTA_SETTING, {**current, "used": used - 1})


def usage(store: Store, limit: int) -> dict[str, Any]:
    """``{"month", "used", "limit"}`` for the statistics endpoint."""
    with store.reading() as conn:
        month = _month(store, store.now(conn))
        used = _used(store.setting(conn, QUOTA_SETTING), month)
    return {"month": month, "used": used, "limit": limit}


def _used(setting: Any, month: str) -> int:
    if not isinstance(setting, dict) or setting.get("month") != month:
        return 0  # a new month starts from zero
    return int(setting.get("used", 0))
