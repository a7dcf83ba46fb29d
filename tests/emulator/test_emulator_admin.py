"""The admin API under /_emulator/: reset, seed, clock, statistics."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from emulator_helpers import API, create_shift, fails, flow, ok, seed
from shift_samples import RULE

from reconciler.emulator import EmulatorConfig, SeedError, create_app

SEED = {
    "users": [
        {"employee_id": "u1", "employee_no": 1001, "name": "张三"},
        {"employee_id": "u2"},
    ],
    "shifts": [
        {
            "shift_id": "7000000000000000001",
            "shift_name": "早班",
            "punch_times": 1,
            "punch_time_rule": [RULE],
        }
    ],
    "groups": [
        {
            "id": "g1",
            "name": "研发",
            "time_zone": "Europe/Berlin",
            "members": ["u1"],
            "shifts": {"Mon": "早班", "friday": "7000000000000000001", "sat": None},
        }
    ],
}


def test_seed_through_create_app_and_a_file_db(tmp_path: Path) -> None:
    db = tmp_path / "deep" / "dir" / "emulator.sqlite3"
    app = create_app(db, config=EmulatorConfig(rate_limit=0), seed=SEED)
    app.close()
    assert db.exists()
    again = create_app(db)  # the state lives in the file
    with httpx.Client(transport=httpx.WSGITransport(app=again), base_url="http://e") as client:
        token = client.post(
            "/open-apis/auth/v3/tenant_access_token/internal",
            json={"app_id": again.config.app_id, "app_secret": again.config.app_secret},
        ).json()["tenant_access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        shift = ok(client.get(f"{API}/shifts/7000000000000000001"))
        assert shift["shift_name"] == "早班"
        fails(client.delete(f"{API}/shifts/7000000000000000001"), 400, 1220600)  # in use
        body = {"user_ids": ["1001"], "check_date_from": 20240105, "check_date_to": 20240106}
        tasks = ok(client.post(f"{API}/user_tasks/query?employee_type=employee_no", json=body))
        friday, saturday = tasks["user_task_results"]
        assert (friday["group_id"], friday["shift_id"]) == ("g1", "7000000000000000001")
        assert friday["records"][0]["check_in_shift_time"] == "1704441600"  # 09:00 Berlin
        assert saturday["shift_id"] == "9"
    again.close()


def test_a_yaml_seed_may_leave_numeric_ids_unquoted(emulator_api: httpx.Client) -> None:
    document = {
        "users": [{"employee_id": 1001}],
        "shifts": [{**SEED["shifts"][0], "shift_id": 7000000000000000001}],
        "groups": [{"id": 7, "members": [1001], "shifts": {"mon": 7000000000000000001}}],
    }
    seeded = ok(emulator_api.post("/_emulator/seed", json=document))
    assert seeded["shifts"] == [{"shift_id": "7000000000000000001", "shift_name": "早班"}]
    assert seeded["groups"] == ["7"]
    body = {"user_ids": ["1001"], "check_date_from": 20240108, "check_date_to": 20240108}
    tasks = ok(emulator_api.post(f"{API}/user_tasks/query?employee_type=employee_id", json=body))
    (monday,) = tasks["user_task_results"]
    assert (monday["group_id"], monday["shift_id"]) == ("7", "7000000000000000001")


SEED_YAML = """\
users:
  - {employee_id: u1, employee_no: E001, name: 张三}
shifts:
  - shift_name: 标准班
    punch_times: 1
    punch_time_rule:
      - {on_time: "9:00", off_time: "18:00", late_minutes_as_late: 5, late_minutes_as_lack: 60,
         on_advance_minutes: 60, early_minutes_as_early: 5, early_minutes_as_lack: 60,
         off_delay_minutes: 120}
groups:
  - id: g1
    name: 研发
    members: [u1]
    shifts: {monday: 标准班}
