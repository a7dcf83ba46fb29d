"""An emulator seeded with people, a day shift and a weekday group, and a client for it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.emulator import (
    DEFAULT_APP_ID,
    DEFAULT_APP_SECRET,
    EmulatorApp,
    EmulatorConfig,
    create_app,
)
from reconciler.feishu.client import FeishuClient
from reconciler.flows.checking import InputFile
from reconciler.flows.sources import Format
from reconciler.secret import Secret

DAY_SHIFT = {
    "shift_name": "Day 9-18",
    "punch_times": 1,
    "punch_time_rule": [
        {
            "on_time": "9:00",
            "off_time": "18:00",
            "late_minutes_as_late": 1,
            "late_minutes_as_lack": 120,
            "on_advance_minutes": 120,
            "early_minutes_as_early": 1,
            "early_minutes_as_lack": 120,
            "off_delay_minutes": 240,
        }
    ],
}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def seed(people: int = 3) -> dict[str, Any]:
    """``u1``…``uN`` (employee_no 1001…) in group g1 on the day shift, Monday to Friday."""
    users = [
        {"employee_id": f"u{i}", "employee_no": str(1000 + i), "name": f"User {i}"}
        for i in range(1, people + 1)
    ]
    return {
        "users": users,
        "shifts": [DAY_SHIFT],
        "groups": [
            {
                "id": "g1",
                "name": "Office",
                "members": [u["employee_id"] for u in users],
                "shifts": dict.fromkeys(WEEKDAYS, DAY_SHIFT["shift_name"]),
            }
        ],
    }


def _client(app: EmulatorApp, **options: Any) -> FeishuClient:
    http = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://emulator.test")
    settings: dict[str, Any] = {"rate_limit": 0, "max_retry_seconds": 2.0, "backoff_base": 0.001}
    return FeishuClient(
        http, app_id=DEFAULT_APP_ID, app_secret=Secret(DEFAULT_APP_SECRET), **(settings | options)
    )


@pytest.fixture
def feishu() -> Iterator[EmulatorApp]:
    """The seeded emulator, rate limit off, clock frozen on Friday 2024-03-08 20:00 +08:00."""
    app = create_app(":memory:", config=EmulatorConfig(rate_limit=0, seed=7), seed=seed(60))
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://e") as admin:
        admin.put("/_emulator/clock", json={"frozen": "2024-03-08T20:00:00+08:00"})
    yield app
    app.close()


@pytest.fixture
def client(feishu: EmulatorApp) -> Iterator[FeishuClient]:
    with _client(feishu) as made:
        yield made


@pytest.fixture
def client_for() -> Callable[..., FeishuClient]:
    """``client_for(app, **FeishuClient options)``: another client of the emulator."""
    return _client


@pytest.fixture
def set_faults() -> Callable[..., None]:
    """``set_faults(app, **knobs)``: fault knobs, as the emulator's admin endpoint takes them."""

    def put(app: EmulatorApp, **knobs: Any) -> None:
        with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://e") as admin:
            response = admin.put("/_emulator/faults", json=knobs)
            assert response.json()["code"] == 0, response.text

    return put


@pytest.fixture
def write_rows(tmp_path: Path) -> Callable[..., InputFile]:
    """``write_rows(lines, fmt="csv")`` → an :class:`InputFile` holding ``lines``."""

    def write(lines: list[str], fmt: Format = "csv", name: str = "punches") -> InputFile:
        path = tmp_path / f"{name}.{fmt}"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return InputFile(path, fmt, str(path))

    return write


@pytest.fixture
def punch_csv() -> Callable[..., list[str]]:
    """``punch_csv(users, days, times=("08:55", "18:05"))``: CSV lines, one per user, day, time."""
    return _punch_csv


def _punch_csv(
    users: list[str], days: list[str], times: tuple[str, ...] = ("08:55", "18:05")
) -> list[str]:
    """A CSV with a punch per user, day and time (Asia/Shanghai offsets)."""
    lines = ["user_id,check_time,location_name,comment"]
    lines += [
        f"{user},{day}T{at}:00+08:00,HQ,door" for day in days for user in users for at in times
    ]
    return lines
