"""The four user_flow endpoints and their §11 decisions."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from emulator_helpers import API, fails, flow, ok, seed

IMPORT = f"{API}/user_flows/batch_create?employee_type=employee_id"
QUERY = f"{API}/user_flows/query"
T0 = 1_700_000_000


def _import(client: httpx.Client, *records: dict[str, Any]) -> list[dict[str, Any]]:
    data = ok(client.post(IMPORT, json={"flow_records": list(records)}))
    result: list[dict[str, Any]] = data["flow_records"]
    return result


def _query(client: httpx.Client, users: list[str], start: int, end: int, **params: str) -> Any:
    body = {"user_ids": users, "check_time_from": str(start), "check_time_to": str(end)}
    query = {"employee_type": "employee_id", **params}
    return ok(client.post(QUERY, params=query, json=body))["user_flow_results"]


def test_import_assigns_record_ids_and_get_reads_back(users: httpx.Client) -> None:
    (stored,) = _import(users, flow("u1", T0, external_id="ext-1", is_wifi=True, ssid="office"))
    assert stored["record_id"].isdigit()
    assert (stored["user_id"], stored["check_time"], stored["type"]) == ("u1", str(T0), 7)
    assert (stored["external_id"], stored["is_wifi"], stored["ssid"]) == ("ext-1", True, "office")
    got = ok(users.get(f"{API}/user_flows/{stored['record_id']}?employee_type=employee_id"))
    assert got == stored
    by_no = ok(users.get(f"{API}/user_flows/{stored['record_id']}?employee_type=employee_no"))
    assert by_no["user_id"] == "E001"


def test_import_accepts_up_to_50_records(users: httpx.Client) -> None:
    records = [flow("u1", T0 + i) for i in range(50)]
    assert len(_import(users, *records)) == 50
    too_many = {"flow_records": [flow("u1", T0 + i) for i in range(51)]}
    assert "operate too much flow" in fails(users.post(IMPORT, json=too_many), 400, 1220600)
    fails(users.post(IMPORT, json={"flow_records": []}), 400, 1220001)


def test_import_needs_employee_type(users: httpx.Client) -> None:
    url = f"{API}/user_flows/batch_create"
    fails(users.post(url, json={"flow_records": [flow()]}), 400, 1220001)
    fails(users.post(f"{url}?employee_type=open_id", json={"flow_records": [flow()]}), 400, 1220001)


def test_same_idempotent_id_returns_the_existing_record(users: httpx.Client) -> None:
    (first,) = _import(users, flow("u1", T0, idempotent_id="row-1"))
    (again,) = _import(users, flow("u1", T0 + 60, idempotent_id="row-1", comment="changed"))
    assert again == first
    twice = _import(users, flow("u1", T0, idempotent_id="row-2"), flow(idempotent_id="row-2"))
    assert twice[0] == twice[1]
    assert len(_query(users, ["u1"], T0 - 1, T0 + 100)) == 2


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        (flow("u1", 1_640_966_399), 1220001),  # before 2022-01-01 (+08:00)
        (flow("nobody", T0), 1220004),
        (flow("u9", T0), 1220004),  # terminated
        ({**flow("u1"), "check_time": T0}, 1220001),  # an int, not a string
        ({**flow("u1"), "check_time": "2023-11-14"}, 1220001),
        ({"user_id": "u1", "check_time": str(T0)}, 1220001),
        (flow("u1", T0, type=8), 1220001),
        (flow("u1", T0, is_field="yes"), 1220001),
        (flow("u1", T0, longitude=181.5), 1220001),
        (flow("u1", T0, latitude=-90.5), 1220001),
    ],
)
def test_a_bad_record_stores_nothing_of_the_batch(
    users: httpx.Client, bad: dict[str, Any], code: int
) -> None:
    batch = {"flow_records": [flow("u1", T0), flow("u2", T0), bad]}
    fails(users.post(IMPORT, json=batch), 400, code)
    assert _query(users, ["u1", "u2"], 0, 2_000_000_000) == []


def test_infinite_coordinates_are_refused_not_stored_as_non_json(users: httpx.Client) -> None:
    body = b'{"flow_records": [%s]}' % json.dumps(flow("u1", T0, longitude=0)).encode()
    body = body.replace(b'"longitude": 0', b'"longitude": 1e999')  # JSON's way to say infinity
    fails(users.post(IMPORT, content=body), 400, 1220001)
    assert _query(users, ["u1"], 0, 2_000_000_000) == []


def test_get_of_an_unknown_record_is_1220001(users: httpx.Client) -> None:
    fails(users.get(f"{API}/user_flows/123?employee_type=employee_id"), 400, 1220001)


def test_query_is_half_open_and_sorted(users: httpx.Client) -> None:
    _import(users, flow("u1", T0 + 20), flow("u1", T0), flow("u2", T0 + 10), flow("u1", T0 + 30))
    found = _query(users, ["u1", "u2"], T0, T0 + 30)
    assert [(f["user_id"], int(f["check_time"])) for f in found] == [
        ("u1", T0),
        ("u2", T0 + 10),
        ("u1", T0 + 20),
    ]
    assert _query(users, ["nobody"], T0, T0 + 30) == []


def test_query_limits_and_required_fields(users: httpx.Client) -> None:
    body = {"user_ids": [f"u{i}" for i in range(51)], "check_time_from": "0", "check_time_to": "9"}
    fails(users.post(f"{QUERY}?employee_type=employee_id", json=body), 400, 1220001)
    fails(users.post(f"{QUERY}?employee_type=employee_id", json={"user_ids": ["u1"]}), 400, 1220001)
    fails(users.post(QUERY, json={**body, "user_ids": ["u1"]}), 400, 1220001)


def test_include_terminated_user_reaches_former_holders(emulator_api: httpx.Client) -> None:
    seed(emulator_api, {"users": [{"employee_id": "x", "name": "old"}]})
    (first,) = _import(emulator_api, flow("x", T0))
    seed(emulator_api, {"users": [{"employee_id": "x", "name": "old", "terminated": True}]})
    # Only a leaver holds "x": it is still reached, as the most recent leaver.
    assert _query(emulator_api, ["x"], T0, T0 + 9) == [first]
    seed(emulator_api, {"users": [{"employee_id": "x", "name": "new"}]})
    (second,) = _import(emulator_api, flow("x", T0 + 1))
    for flag in ("false", "False", "0"):
        current = _query(emulator_api, ["x"], T0, T0 + 9, include_terminated_user=flag)
        assert current == [second]
    for flag in ("true", "True", "1"):
        both = _query(emulator_api, ["x"], T0, T0 + 9, include_terminated_user=flag)
        assert both == [first, second]
    bad = emulator_api.post(
        f"{QUERY}?employee_type=employee_id&include_terminated_user=yes",
        json={"user_ids": ["x"], "check_time_from": "0", "check_time_to": "1"},
    )
    fails(bad, 400, 1220001)


def test_batch_del_reports_unknown_ids_as_failures(users: httpx.Client) -> None:
    stored = _import(users, flow("u1", T0), flow("u1", T0 + 1))
    ids = [r["record_id"] for r in stored]
    url = f"{API}/user_flows/batch_del"
    data = ok(users.post(url, json={"record_ids": [ids[0], "404"]}))
    assert data == {"success_record_ids": [ids[0]], "fail_record_ids": ["404"]}
    again = ok(users.post(url, json={"record_ids": [ids[0]]}))
    assert again == {"success_record_ids": [], "fail_record_ids": [ids[0]]}
    assert [r["record_id"] for r in _query(users, ["u1"], T0, T0 + 10)] == [ids[1]]
    fails(users.post(url, json={"record_ids": []}), 400, 1220001)
    fails(users.post(url, json={"record_ids": [str(i) for i in range(11)]}), 400, 1220001)
    fails(users.post(url, json={"record_ids": "1"}), 400, 1220001)
