"""The five shift endpoints and their §11 decisions."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from emulator_helpers import API, RULE, create_shift, fails, ok, seed, shift_body


def test_create_returns_the_stored_shift_with_ids(emulator_api: httpx.Client) -> None:
    shift = create_shift(
        emulator_api, rest_time_rule=[{"rest_begin_time": "13:00", "rest_end_time": "14:00"}]
    )
    assert shift["shift_id"] == shift["id"]
    assert len(shift["shift_id"]) == 19
    assert shift["shift_id"].isdigit()
    assert shift["shift_name"] == "早班"
    assert shift["punch_time_rule"][0]["on_time"] == "9:00"  # echoed as sent
    assert shift["rest_time_rule"] == [{"rest_begin_time": "13:00", "rest_end_time": "14:00"}]
    assert (shift["day_type"], shift["is_flexible"]) == (1, False)  # defaults filled
    assert ok(emulator_api.get(f"{API}/shifts/{shift['shift_id']}")) == shift


def test_update_via_id_keeps_the_shift_id(emulator_api: httpx.Client) -> None:
    shift = create_shift(emulator_api)
    changed = shift_body("晚班", id=shift["shift_id"], no_need_off=True)
    updated = ok(emulator_api.post(f"{API}/shifts", json=changed))["shift"]
    assert updated["shift_id"] == shift["shift_id"]
    assert (updated["shift_name"], updated["no_need_off"]) == ("晚班", True)
    listed = ok(emulator_api.get(f"{API}/shifts"))["shift_list"]
    assert [s["shift_name"] for s in listed] == ["晚班"]


def test_update_of_unknown_id_is_1226003(emulator_api: httpx.Client) -> None:
    body = shift_body(id="7000000000000000001")
    fails(emulator_api.post(f"{API}/shifts", json=body), 400, 1226003)
    fails(emulator_api.post(f"{API}/shifts", json=shift_body(id="9")), 400, 1226003)
    assert ok(emulator_api.get(f"{API}/shifts"))["shift_list"] == []


def test_duplicate_name_is_1226002_naming_the_shift(emulator_api: httpx.Client) -> None:
    create_shift(emulator_api, "早班")
    msg = fails(emulator_api.post(f"{API}/shifts", json=shift_body("早班")), 400, 1226002)
    assert "早班" in msg
    other = create_shift(emulator_api, "晚班")
    renamed = shift_body("早班", id=other["shift_id"])
    assert "早班" in fails(emulator_api.post(f"{API}/shifts", json=renamed), 400, 1226002)


def _without(field: str) -> dict[str, Any]:
    body = shift_body()
    body.pop(field)
    return body


def _rule(**changes: Any) -> dict[str, Any]:
    return shift_body(punch_time_rule=[{**RULE, **changes}])


@pytest.mark.parametrize(
    "body",
    [
        _without("shift_name"),
        _without("punch_times"),
        _without("punch_time_rule"),
        shift_body(""),
        shift_body(punch_times="1"),
        shift_body(punch_times=True),
        shift_body(punch_time_rule=[]),
        shift_body(punch_time_rule={"on_time": "9:00"}),
        shift_body(punch_time_rule=["9:00"]),
        _rule(on_time="nine"),
        _rule(on_time="9:60"),
        _rule(late_minutes_as_late=1.5),
        _rule(on_advance_minutes=721),
        _rule(off_delay_minutes=961),
        _rule(no_need_on=True),
        _rule(no_need_off="yes"),
        shift_body(day_type=3),
        shift_body(day_type=2, is_flexible=True),
        shift_body(is_flexible="true"),
        shift_body(rest_time_rule=[{"rest_begin_time": "13:00"}]),
        shift_body(flexible_rule=[{"flexible_early_minutes": 5}]),
        shift_body(shift_middle_time_rule={"middle_time_type": 9}),
        shift_body(shift_attendance_time_config={"attendance_time": 4}),
        shift_body(rest_time_flexible_configs=[{"late_mins": 1501}]),
        shift_body(sub_shift_leader_ids=[1]),
        shift_body(late_minutes_as_serious_late=2**31),
        shift_body(id=7),
    ],
)
def test_invalid_bodies_are_1220001(emulator_api: httpx.Client, body: dict[str, Any]) -> None:
    fails(emulator_api.post(f"{API}/shifts", json=body), 400, 1220001)
    assert ok(emulator_api.get(f"{API}/shifts"))["shift_list"] == []


def test_invalid_employee_type_is_1220001(emulator_api: httpx.Client) -> None:
    response = emulator_api.post(f"{API}/shifts?employee_type=open_id", json=shift_body())
    fails(response, 400, 1220001)


def test_no_need_flags_are_returned_as_stored(emulator_api: httpx.Client) -> None:
    second = {**RULE, "on_time": "19:00", "off_time": "21:00", "no_need_on": True}
    shift = create_shift(emulator_api, punch_times=2, punch_time_rule=[RULE, second])
    rules = ok(emulator_api.get(f"{API}/shifts/{shift['shift_id']}"))["punch_time_rule"]
    assert [(r["no_need_on"], r["no_need_off"]) for r in rules] == [(False, False), (True, False)]


def test_delete_then_get_is_1226003(emulator_api: httpx.Client) -> None:
    shift = create_shift(emulator_api)
    assert ok(emulator_api.delete(f"{API}/shifts/{shift['shift_id']}")) == {}
    fails(emulator_api.get(f"{API}/shifts/{shift['shift_id']}"), 400, 1226003)
    fails(emulator_api.delete(f"{API}/shifts/{shift['shift_id']}"), 400, 1226003)


def test_delete_of_a_shift_in_use_is_500_1226001(emulator_api: httpx.Client) -> None:
    shift = create_shift(emulator_api)
    seed(
        emulator_api,
        {
            "users": [{"employee_id": "u1"}],
            "groups": [{"id": "g1", "members": ["u1"], "shifts": {"mon": shift["shift_id"]}}],
        },
    )
    msg = fails(emulator_api.delete(f"{API}/shifts/{shift['shift_id']}"), 500, 1226001)
    assert "g1" in msg
    ok(emulator_api.get(f"{API}/shifts/{shift['shift_id']}"))


def test_query_by_exact_name_only(emulator_api: httpx.Client) -> None:
    shift = create_shift(emulator_api, "早班 A")
    found = ok(emulator_api.post(f"{API}/shifts/query", params={"shift_name": "早班 A"}))
    assert found == shift
    for near in ("早班", "早班 A ", "早班 a"):
        fails(emulator_api.post(f"{API}/shifts/query", params={"shift_name": near}), 400, 1226003)
    fails(emulator_api.post(f"{API}/shifts/query"), 400, 1220001)


@pytest.mark.parametrize("size", ["0", "51", "-1", "ten", "1.5"])
def test_page_size_outside_1_to_50_is_1220001(emulator_api: httpx.Client, size: str) -> None:
    fails(emulator_api.get(f"{API}/shifts", params={"page_size": size}), 400, 1220001)


def test_list_pages_in_creation_order(emulator_api: httpx.Client) -> None:
    names = [f"shift {i:02d}" for i in range(23)]
    for name in names:
        create_shift(emulator_api, name)
    first = ok(emulator_api.get(f"{API}/shifts"))
    assert (len(first["shift_list"]), first["has_more"]) == (10, True)
    seen, token = [s["shift_name"] for s in first["shift_list"]], first["page_token"]
    while token:
        page = ok(emulator_api.get(f"{API}/shifts", params={"page_size": 10, "page_token": token}))
        seen += [s["shift_name"] for s in page["shift_list"]]
        token = page.get("page_token")
        assert ("page_token" in page) is page["has_more"]
    assert seen == names


def test_forged_page_token_is_1220001(emulator_api: httpx.Client) -> None:
    for token in ("abc", "AAAAAAAAAAEAAAAAAAAAAA==", "%%%"):
        fails(emulator_api.get(f"{API}/shifts", params={"page_token": token}), 400, 1220001)
