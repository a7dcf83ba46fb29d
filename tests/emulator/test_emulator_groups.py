"""The attendance-group endpoints on the wire: shapes, checks, seeding, in-use deletes, results."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest
from emulator_helpers import API, create_shift, fails, ok, seed

from reconciler.emulator import DEFAULT_APP_ID, DEFAULT_APP_SECRET, SeedError, create_app

IDS = {"employee_type": "employee_id", "dept_type": "od"}
MEMBERS = {**IDS, "member_clock_type": "0"}


@pytest.fixture
def tenant(users: httpx.Client) -> dict[str, str]:
    """Shifts 早班 and 晚班; group g1 (fixed, u1) and rota group g2 (u2)."""
    early, late = create_shift(users, "早班")["shift_id"], create_shift(users, "晚班")["shift_id"]
    seed(
        users,
        {
            "groups": [
                {"id": "g1", "name": "研发", "members": ["u1"], "shifts": {"mon": "早班"}},
                {
                    "id": "g2",
                    "name": "门店",
                    "type": "rota",
                    "time_zone": "Europe/Berlin",
                    "members": ["u2"],
                    "schedule": {"u2": {"2030-01-07": "晚班"}},
                },
            ]
        },
    )
    return {"early": early, "late": late}


def test_the_list_carries_group_list_has_more_and_a_token(
    users: httpx.Client, tenant: dict[str, str]
) -> None:
    page = ok(users.get(f"{API}/groups", params={"page_size": 1}))
    assert page["group_list"] == [{"group_id": "g1", "group_name": "研发"}]
    assert page["has_more"] is True
    rest = ok(users.get(f"{API}/groups", params={"page_size": 1, "page_token": page["page_token"]}))
    assert (rest["group_list"][0]["group_id"], rest["has_more"]) == ("g2", False)
    assert "page_token" not in rest


@pytest.mark.parametrize("size", ["0", "51", "x"])
def test_a_page_size_outside_1_to_50_is_refused(users: httpx.Client, size: str) -> None:
    fails(users.get(f"{API}/groups", params={"page_size": size}), 400, 1220001)
    fails(
        users.get(f"{API}/groups/g1/list_user", params={**MEMBERS, "page_size": size}), 400, 1220001
    )


def test_a_forged_page_token_is_refused(users: httpx.Client, tenant: dict[str, str]) -> None:
    fails(
        users.get(f"{API}/groups", params={"page_token": "AAAAAAAAAAEAAAAAAAAAAA=="}), 400, 1220001
    )


def test_get_has_the_sdk_field_names(users: httpx.Client, tenant: dict[str, str]) -> None:
    group = ok(users.get(f"{API}/groups/g1", params=IDS))
    assert group["punch_day_shift_ids"] == [tenant["early"], *["0"] * 6]
    assert (group["group_type"], group["time_zone"], group["bind_user_ids"]) == (
        0,
        "Asia/Shanghai",
        ["u1"],
    )
    assert group["need_punch_special_days"] == group["no_need_punch_special_days"] == []
    by_no = ok(users.get(f"{API}/groups/g1", params={**IDS, "employee_type": "employee_no"}))
    assert by_no["bind_user_ids"] == ["E001"]


@pytest.mark.parametrize(
    ("params", "problem"),
    [({"dept_type": "od"}, "employee_type"), ({"employee_type": "employee_id"}, "dept_type")],
)
def test_get_needs_both_id_types(
    users: httpx.Client, tenant: dict[str, str], params: dict[str, str], problem: str
) -> None:
    assert problem in fails(users.get(f"{API}/groups/g1", params=params), 400, 1220001)


def test_an_unknown_group_is_1220600_rule_not_exist(users: httpx.Client) -> None:
    assert "rule not exist" in fails(users.get(f"{API}/groups/zz", params=IDS), 400, 1220600)
    fails(users.get(f"{API}/groups/zz/list_user", params=MEMBERS), 400, 1220600)


def test_list_user_needs_member_clock_type_and_lists_current_members(
    users: httpx.Client, tenant: dict[str, str]
) -> None:
    fails(users.get(f"{API}/groups/g1/list_user", params=IDS), 400, 1220001)
    listed = ok(users.get(f"{API}/groups/g1/list_user", params=MEMBERS))
    assert listed == {"users": [{"user_id": "u1", "department_ids": []}], "has_more": False}
    nobody = ok(users.get(f"{API}/groups/g1/list_user", params={**MEMBERS, "member_clock_type": 2}))
    assert nobody["users"] == []
    seed(users, {"users": [{"employee_id": "u1", "terminated": True}]})
    assert ok(users.get(f"{API}/groups/g1/list_user", params=MEMBERS))["users"] == []


def test_search_is_a_substring_match_two_seconds_behind(
    users: httpx.Client, tenant: dict[str, str]
) -> None:
    search = {"group_name": "门"}
    assert ok(users.post(f"{API}/groups/search", json=search))["group_list"] == []
    ok(users.put("/_emulator/clock", json={"advance_seconds": 2}))
    found = ok(users.post(f"{API}/groups/search", json=search))["group_list"]
    assert found == [{"group_id": "g2", "group_name": "门店"}]
    exact = {"group_name": "门", "exactly_matched": True}
    assert ok(users.post(f"{API}/groups/search", json=exact))["group_list"] == []
    fails(users.post(f"{API}/groups/search", json={}), 400, 1220001)


def test_daily_shifts_answer_the_rota(users: httpx.Client, tenant: dict[str, str]) -> None:
    body = {"user_ids": ["u2", "u1"], "check_date_from": 20300101, "check_date_to": 20300130}
    days = ok(
        users.post(
            f"{API}/user_daily_shifts/query", params={"employee_type": "employee_id"}, json=body
        )
    )["user_daily_shifts"]
    assert days == [
        {
            "group_id": "g2",
            "shift_id": tenant["late"],
            "month": 203001,
            "user_id": "u2",
            "day_no": 7,
            "is_clear_schedule": False,
        }
    ]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"user_ids": ["u1"], "check_date_from": 20300101, "check_date_to": 20300131}, 1220001),
        ({"user_ids": ["u1"], "check_date_from": 20300102, "check_date_to": 20300101}, 1220001),
        ({"user_ids": ["u1"], "check_date_from": 20301301, "check_date_to": 20301301}, 1220001),
        ({"user_ids": [], "check_date_from": 20300101, "check_date_to": 20300101}, 1220001),
        ({"user_ids": ["ghost"], "check_date_from": 20300101, "check_date_to": 20300101}, 1220004),
    ],
)
def test_daily_shift_queries_are_checked(
    users: httpx.Client, body: dict[str, Any], code: int
) -> None:
    fails(
        users.post(
            f"{API}/user_daily_shifts/query", params={"employee_type": "employee_id"}, json=body
        ),
        400,
        code,
    )


def test_a_shift_on_an_upcoming_special_day_or_rota_day_cannot_be_deleted(
    users: httpx.Client, tenant: dict[str, str]
) -> None:
    spare = create_shift(users, "备用")["shift_id"]
    seed(
        users, {"groups": [{"id": "g3", "special_days": [{"day": "2030-02-01", "shift": "备用"}]}]}
    )
    # Today's dialect: the delete page's 400 with 1220600 "shift can not be del".
    assert "g3" in fails(users.delete(f"{API}/shifts/{spare}"), 400, 1220600)
    assert "g2" in fails(users.delete(f"{API}/shifts/{tenant['late']}"), 400, 1220600)
    # Once those days have passed (the emulator clock), nothing holds either shift.
    ok(users.put("/_emulator/clock", json={"frozen": "2031-01-01T00:00:00+00:00"}))
    _new_token(users)  # a year on, the old token has expired
    ok(users.delete(f"{API}/shifts/{spare}"))
    ok(users.delete(f"{API}/shifts/{tenant['late']}"))


def test_results_follow_the_rota_and_the_special_days(
    users: httpx.Client, tenant: dict[str, str]
) -> None:
    seed(
        users,
        {
            "groups": [
                {
                    "id": "g1",
                    "members": ["u1"],
                    "shifts": {"mon": "早班"},
                    "special_days": [{"day": "2030-01-12", "shift": "晚班"}],  # a Saturday
                    "rest_days": ["2030-01-14"],  # a Monday off
                }
            ]
        },
    )
    body = {"user_ids": ["u1", "u2"], "check_date_from": 20300107, "check_date_to": 20300114}
    params = {"employee_type": "employee_id"}
    tasks = ok(users.post(f"{API}/user_tasks/query", params=params, json=body))["user_task_results"]
    shifts = {(t["user_id"], t["day"]): t["shift_id"] for t in tasks}
    assert shifts[("u1", 20300107)] == tenant["early"]  # the weekly Monday
    assert shifts[("u1", 20300112)] == tenant["late"]  # the special day
    assert shifts[("u1", 20300114)] == "9"  # the rest day: no shift
    assert shifts[("u2", 20300107)] == tenant["late"]  # the rota day
    assert shifts[("u2", 20300108)] == "9"  # a rota day without an entry


@pytest.mark.parametrize(
    ("group", "message"),
    [
        ({"type": "weekly"}, "groups[0].type"),
        ({"type": "rota", "shifts": {"mon": "早班"}}, "only a fixed group has weekly shifts"),
        ({"schedule": {"u1": {"2030-01-01": "早班"}}, "members": ["u1"]}, "only a rota group"),
        ({"type": "rota", "schedule": {"u2": {"2030-01-01": "早班"}}}, "not a member"),
        ({"special_days": [{"day": "2030-02-30", "shift": "早班"}]}, "special_days[0].day"),
        ({"special_days": [{"day": 20300101, "shift": "无"}]}, "no shift with id or name"),
        ({"rest_days": "2030-01-01"}, "rest_days must be a list"),
    ],
)
def test_a_bad_group_seed_names_the_entry(
    users: httpx.Client, group: dict[str, Any], message: str
) -> None:
    create_shift(users, "早班")
    entry = {"id": "bad", **group}
    assert message in fails(users.post("/_emulator/seed", json={"groups": [entry]}), 400, 1220001)
    assert ok(users.get(f"{API}/groups"))["group_list"] == []  # nothing half-stored


def test_seed_days_may_be_yaml_dates_or_ints() -> None:
    document = {
        "users": [{"employee_id": "u1"}],
        "shifts": [{"shift_name": "A", "punch_times": 1, "punch_time_rule": [_rule()]}],
        "groups": [
            {
                "id": "g",
                "type": 2,
                "members": ["u1"],
                "schedule": {"u1": {dt.date(2030, 1, 2): "A", 20300103: "A", "2030-01-04": None}},
            }
        ],
    }
    with create_app(seed=document) as app, app.store.reading() as conn:
        days = [r["day"] for r in conn.execute("SELECT day FROM daily_shifts ORDER BY day")]
    assert days == [20300102, 20300103]
    with pytest.raises(SeedError, match="must be a day"):
        create_app(seed={**document, "groups": [{"id": "g", "rest_days": [True]}]})


def test_a_state_file_from_before_groups_had_types_still_opens(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute(
            "CREATE TABLE attendance_groups (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
            " group_id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, time_zone TEXT NOT NULL)"
        )
        conn.execute(
            "INSERT INTO attendance_groups (group_id, name, time_zone) VALUES ('g', 'G', 'UTC')"
        )
    conn.close()
    with (
        create_app(db) as app,
        httpx.Client(
            transport=httpx.WSGITransport(app=app), base_url="http://emulator.local"
        ) as http,
    ):
        _new_token(http)
        group = ok(http.get(f"{API}/groups/g", params=IDS))
    assert (group["group_name"], group["group_type"], group["time_zone"]) == ("G", 0, "UTC")


def _new_token(http: httpx.Client) -> None:
    answer = http.post(
        "/open-apis/auth/v3/tenant_access_token/internal",
        json={"app_id": DEFAULT_APP_ID, "app_secret": DEFAULT_APP_SECRET},
    ).json()
    http.headers["Authorization"] = f"Bearer {answer['tenant_access_token']}"


def _rule() -> dict[str, Any]:
    return {
        "on_time": "9:00",
        "off_time": "18:00",
        "late_minutes_as_late": 30,
        "late_minutes_as_lack": 60,
        "on_advance_minutes": 60,
        "early_minutes_as_early": 30,
        "early_minutes_as_lack": 60,
        "off_delay_minutes": 60,
    }


def test_a_group_bound_through_departments_lists_its_people_only_in_list_user(
    users: httpx.Client,
) -> None:
    seed(users, {"groups": [{"id": "d", "departments": ["od-1"], "members": ["u1", "u2"]}]})
    group = ok(users.get(f"{API}/groups/d", params=IDS))
    assert (group["bind_dept_ids"], group["bind_user_ids"]) == (["od-1"], [])
    listed = ok(users.get(f"{API}/groups/d/list_user", params=MEMBERS))["users"]
    assert listed == [
        {"user_id": "u1", "department_ids": ["od-1"]},
        {"user_id": "u2", "department_ids": ["od-1"]},
    ]
    bad = {"groups": [{"id": "d", "departments": "od-1"}]}
    assert "departments must be a list" in fails(
        users.post("/_emulator/seed", json=bad), 400, 1220001
    )
