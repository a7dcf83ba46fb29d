"""The contract suite's target: the real client against the emulator, in-process and served.

Every test here runs in both transports (``in-process`` through
``httpx.WSGITransport``, and ``served`` over HTTP on 127.0.0.1) and both
dialects (``current``: today's documented answers; ``legacy``: the older
pages'). ``variant`` adds the tenant knobs that matter (inverted reads,
merging updates, replays answered with an error, a monthly quota). The
emulator's admin API sets faults, knobs, the clock and seeds, and reads its
request statistics.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from shift_samples import RULE

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
from reconciler.secret import Secret


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


#: The answers (code, HTTP status) the two dialects give where their pages differ.
SHAPES = {
    "current": {
        "name_taken": (1220600, 400),
        "not_found": (1220600, 400),
        "in_use": (1220600, 400),
    },
    "legacy": {"name_taken": (1226002, 400), "not_found": (1226003, 400), "in_use": (1226001, 500)},
}


@dataclass
class Target:
    """One emulator and how to reach it; ``dialect`` is the one it plays for this test."""

    mode: str
    app: EmulatorApp
    admin: Admin
    make_http: Callable[..., httpx.Client]  # make_http(timeout=seconds)
    app_secret: str = DEFAULT_APP_SECRET
    dialect: str = "current"
    client_options: dict[str, Any] = field(default_factory=dict)
    variant: str = "current"

    def shape(self, kind: str) -> tuple[int, int]:
        """(code, HTTP status) of ``kind`` ("name_taken", "not_found", "in_use") here."""
        return SHAPES[self.dialect][kind]

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


@pytest.fixture(params=["current", "legacy"])
def target(shared_target: Target, request: pytest.FixtureRequest) -> Target:
    """The emulator, emptied, playing each dialect, rate limit off; faults are set per test."""
    shared_target.admin.reset()
    shared_target.admin.faults(dialect=request.param)
    shared_target.dialect = shared_target.variant = request.param
    shared_target.client_options = {}
    return shared_target


@dataclass(frozen=True, slots=True)
class Variant:
    """A documented tenant variant: the emulator's knobs, and what the client is told.

    ``client`` holds what ``shiftctl doctor`` would have learned (an inverted read).
    """

    name: str
    knobs: dict[str, Any]
    client: dict[str, Any]


VARIANTS = {
    "current": Variant("current", {}, {}),
    "legacy": Variant("legacy", {"dialect": "legacy"}, {}),
    "inverted-reads": Variant(
        "inverted-reads", {"no_need_inverted_on_read": True}, {"no_need_inverted_on_read": True}
    ),
    "merging-updates": Variant("merging-updates", {"update_merges": True}, {}),
    "replay-as-error": Variant("replay-as-error", {"idempotent_replay": "error"}, {}),
    "quota": Variant("quota", {"monthly_quota": 400}, {}),
}


@pytest.fixture(params=list(VARIANTS))
def variant(shared_target: Target, request: pytest.FixtureRequest) -> Target:
    """The emulator, emptied, playing one documented variant (every knob that matters)."""
    chosen = VARIANTS[request.param]
    shared_target.admin.reset()
    if chosen.knobs:
        shared_target.admin.faults(**chosen.knobs)
    shared_target.dialect = chosen.knobs.get("dialect", "current")
    shared_target.variant = chosen.name
    shared_target.client_options = dict(chosen.client)
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
    yield from _clients(target)


@pytest.fixture
def make_variant_client(variant: Target) -> Iterator[Callable[..., FeishuClient]]:
    """``make_client`` for the ``variant`` target (told what doctor would have learned)."""
    yield from _clients(variant)


def _clients(target: Target) -> Iterator[Callable[..., FeishuClient]]:
    made: list[FeishuClient] = []

    def make(http_timeout: float = 10, **options: Any) -> FeishuClient:
        settings: dict[str, Any] = {
            "app_id": DEFAULT_APP_ID,
            "app_secret": Secret(target.app_secret),
            **target.client_options,
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
def client(target: Target, make_client: Callable[..., FeishuClient]) -> FeishuClient:
    return make_client()
