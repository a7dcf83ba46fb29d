"""Helpers for the emulator's tests: sample wire bodies, envelope checks, admin seeding."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import httpx
from shift_samples import RULE

API = "/open-apis/attendance/v1"


def shift_body(name: str = "早班", **extra: Any) -> dict[str, Any]:
    """A minimal valid create body (the contract §9 example)."""
    body: dict[str, Any] = {
        "shift_name": name,
        "punch_times": 1,
        "punch_time_rule": [copy.deepcopy(RULE)],
    }
    body.update(extra)
    return body


def flow(user_id: str = "u1", check_time: int = 1_700_000_000, **extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "user_id": user_id,
        "creator_id": user_id,
        "location_name": "西溪八方城",
        "check_time": str(check_time),
        "comment": "上班打卡",
    }
    record.update(extra)
    return record


def ok(response: httpx.Response) -> Any:
    """The ``data`` of a successful envelope (fails the test otherwise)."""
    body = response.json()
    assert response.status_code == 200, body
    assert body["code"] == 0, body
    return body["data"]


def fails(response: httpx.Response, status: int, code: int) -> str:
    """Checks an error envelope; returns its msg."""
    body = response.json()
    assert (response.status_code, body["code"]) == (status, code), body
    assert response.headers["X-Tt-Logid"]
    return str(body["msg"])


def create_shift(client: httpx.Client, name: str = "早班", **extra: Any) -> dict[str, Any]:
    shift: dict[str, Any] = ok(client.post(f"{API}/shifts", json=shift_body(name, **extra)))[
        "shift"
    ]
    return shift


def seed(client: httpx.Client, document: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = ok(client.post("/_emulator/seed", json=document))
    return result


#: How each dialect answers (HTTP status, code) for what the two sets of pages word differently.
SHAPES = {
    "current": {
        "not_found": (400, 1220600),
        "name_taken": (400, 1220600),
        "in_use": (400, 1220600),
    },
    "legacy": {"not_found": (400, 1226003), "name_taken": (400, 1226002), "in_use": (500, 1226001)},
}


@dataclass(frozen=True, slots=True)
class DialectApi:
    """An authorised client on an emulator playing ``dialect``; ``shape(kind)`` its answer."""

    dialect: str
    http: httpx.Client

    def shape(self, kind: str) -> tuple[int, int]:
        return SHAPES[self.dialect][kind]
