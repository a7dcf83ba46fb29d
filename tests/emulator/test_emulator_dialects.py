"""The documented variants: dialects, the monthly quota, replays, per-endpoint limits, knobs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from emulator_helpers import API, create_shift, fails, flow, ok, seed, shift_body

from reconciler.emulator import EmulatorConfig, create_app

IMPORT = f"{API}/user_flows/batch_create?employee_type=employee_id"
QUERY = f"{API}/user_flows/query?employee_type=employee_id"
DELETE = f"{API}/user_flows/batch_del"
MONDAY_9AM = 1_704_675_600  # 2024-01-08 09:00 +08:00


@contextmanager
def _api(token: Callable[[httpx.Client], str], **config: Any) -> Iterator[httpx.Client]:
    settings: dict[str, Any] = {"rate_limit": 0, **config}
    with (
        create_app(config=EmulatorConfig(**settings)) as app,
        httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://e") as client,
    ):
        client.headers["Authorization"] = f"Bearer {token(client)}"
        seed(client, {"users": [{"employee_id": "u1"}, {"employee_id": "u2"}]})
        yield client


def test_the_quota_refuses_every_call_past_n_and_counts_only_successes(
    emulator_token: Callable[[httpx.Client], str],
) -> None:
    with _api(emulator_token, monthly_quota=3) as api:
        create_shift(api, "A")
        fails(api.get(f"{API}/shifts/404"), 400, 1220600)  # a failed call does not count
        ok(api.get(f"{API}/shifts"))
        ok(api.get(f"{API}/shifts"))
        refused = api.get(f"{API}/shifts")
        msg = fails(refused, 429, 99991403)
        assert msg == "This month's API call quota has been exceeded"
        fails(api.post(f"{API}/shifts", json=shift_body("B")), 429, 99991403)
        # Token requests are not API calls: a client can still authenticate.
        emulator_token(api)
        stats = ok(api.get("/_emulator/stats"))
        assert stats["quota"]["used"] == 3
        assert stats["quota"]["limit"] == 3
        assert stats["endpoints"]["shift.list"]["quota_refused"] == 1
        # The next month starts from zero.
        ok(api.put("/_emulator/clock", json={"advance_seconds": 32 * 86400}))
        api.headers["Authorization"] = f"Bearer {emulator_token(api)}"  # the old one expired
        ok(api.get(f"{API}/shifts"))


def test_the_quota_is_a_knob_of_the_faults_endpoint_and_reset_clears_its_count(
    emulator_token: Callable[[httpx.Client], str],
) -> None:
    with _api(emulator_token) as api:
        ok(api.put("/_emulator/faults", json={"monthly_quota": 1}))
        assert ok(api.get("/_emulator/faults"))["monthly_quota"] == 1
        ok(api.get(f"{API}/shifts"))
        fails(api.get(f"{API}/shifts"), 429, 99991403)
        ok(api.post("/_emulator/reset", json={}))  # the configured knobs come back
        assert ok(api.get("/_emulator/faults"))["monthly_quota"] == 0
        ok(api.get(f"{API}/shifts"))


@pytest.mark.parametrize(
    "bad",
    [
        {"dialect": "v2"},
        {"monthly_quota": -1},
        {"monthly_quota": 1.5},
        {"no_need_inverted_on_read": "yes"},
        {"update_merges": 1},
        {"idempotent_replay": "ignore"},
    ],
)
def test_bad_knobs_are_refused_and_change_nothing(emulator_api: httpx.Client, bad: Any) -> None:
    before = ok(emulator_api.get("/_emulator/faults"))
    fails(emulator_api.put("/_emulator/faults", json={**bad, "latency_ms": 5}), 400, 1220001)
    assert ok(emulator_api.get("/_emulator/faults")) == before
    with pytest.raises(ValueError, match=next(iter(bad))):
        EmulatorConfig(**bad)


def test_a_replayed_idempotent_id_is_an_error_when_asked_and_stores_nothing(
    emulator_token: Callable[[httpx.Client], str],
) -> None:
    with _api(emulator_token, idempotent_replay="error") as api:
        ok(api.post(IMPORT, json={"flow_records": [flow("u1", MONDAY_9AM, idempotent_id="k1")]}))
        again = [flow("u2", MONDAY_9AM, idempotent_id="k2"), flow("u1", idempotent_id="k1")]
        msg = fails(api.post(IMPORT, json={"flow_records": again}), 400, 1220600)
        assert msg.startswith("the object already exists")
        assert "幂等id" in msg
        assert "k1" in msg
        body = {"user_ids": ["u2"], "check_time_from": "0", "check_time_to": "9999999999"}
        assert ok(api.post(QUERY, json=body))["user_flow_results"] == []  # k2 not stored


def test_current_query_returns_valid_punches_only(dialect_api: Any) -> None:
    api = dialect_api.http
    shift = create_shift(api)  # 9:00-18:00, 60 minutes either side
    seed(
        api,
        {
            "users": [{"employee_id": "u1"}, {"employee_id": "u3"}],
            "groups": [{"id": "g1", "members": ["u1"], "shifts": {"mon": shift["shift_id"]}}],
        },
    )
    times = [MONDAY_9AM - 3 * 3600, MONDAY_9AM + 5, MONDAY_9AM + 9 * 3600 + 3000]
    records = [flow("u1", t, idempotent_id=f"u1-{t}") for t in times]
    records += [flow("u3", MONDAY_9AM - 3 * 3600)]  # in no group: nothing to judge against
    ok(api.post(IMPORT, json={"flow_records": records}))
    body = {"user_ids": ["u1", "u3"], "check_time_from": "0", "check_time_to": "9999999999"}
    found = ok(api.post(QUERY, json=body))["user_flow_results"]
    by_user = sorted((f["user_id"], int(f["check_time"])) for f in found)
    if dialect_api.dialect == "legacy":  # every punch (contract §4.5)
        assert len(by_user) == 4
    else:  # 06:00 is outside 08:00-19:00: an invalid punch is not returned
        assert by_user == [("u1", times[1]), ("u1", times[2]), ("u3", times[0])]


def test_batch_del_says_why_ids_failed_in_the_current_dialect(dialect_api: Any) -> None:
    api = dialect_api.http
    seed(api, {"users": [{"employee_id": "u1"}]})
    (stored,) = ok(api.post(IMPORT, json={"flow_records": [flow("u1")]}))["flow_records"]
    answer = api.post(DELETE, json={"record_ids": [stored["record_id"], "404"]}).json()
    assert answer["code"] == 0
    assert answer["data"] == {
        "success_record_ids": [stored["record_id"]],
        "fail_record_ids": ["404"],
    }
    if dialect_api.dialect == "current":
        assert answer["msg"] == "partial success: 404: record does not exist"
    else:
        assert answer["msg"] == "success"
    clean = api.post(DELETE, json={"record_ids": ["405"]}).json()
    assert clean["data"]["fail_record_ids"] == ["405"]


@pytest.mark.parametrize(("dialect", "limit"), [("current", 10), ("legacy", 50)])
def test_batch_del_has_its_documented_rate_limit(
    emulator_token: Callable[[httpx.Client], str], dialect: str, limit: int
) -> None:
    with _api(emulator_token, rate_limit=50, dialect=dialect) as api:
        passed: list[int] = []
        for _ in range(400):
            answer = api.post(DELETE, json={"record_ids": ["404"]})
            if answer.status_code == 429:
                break
            passed.append(answer.status_code)
        fails(answer, 429, 99991400)
        assert answer.headers["x-ogw-ratelimit-limit"] == str(limit)
        # One window passed at least ``limit`` calls (a window may end part-way).
        assert len(passed) >= limit
        # Other endpoints keep 50 per second: the list is not limited by batch_del's window.
        ok(api.get(f"{API}/shifts"))


def test_conflicts_are_injected_as_no_row_affected(
    emulator_token: Callable[[httpx.Client], str],
) -> None:
    with _api(emulator_token) as api:
        ok(api.put("/_emulator/faults", json={"endpoints": {"shift.create": {"conflict_rate": 1}}}))
        msg = fails(api.post(f"{API}/shifts", json=shift_body()), 400, 1220600)
        assert msg == "no row affected"
        assert ok(api.get(f"{API}/shifts"))["shift_list"] == []  # nothing was written
        ok(api.delete("/_emulator/faults"))
        create_shift(api)


def test_the_config_and_the_faults_endpoint_show_the_same_knobs(
    emulator_token: Callable[[httpx.Client], str],
) -> None:
    config = {
        "dialect": "legacy",
        "monthly_quota": 7,
        "no_need_inverted_on_read": True,
        "update_merges": True,
        "idempotent_replay": "error",
    }
    with _api(emulator_token, **config) as api:
        shown = ok(api.get("/_emulator/faults"))
        assert {k: shown[k] for k in config} == config
        ok(api.put("/_emulator/faults", json={"dialect": "current", "update_merges": False}))
        shown = ok(api.get("/_emulator/faults"))
        assert (shown["dialect"], shown["update_merges"], shown["monthly_quota"]) == (
            "current",
            False,
            7,
        )
        ok(api.delete("/_emulator/faults"))
        shown = ok(api.get("/_emulator/faults"))
        assert {k: shown[k] for k in config} == config


def test_a_withheld_scope_is_99991672_naming_the_scopes(emulator_api: httpx.Client) -> None:
    ok(emulator_api.put("/_emulator/faults", json={"missing_scopes": ["attendance:rule"]}))
    ok(emulator_api.get(f"{API}/shifts"))  # attendance:rule:readonly still allows a read
    answer = emulator_api.post(f"{API}/shifts", json=shift_body())
    msg = fails(answer, 400, 99991672)
    assert msg == "Access denied. One of the following scopes is required: [attendance:rule]."
    violations = answer.json()["error"]["permission_violations"]
    assert violations == [{"type": "action_scope_required", "subject": "attendance:rule"}]
    both = {"missing_scopes": ["attendance:rule", "attendance:rule:readonly"]}
    ok(emulator_api.put("/_emulator/faults", json=both))
    fails(emulator_api.get(f"{API}/shifts"), 400, 99991672)


def test_the_ip_whitelist_refuses_other_addresses(emulator_api: httpx.Client) -> None:
    ok(emulator_api.put("/_emulator/faults", json={"ip_whitelist": ["10.1.2.3"]}))
    msg = fails(emulator_api.get(f"{API}/shifts"), 400, 99991401)
    assert "127.0.0.1" in msg
    ok(emulator_api.put("/_emulator/faults", json={"ip_whitelist": ["127.0.0.1"]}))
    ok(emulator_api.get(f"{API}/shifts"))
    fails(emulator_api.put("/_emulator/faults", json={"ip_whitelist": "127.0.0.1"}), 400, 1220001)