"""


@pytest.mark.parametrize("content_type", ["application/yaml", "text/plain", None])
def test_the_seed_endpoint_takes_yaml_as_documented(
    emulator_http: httpx.Client, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    seeded = ok(emulator_http.post("/_emulator/seed", content=SEED_YAML.encode(), headers=headers))
    assert [s["shift_name"] for s in seeded["shifts"]] == ["标准班"]
    assert seeded["groups"] == ["g1"]
    assert seeded["users"] == ["u1"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"a: &x [1]\nusers: *x\n", "the seed uses a YAML alias (*name); write the value out"),
        (b"users: " + b"[" * 100 + b"]" * 100, "nested deeper than 64 levels"),
        (b"users: !!python/object/apply:os.system [echo]\n", "neither JSON nor YAML"),
        (b"users: [\n", "neither JSON nor YAML"),
        (b"- users\n", "the seed must be a mapping"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_hostile_seed_text_is_a_located_400(
    emulator_http: httpx.Client, body: bytes, message: str
) -> None:
    assert message in fails(emulator_http.post("/_emulator/seed", content=body), 400, 1220001)
    assert ok(emulator_http.get("/_emulator/stats"))  # still serving


@pytest.mark.parametrize(
    "document",
    [
        {"people": []},
        {"users": "u1"},
        {"users": [{"name": "no id"}]},
        {"users": [{"employee_id": "u1", "terminated": "no"}]},
        {"shifts": [{"shift_name": "x"}]},
        {"groups": [{"id": "g", "members": ["ghost"]}]},
        {"groups": [{"id": "g", "members": [True]}]},
        {"groups": [{"id": "g", "members": "u1"}]},
        {"shifts": [{**SEED["shifts"][0], "shift_id": "７０"}]},
        {"groups": [{"id": "g", "time_zone": "Mars/Olympus"}]},
        {"groups": [{"id": "g", "time_zone": "A" * 5000}]},  # too long even for a file name
        {"groups": [{"id": "g", "shifts": {"someday": "x"}}]},
        {"groups": [{"id": "g", "shifts": {"mon": "no such shift"}}]},
        {"users": [{"employee_id": "u1"}], "groups": [{"members": ["u1"]}, {"members": ["u1"]}]},
    ],
)
def test_bad_seeds_store_nothing(emulator_http: httpx.Client, document: dict[str, object]) -> None:
    fails(emulator_http.post("/_emulator/seed", json=document), 400, 1220001)
    with pytest.raises(SeedError):
        create_app(seed=document)


def test_a_leaver_keeps_their_number_and_name_and_is_not_doubled(
    emulator_api: httpx.Client,
) -> None:
    seed(emulator_api, {"users": [{"employee_id": "u1", "employee_no": "E001", "name": "张三"}]})
    for _ in range(2):  # "u1 left", said twice
        seed(emulator_api, {"users": [{"employee_id": "u1", "terminated": True}]})
    seed(emulator_api, {"users": [{"employee_id": "u1", "employee_no": "E002", "name": "新"}]})
    body = {"user_ids": ["u1"], "check_date_from": 20240108, "check_date_to": 20240108}
    url = f"{API}/user_tasks/query?employee_type=employee_id&include_terminated_user=true"
    people = ok(emulator_api.post(url, json=body))["user_task_results"]
    assert sorted(p["employee_name"] for p in people) == ["张三", "新"]
    by_number = {**body, "user_ids": ["E001"]}
    url = f"{API}/user_tasks/query?employee_type=employee_no&include_terminated_user=true"
    (leaver,) = ok(emulator_api.post(url, json=by_number))["user_task_results"]
    assert (leaver["user_id"], leaver["employee_name"]) == ("E001", "张三")


def test_reset_empties_the_tenant_but_keeps_tokens(users: httpx.Client) -> None:
    create_shift(users)
    ok(
        users.post(
            f"{API}/user_flows/batch_create?employee_type=employee_id",
            json={"flow_records": [flow()]},
        )
    )
    ok(users.put("/_emulator/clock", json={"offset_seconds": 3600}))
    ok(users.post("/_emulator/reset"))
    assert ok(users.get(f"{API}/shifts"))["shift_list"] == []  # the token still works
    assert ok(users.get("/_emulator/clock"))["mode"] == "real"
    body = {"flow_records": [flow()]}
    fails(
        users.post(f"{API}/user_flows/batch_create?employee_type=employee_id", json=body),
        400,
        1220004,
    )
    assert ok(users.get("/_emulator/stats"))["endpoints"].keys() == {
        "shift.list",
        "user_flow.batch_create",
    }
    ok(users.post("/_emulator/reset", json={"tokens": True}))
    fails(users.get(f"{API}/shifts"), 400, 99991663)


def test_clock_frozen_offset_advance_and_real(emulator_http: httpx.Client) -> None:
    frozen = ok(emulator_http.put("/_emulator/clock", json={"frozen": "2024-01-08T09:00:00+08:00"}))
    assert (frozen["mode"], frozen["unix"]) == ("frozen", 1_704_675_600)
    moved = ok(emulator_http.put("/_emulator/clock", json={"advance_seconds": 60}))
    assert moved["unix"] == 1_704_675_660
    assert ok(emulator_http.put("/_emulator/clock", json={"frozen": 1_704_675_600}))["unix"] == (
        1_704_675_600
    )
    offset = ok(emulator_http.put("/_emulator/clock", json={"offset_seconds": -86_400 * 365}))
    assert offset["mode"] == "offset"
    assert ok(emulator_http.delete("/_emulator/clock"))["mode"] == "real"
    for bad in (
        {},
        {"frozen": "yesterday"},
        {"frozen": "2024-01-08T09:00:00"},
        {"frozen": True},
        {"offset_seconds": "1"},
        {"frozen": 1e300},
        {"frozen": -5},
        {"offset_seconds": 1e20},
        {"advance_seconds": 1e300},
    ):
        fails(emulator_http.put("/_emulator/clock", json=bad), 400, 1220001)


def test_statistics_count_per_endpoint(emulator_api: httpx.Client) -> None:
    ok(emulator_api.delete("/_emulator/stats"))
    create_shift(emulator_api)
    fails(emulator_api.get(f"{API}/shifts/1"), 400, 1220600)
    stats = ok(emulator_api.get("/_emulator/stats"))["endpoints"]
    assert stats["shift.create"] == {
        "requests": 1,
        "succeeded": 1,
        "failed": 0,
        "rate_limited": 0,
        "faults_injected": 0,
        "lost": 0,
        "timed_out": 0,
        "quota_refused": 0,
    }
    assert (stats["shift.get"]["requests"], stats["shift.get"]["failed"]) == (1, 1)


def test_a_file_that_is_not_sqlite_is_a_state_error(tmp_path: Path) -> None:
    from reconciler.cli import main
    from reconciler.emulator import StateError

    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StateError, match="cannot hold"):
        create_app(junk)
    assert main(["emulator", "serve", "--db", str(junk)]) == 1
