"""The contract suite's target: the real client against the emulator, in-process and served.

Every test here runs twice (``in-process`` through ``httpx.WSGITransport``, and
``served`` over HTTP on 127.0.0.1); the emulator's admin API sets faults, the
clock and seeds, and reads its request statistics.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from reconciler.emulator import (
    DEFAULT_APP_ID,
    DEFAULT_APP_SECRET,
    EmulatorApp,
    EmulatorConfig,
    create_app,
    serving,
)
from reconciler.feishu import FeishuClient
from reconciler.model import Shift

RULE = {
    "on_time": "9:00",
    "off_time": "18:00",
    "late_minutes_as_late": 30,
    "late_minutes_as_lack": 60,
    "on_advance_minutes": 60,
    "early_minutes_as_early": 30,
    "early_minutes_as_lack": 60,
    "off_delay_minutes": 60,
}


class Admin:
    """The emulator's own ``/_emulator/`` endpoints."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def _data(self, response: httpx.Response) -> Any:
        body = response.json()
        assert body["code"] == 0, body
        return body["data"]

    def reset(self) -> None:
        """Empty tenant, real clock, no faults, statistics from zero."""
        self._data(self.http.post("/_emulator/reset", json={}))

    def faults(self, **knobs: Any) -> None:
        self._data(self.http.put("/_emulator/faults", json=knobs))

    def stats(self) -> dict[str, dict[str, int]]:
        endpoints: dict[str, dict[str, int]] = self._data(self.http.get("/_emulator/stats"))[
            "endpoints"
        ]
        return endpoints

    def reset_stats(self) -> None:
        self._data(self.http.delete("/_emulator/stats"))

    def advance_clock(self, seconds: float) -> None:
        self._data(self.http.put("/_emulator/clock", json={"advance_seconds": seconds}))

    def seed(self, document: dict[str, Any]) -> dict[str, Any]:
        seeded: dict[str, Any] = self._data(self.http.post("/_emulator/seed", json=document))
        return seeded


@dataclass
class Target:
    """One emulator and how to reach it."""

    mode: str
    app: EmulatorApp
    admin: Admin
    make_http: Callable[..., httpx.Client]  # make_http(timeout=seconds)
    app_secret: str = DEFAULT_APP_SECRET

    def issued_tokens(self) -> list[str]:
        """Every tenant token the emulator has handed out and not yet dropped."""
        with self.app.store.reading() as conn:
            return [row["token"] for row in conn.execute("SELECT token FROM tokens")]


def start_target(mode: str, config: EmulatorConfig) -> Iterator[Target]:
    app = create_app(":memory:", config=config)
    try:
        if mode == "in-process":

            def make_http(timeout: float = 10) -> httpx.Client:
                transport = httpx.WSGITransport(app=app)  # no sockets, so no timeouts either
                return httpx.Client(transport=transport, base_url="http://emulator.invalid")

            with make_http() as admin_http:
                yield Target(mode, app, Admin(admin_http), make_http, config.app_secret)
        else:
            with serving(app) as base_url:

                def make_served(timeout: float = 10) -> httpx.Client:
                    return httpx.Client(base_url=base_url, timeout=timeout)

                with make_served() as admin_http:
                    yield Target(mode, app, Admin(admin_http), make_served, config.app_secret)
    finally:
        app.close()


@pytest.fixture(scope="session", params=["in-process", "served"])
def shared_target(request: pytest.FixtureRequest) -> Iterator[Target]:
    # One emulator per mode for the session: serving and stopping one per test is slow.
    yield from start_target(request.param, EmulatorConfig(rate_limit=0, seed=1234))


@pytest.fixture
def target(shared_target: Target) -> Target:
    """The emulator, emptied, with its rate limit off; faults and limits are set per test."""
    shared_target.admin.reset()
    return shared_target


@pytest.fixture(params=["in-process", "served"])
def canary_target(request: pytest.FixtureRequest) -> Iterator[Target]:
    """A fresh emulator whose app secret is a recognisable canary, for leak hunting."""
    config = EmulatorConfig(app_secret="canary-Secret-7f3a9c1e5b", rate_limit=0, seed=77)
    yield from start_target(request.param, config)


@pytest.fixture
def make_client(target: Target) -> Iterator[Callable[..., FeishuClient]]:
    """``make_client(**options)``: a client for ``target`` with quick backoff for tests.

    ``http_timeout`` sets the HTTP client's timeout; the rest go to :class:`FeishuClient`.
    """
    made: list[FeishuClient] = []

    def make(http_timeout: float = 10, **options: Any) -> FeishuClient:
        settings: dict[str, Any] = {
            "app_id": DEFAULT_APP_ID,
            "app_secret": target.app_secret,
            "rate_limit": 0,
            "max_retry_seconds": 30,
            "backoff_base": 0.005,
            "backoff_cap": 0.05,
            "rng": random.Random(99),
            **options,
        }
        client = FeishuClient(target.make_http(timeout=http_timeout), **settings)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def wire_shift(name: str, on_time: str = "9:00", **extra: Any) -> dict[str, Any]:
    """A valid shift on the wire: one segment starting at ``on_time``."""
    return {
        "shift_name": name,
        "punch_times": 1,
        "punch_time_rule": [{**RULE, "on_time": on_time}],
        **extra,
    }


@pytest.fixture
def make_shift() -> Callable[..., Shift]:
    """``make_shift(name, on_time="9:00", **fields)`` → a canonical :class:`Shift`."""
    return lambda *args, **kwargs: Shift.from_mapping(wire_shift(*args, **kwargs))


@pytest.fixture
def client(make_client: Callable[..., FeishuClient]) -> FeishuClient:
    return make_client()
