"""Faults as configured: rate limits, injected 5xx, lost responses, latency; and the statistics."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest
from emulator_helpers import API, create_shift, fails, ok, shift_body

from reconciler.emulator import (
    EmulatorConfig,
    Faults,
    LostResponse,
    ResponseTimeout,
    create_app,
    serving,
)
from reconciler.emulator.faults import FaultController
from reconciler.emulator.wire import ApiError


def _stats(client: httpx.Client, endpoint: str) -> dict[str, int]:
    data = ok(client.get("/_emulator/stats"))["endpoints"]
    counts: dict[str, int] = data.get(endpoint, {})
    return counts


@contextmanager
def _client(config: EmulatorConfig) -> Iterator[httpx.Client]:
    with (
        create_app(config=config) as app,
        httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://e") as client,
    ):
        yield client


def test_rate_limit_answers_429_with_the_headers(
    emulator_token: Callable[[httpx.Client], str],
) -> None:
    with _client(EmulatorConfig(rate_limit=5)) as client:
        _check_rate_limit(client, emulator_token(client))


def _check_rate_limit(client: httpx.Client, token: str) -> None:
    client.headers["Authorization"] = f"Bearer {token}"
    # Calls are counted in one-second windows: the first 5 of a window pass, the 6th is
    # refused (100 calls in a row stay under 5 per second only if each took over 0.2 s).
    answers: list[httpx.Response] = []
    while len(answers) < 100 and not any(a.status_code == 429 for a in answers):
        answers.append(client.get(f"{API}/shifts"))
    limited = [a for a in answers if a.status_code == 429]
    assert len(limited) == 1
    assert len(answers) >= 6
    for answer in limited:
        fails(answer, 429, 99991400)
        assert answer.json()["msg"] == "request trigger frequency limit"
        assert answer.headers["x-ogw-ratelimit-limit"] == "5"
        # The seconds left in the one-second window (docs/feishu-api.md §6.3), not a whole second.
        assert 0 < float(answer.headers["x-ogw-ratelimit-reset"]) <= 1
    stats = _stats(client, "shift.list")
    assert stats["rate_limited"] == len(limited)
    assert stats["requests"] == len(answers)
    # Another endpoint has its own window.
    ok(client.post(f"{API}/shifts", json=shift_body()))


def test_made_up_app_ids_share_one_rate_limit_window() -> None:
    with create_app(config=EmulatorConfig(rate_limit=1000)) as app:
        http = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://e")
        with http:
            for n in range(200):
                body = {"app_id": f"cli_flood{n}", "app_secret": "x"}
                fails(
                    http.post("/open-apis/auth/v3/tenant_access_token/internal", json=body),
                    400,
                    10003,
                )
        assert len(app.faults._windows) == 1  # not one per made-up id: memory stays flat


def test_rate_limit_zero_disables_it(emulator_api: httpx.Client) -> None:
    for _ in range(120):
        ok(emulator_api.get(f"{API}/shifts"))
    assert _stats(emulator_api, "shift.list")["rate_limited"] == 0


def test_injected_errors_are_500_and_change_nothing(emulator_api: httpx.Client) -> None:
    ok(emulator_api.put("/_emulator/faults", json={"error_rate": 1.0}))
    fails(emulator_api.post(f"{API}/shifts", json=shift_body()), 500, 1226000)
    fails(
        emulator_api.post(f"{API}/user_flows/query?employee_type=employee_id", json={}),
        500,
        1225000,
    )
    ok(emulator_api.delete("/_emulator/faults"))
    assert ok(emulator_api.get(f"{API}/shifts"))["shift_list"] == []
    assert _stats(emulator_api, "shift.create")["faults_injected"] == 1


def test_faults_per_endpoint(emulator_api: httpx.Client) -> None:
    knobs = {"endpoints": {"shift.create": {"error_rate": 1}}}
    described = ok(emulator_api.put("/_emulator/faults", json=knobs))
    assert described["endpoints"]["shift.create"]["error_rate"] == 1.0
    assert described["error_rate"] == 0.0
    fails(emulator_api.post(f"{API}/shifts", json=shift_body()), 500, 1226000)
    ok(emulator_api.get(f"{API}/shifts"))
    ok(emulator_api.patch("/_emulator/faults", json={"endpoints": {"shift.create": None}}))
    create_shift(emulator_api)


@pytest.mark.parametrize(
    "knobs",
    [
        {"error_rate": 2},
        {"lost_rate": -0.1},
        {"timeout_rate": 1.5},
        {"timeout_ms": -1},
        {"latency_ms": "5"},
        {"latency_ms": 10**9},
        {"rate_limit": 1.5},
        {"nonsense": 1},
        {"endpoints": {"shift.nope": {"error_rate": 1}}},
        {"endpoints": {"shift.create": 1}},
        {"endpoints": []},
    ],
)
def test_bad_fault_settings_are_refused(emulator_api: httpx.Client, knobs: object) -> None:
    before = ok(emulator_api.get("/_emulator/faults"))
    fails(emulator_api.put("/_emulator/faults", json=knobs), 400, 1220001)
    assert ok(emulator_api.get("/_emulator/faults")) == before


def test_lost_response_in_process_commits_then_drops(emulator_api: httpx.Client) -> None:
    ok(
        emulator_api.put(
            "/_emulator/faults", json={"endpoints": {"shift.create": {"lost_rate": 1}}}
        )
    )
    with pytest.raises(LostResponse) as raised:
        emulator_api.post(f"{API}/shifts", json=shift_body())
    assert isinstance(raised.value, ConnectionResetError)
    listed = ok(emulator_api.get(f"{API}/shifts"))["shift_list"]
    assert [s["shift_name"] for s in listed] == ["早班"]  # the write happened
    assert _stats(emulator_api, "shift.create")["lost"] == 1


def test_lost_response_when_served_drops_the_connection(
    capfd: pytest.CaptureFixture[str],
) -> None:
    app = create_app(config=EmulatorConfig(rate_limit=0, lost_rate=1.0))
    with serving(app) as base_url, httpx.Client(base_url=base_url) as client:
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):  # no answer at all
            client.post(
                "/open-apis/auth/v3/tenant_access_token/internal",
                json={"app_id": app.config.app_id, "app_secret": app.config.app_secret},
            )
        ok(client.delete("/_emulator/faults"))  # the next request works on a new connection
        assert _stats(client, "auth.tenant_access_token")["lost"] == 1
    app.close()
    assert "Traceback" not in capfd.readouterr().err


def test_timeout_in_process_commits_then_raises_a_timeout(emulator_api: httpx.Client) -> None:
    knobs = {"endpoints": {"shift.create": {"timeout_rate": 1, "timeout_ms": 250}}}
    ok(emulator_api.put("/_emulator/faults", json=knobs))
    with pytest.raises(ResponseTimeout) as raised:
        emulator_api.post(f"{API}/shifts", json=shift_body())
    assert isinstance(raised.value, TimeoutError)
    assert raised.value.seconds == 0.25
    listed = ok(emulator_api.get(f"{API}/shifts"))["shift_list"]
    assert [s["shift_name"] for s in listed] == ["早班"]  # the write happened
    counts = _stats(emulator_api, "shift.create")
    assert (counts["timed_out"], counts["lost"], counts["succeeded"]) == (1, 0, 1)


def test_timeout_when_served_keeps_silent_then_hangs_up(capfd: pytest.CaptureFixture[str]) -> None:
    config = EmulatorConfig(rate_limit=0, timeout_rate=1.0, timeout_ms=400)
    app = create_app(config=config, seed={"users": [{"employee_id": "u1"}]})
    credentials = {"app_id": app.config.app_id, "app_secret": app.config.app_secret}
    with serving(app) as base_url:
        with (
            httpx.Client(base_url=base_url, timeout=0.1) as impatient,
            pytest.raises(httpx.ReadTimeout),  # silence, as from a stuck upstream
        ):
            impatient.post("/open-apis/auth/v3/tenant_access_token/internal", json=credentials)
        with httpx.Client(base_url=base_url, timeout=5) as patient:
            with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
                patient.post("/open-apis/auth/v3/tenant_access_token/internal", json=credentials)
            ok(patient.delete("/_emulator/faults"))
            assert _stats(patient, "auth.tenant_access_token")["timed_out"] == 2
    # The token was issued (committed, then handed out again) though no answer arrived.
    with app.store.reading() as conn:
        assert conn.execute("SELECT count(*) FROM tokens").fetchone()[0] == 1
    app.close()
    assert "Traceback" not in capfd.readouterr().err


def test_latency_with_jitter_sleeps_within_bounds() -> None:
    slept: list[float] = []
    rng = random.Random(7)
    config = EmulatorConfig(latency_ms=100, jitter_ms=20)
    controller = FaultController(config, rng.random, slept.append)
    for _ in range(200):
        controller.delay("shift.list")
    assert all(0.08 <= s <= 0.12 for s in slept)
    assert max(slept) - min(slept) > 0.02  # the jitter is really applied
    controller.update({"endpoints": {"shift.get": {"latency_ms": 0, "jitter_ms": 0}}})
    slept.clear()
    controller.delay("shift.get")
    assert slept == []


def test_error_rate_is_roughly_honoured() -> None:
    rng = random.Random(3)
    controller = FaultController(EmulatorConfig(error_rate=0.25), rng.random)
    hits = sum(controller.roll_error("shift.get") for _ in range(4000))
    assert 800 < hits < 1200
    assert controller.statistics()["shift.get"]["faults_injected"] == hits


def test_config_rejects_bad_knobs() -> None:
    with pytest.raises(ValueError, match="error_rate"):
        EmulatorConfig(error_rate=1.5)
    with pytest.raises(ValueError, match="endpoint"):
        EmulatorConfig(endpoint_faults={"nope": Faults()})


def test_the_app_delays_feishu_calls_but_not_admin_calls(
    emulator_token: Callable[[httpx.Client], str],
) -> None:
    slept: list[float] = []
    with create_app(config=EmulatorConfig(latency_ms=5, rate_limit=0)) as app:
        app.faults = FaultController(app.config, random.Random(1).random, slept.append)
        with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://e") as client:
            client.headers["Authorization"] = f"Bearer {emulator_token(client)}"
            ok(client.get(f"{API}/shifts"))
            ok(client.get("/_emulator/stats"))
    assert slept == [0.005, 0.005]  # the token call and the list call


def test_a_random_seed_makes_ids_and_faults_reproducible(
    emulator_token: Callable[[httpx.Client], str],
) -> None:
    def run(seed: int) -> list[tuple[int, str]]:
        flaky = {"shift.create": Faults(rate_limit=0, error_rate=0.5)}
        config = EmulatorConfig(rate_limit=0, seed=seed, endpoint_faults=flaky)
        with (
            create_app(config=config) as app,
            httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://e") as client,
        ):
            client.headers["Authorization"] = f"Bearer {emulator_token(client)}"
            answers = [client.post(f"{API}/shifts", json=shift_body(f"s{n}")) for n in range(12)]
        return [
            (a.status_code, a.json()["data"].get("shift", {}).get("shift_id", "")) for a in answers
        ]

    first = run(42)
    assert first == run(42)
    assert {status for status, _ in first} == {200, 500}  # both outcomes happened
    assert first != run(43)


@pytest.mark.parametrize(("now", "reset"), [(10.628, "0.372"), (10.0, "1.000"), (10.9999, "0.001")])
def test_a_429_says_the_time_left_in_its_window(now: float, reset: str) -> None:
    # x-ogw-ratelimit-reset is the seconds until the window resets (docs/feishu-api.md §6.3).
    clock = [now]
    controller = FaultController(
        EmulatorConfig(rate_limit=2), random.Random(1).random, clock=lambda: clock[0]
    )
    controller.admit("shift.list", "cli_a")
    controller.admit("shift.list", "cli_a")
    with pytest.raises(ApiError) as refused:
        controller.admit("shift.list", "cli_a")
    assert refused.value.status == 429
    assert refused.value.headers["x-ogw-ratelimit-reset"] == reset
    assert refused.value.headers["x-ogw-ratelimit-limit"] == "2"
    clock[0] = math.floor(now) + 1  # the next window takes calls again
    controller.admit("shift.list", "cli_a")
