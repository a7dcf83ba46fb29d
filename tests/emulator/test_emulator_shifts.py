"""The five shift endpoints and their §11 decisions, in both dialects where they differ."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from emulator_helpers import API, RULE, DialectApi, create_shift, fails, ok, seed, shift_body


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


def test_update_of_unknown_id_is_not_found(dialect_api: DialectApi) -> None:
    api, (status, code) = dialect_api.http, dialect_api.shape("not_found")
    body = shift_body(id="7000000000000000001")
    assert "shift does not exist" in fails(api.post(f"{API}/shifts", json=body), status, code)
    default = fails(api.post(f"{API}/shifts", json=shift_body(id="9")), status, code)
    assert default == "default shift are not allowed to change."
    assert ok(api.get(f"{API}/shifts"))["shift_list"] == []


def test_duplicate_name_is_refused_naming_the_shift(dialect_api: DialectApi) -> None:
    api, (status, code) = dialect_api.http, dialect_api.shape("name_taken")
    create_shift(api, "早班")
    msg = fails(api.post(f"{API}/shifts", json=shift_body("早班")), status, code)
    assert "早班" in msg
    if dialect_api.dialect == "current":
        assert msg.startswith("the object already exists")  # the access guide's wording
    other = create_shift(api, "晚班")
    renamed = shift_body("早班", id=other["shift_id"])
    assert "早班" in fails(api.post(f"{API}/shifts", json=renamed), status, code)


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


def test_delete_then_get_is_not_found(dialect_api: DialectApi) -> None:
    api, (status, code) = dialect_api.http, dialect_api.shape("not_found")
    shift = create_shift(api)
    assert ok(api.delete(f"{API}/shifts/{shift['shift_id']}")) == {}
    fails(api.get(f"{API}/shifts/{shift['shift_id']}"), status, code)
    fails(api.delete(f"{API}/shifts/{shift['shift_id']}"), status, code)


def test_delete_of_a_shift_in_use_is_refused(dialect_api: DialectApi) -> None:
    api, (status, code) = dialect_api.http, dialect_api.shape("in_use")
    shift = create_shift(api)
    seed(
        api,
        {
            "users": [{"employee_id": "u1"}],
            "groups": [{"id": "g1", "members": ["u1"], "shifts": {"mon": shift["shift_id"]}}],
        },
    )
    msg = fails(api.delete(f"{API}/shifts/{shift['shift_id']}"), status, code)
    assert "g1" in msg
    if dialect_api.dialect == "current":
        assert msg.startswith("shift can not be del")  # the delete page's wording
    ok(api.get(f"{API}/shifts/{shift['shift_id']}"))


def test_legacy_query_matches_the_exact_name_only(dialect_api: DialectApi) -> None:
    api, (status, code) = dialect_api.http, dialect_api.shape("not_found")
    shift = create_shift(api, "早班 A")
    found = ok(api.post(f"{API}/shifts/query", params={"shift_name": "早班 A"}))
    assert found == shift
    fails(api.post(f"{API}/shifts/query"), 400, 1220001)
    fails(api.post(f"{API}/shifts/query", params={"shift_name": "夜班"}), status, code)
    for near in ("早班", "班 A"):
        answer = api.post(f"{API}/shifts/query", params={"shift_name": near})
        if dialect_api.dialect == "legacy":
            fails(answer, status, code)
        else:  # "supports fuzzy matching": a name containing it
            assert ok(answer) == shift


def test_current_query_prefers_the_exact_name(dialect_api: DialectApi) -> None:
    api = dialect_api.http
    create_shift(api, "早班 A")
    exact = create_shift(api, "早班")
    assert ok(api.post(f"{API}/shifts/query", params={"shift_name": "早班"})) == exact


def test_inverted_reads_flip_the_flags_but_the_create_answer_does_not(
    emulator_api: httpx.Client,
) -> None:
    emulator_api.put("/_emulator/faults", json={"no_need_inverted_on_read": True})
    second = {**RULE, "on_time": "19:00", "off_time": "21:00", "no_need_on": True}
    shift = create_shift(emulator_api, punch_times=2, punch_time_rule=[RULE, second])
    assert [(r["no_need_on"], r["no_need_off"]) for r in shift["punch_time_rule"]] == [
        (False, False),
        (True, False),
    ]
    inverted = [(True, True), (False, True)]
    got = ok(emulator_api.get(f"{API}/shifts/{shift['shift_id']}"))
    assert [(r["no_need_on"], r["no_need_off"]) for r in got["punch_time_rule"]] == inverted
    (listed,) = ok(emulator_api.get(f"{API}/shifts"))["shift_list"]
    assert listed == got
    queried = ok(emulator_api.post(f"{API}/shifts/query", params={"shift_name": "早班"}))
    assert queried == got


def test_a_merging_update_keeps_what_the_body_leaves_out(emulator_api: httpx.Client) -> None:
    rest = [{"rest_begin_time": "12:00", "rest_end_time": "13:00"}]
    shift = create_shift(emulator_api, is_flexible=True, flexible_minutes=30, rest_time_rule=rest)
    compact = shift_body(id=shift["shift_id"])  # no is_flexible, no rest_time_rule
    replaced = ok(emulator_api.post(f"{API}/shifts", json=compact))["shift"]
    assert (replaced["is_flexible"], replaced["rest_time_rule"]) == (False, [])
    emulator_api.put("/_emulator/faults", json={"update_merges": True})
    again = shift_body(id=shift["shift_id"], is_flexible=True, rest_time_rule=rest)
    ok(emulator_api.post(f"{API}/shifts", json=again))
    merged = ok(emulator_api.post(f"{API}/shifts", json=compact))["shift"]
    assert (merged["is_flexible"], merged["rest_time_rule"]) == (True, rest)
    # A body that names the field still changes it.
    off = ok(emulator_api.post(f"{API}/shifts", json={**compact, "is_flexible": False}))["shift"]
    assert off["is_flexible"] is False


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
