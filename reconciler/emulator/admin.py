"""The emulator's own endpoints under ``/_emulator/`` (not Feishu's).

Reset, seed, clock, faults and statistics; JSON in and out, no authentication.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable
from typing import Any

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request

from reconciler.emulator import quota
from reconciler.emulator.faults import FaultController
from reconciler.emulator.seed import apply_seed
from reconciler.emulator.seed_text import parse_seed
from reconciler.emulator.store import DATA_TABLES, Store
from reconciler.emulator.wire import INVALID_PARAM, ApiError, invalid, json_body

AdminHandler = Callable[[Store, FaultController, Request], dict[str, Any]]


def reset(store: Store, faults: FaultController, request: Request) -> dict[str, Any]:
    """Empty the tenant, the clock, the quota count, faults and statistics (the dialect and
    tenant knobs back to the configured ones); ``{"tokens": true}`` drops tokens too."""
    body = json_body(request, required=False)
    with store.transaction() as conn:
        for table in DATA_TABLES:
            conn.execute(f"DELETE FROM {table}")
        if body.get("tokens") is True:
            conn.execute("DELETE FROM tokens")
        store.put_setting(conn, "clock", None)
        store.put_setting(conn, quota.QUOTA_SETTING, None)
    faults.clear()
    faults.reset_statistics()
    return {}


def seed(store: Store, faults: FaultController, request: Request) -> dict[str, Any]:
    """A seed document as JSON or YAML, whatever the Content-Type (docs/emulator.md)."""
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise invalid("request body too large") from None
    try:
        return apply_seed(store, parse_seed(raw))
    except ValueError as exc:  # SeedError included
        raise invalid(str(exc)) from None


def clock(store: Store, faults: FaultController, request: Request) -> dict[str, Any]:
    """GET reads; PUT sets ``frozen``, ``offset_seconds`` or ``advance_seconds``; DELETE: real."""
    if request.method == "DELETE":
        _put_clock(store, None)
    elif request.method == "PUT":
        _put_clock(store, _clock_setting(store, json_body(request)))
    now = store.now()
    with store.reading() as conn:
        setting = store.setting(conn, "clock") or {}
    mode = "frozen" if "frozen" in setting else "offset" if "offset" in setting else "real"
    return {"now": now.isoformat(), "unix": int(now.timestamp()), "mode": mode}


_LATEST = 253_402_300_799  # 9999-12-31T23:59:59Z, the last instant a datetime holds


def _clock_setting(store: Store, body: dict[str, Any]) -> dict[str, float]:
    setting = _requested_clock(store, body)
    stamp = setting.get("frozen", time.time() + setting.get("offset", 0.0))
    if not 0 <= stamp <= _LATEST:
        raise invalid("the clock must stay between 1970 and 9999")
    return setting


def _requested_clock(store: Store, body: dict[str, Any]) -> dict[str, float]:
    if "frozen" in body:
        return {"frozen": _instant(body["frozen"])}
    if "offset_seconds" in body:
        return {"offset": _number(body["offset_seconds"], "offset_seconds")}
    if "advance_seconds" in body:
        step = _number(body["advance_seconds"], "advance_seconds")
        with store.reading() as conn:
            current = store.setting(conn, "clock") or {}
        if "frozen" in current:
            return {"frozen": float(current["frozen"]) + step}
        return {"offset": float(current.get("offset", 0.0)) + step}
    raise invalid("give one of frozen, offset_seconds, advance_seconds")


def _instant(value: Any) -> float:
    """Unix seconds, or an ISO 8601 time with an offset."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number(value, "frozen")
    if isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            return moment.timestamp()
    raise invalid("frozen must be Unix seconds or an ISO 8601 time with an offset")


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid(f"{name} must be a number")
    if not math.isfinite(float(value)):
        raise invalid(f"{name} must be finite")
    return float(value)


def _put_clock(store: Store, setting: dict[str, float] | None) -> None:
    with store.transaction() as conn:
        store.put_setting(conn, "clock", setting)


def faults_endpoint(store: Store, faults: FaultController, request: Request) -> dict[str, Any]:
    """GET reads; PUT/PATCH change knobs (top level or per endpoint); DELETE clears them."""
    if request.method == "DELETE":
        faults.clear()
    elif request.method in ("PUT", "PATCH"):
        try:
            faults.update(json_body(request))
        except ValueError as exc:
            raise invalid(str(exc)) from None
    return faults.describe()


def stats(store: Store, faults: FaultController, request: Request) -> dict[str, Any]:
    """Per-endpoint counts and this month's quota use; DELETE zeroes the counts."""
    if request.method == "DELETE":
        faults.reset_statistics()
    usage = quota.usage(store, faults.behaviour.monthly_quota)
    return {"endpoints": faults.statistics(), "quota": usage}


ADMIN: dict[str, AdminHandler] = {
    "admin.reset": reset,
    "admin.seed": seed,
    "admin.clock": clock,
    "admin.faults": faults_endpoint,
    "admin.stats": stats,
}


def run_admin(endpoint: str, store: Store, faults: FaultController, request: Request) -> Any:
    handler = ADMIN.get(endpoint)
    if handler is None:  # pragma: no cover - the routing map only names the above
        raise ApiError(INVALID_PARAM, f"unknown admin endpoint {endpoint}", status=404)
    return handler(store, faults, request)
