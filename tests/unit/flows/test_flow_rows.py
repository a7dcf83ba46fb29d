"""A row's fields checked one by one; its idempotent_id depends on its identity only."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.flows.rows import PunchRow, check_row, identity_key
from reconciler.flows.sources import RawRow, RowProblem

GOOD: dict[str, Any] = {
    "user_id": "u1",
    "check_time": "2024-03-04T09:00:00+08:00",
    "location_name": "HQ",
    "comment": "in",
}


def check(**changes: Any) -> PunchRow | RowProblem:
    values = {**GOOD, **changes}
    return check_row(RawRow(7, {k: v for k, v in values.items() if v is not ...}), "f.csv")


def test_a_good_row_gets_defaults_and_typed_fields() -> None:
    row = check(is_field="TRUE", is_wifi=False, ssid="office", bssid="", external_id=" door-7 ")
    assert row == PunchRow(
        line=7,
        user_id="u1",
        check_time=1709514000,
        location_name="HQ",
        comment="in",
        creator_id="u1",
        external_id="door-7",
        is_field=True,
        is_wifi=False,
        ssid="office",
        bssid=None,
    )


def test_the_flow_sent_carries_the_idempotent_id_and_the_creator() -> None:
    row = check(creator_id="admin")
    assert isinstance(row, PunchRow)
    flow = row.to_flow("employee_id")
    assert flow.creator_id == "admin"
    assert flow.idempotent_id == row.idempotent_id("employee_id")
    assert flow.to_wire()["check_time"] == "1709514000"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"user_id": ""}, "user_id: missing"),
        ({"user_id": 4.5}, "user_id: must be a string"),
        ({"user_id": True}, "user_id: must be a string"),
        ({"check_time": ...}, "check_time: missing"),
        ({"check_time": "2024-03-04 09:00"}, "check_time: '2024-03-04 09:00' has no offset"),
        ({"check_time": "2021-12-31T23:00:00+08:00"}, "is before 2022-01-01, which Feishu refuses"),
        ({"location_name": " "}, "location_name: missing"),
        ({"comment": ...}, "comment: missing (an empty comment is fine)"),
        ({"comment": 3}, "comment: must be a string"),
        ({"is_wifi": "maybe"}, "is_wifi: must be true or false, not 'maybe'"),
        ({"ssid": 5}, "ssid: must be a string"),
        ({"photo": "x"}, "unknown field 'photo'"),
    ],
)
def test_each_bad_field_is_named(changes: dict[str, Any], message: str) -> None:
    problem = check(**changes)
    assert isinstance(problem, RowProblem)
    assert problem.line == 7
    assert message in problem.message


def test_every_bad_field_of_a_row_is_in_its_one_problem() -> None:
    problem = check(user_id="", check_time="soon", is_field="?")
    assert isinstance(problem, RowProblem)
    assert str(problem).startswith("f.csv:7: user_id: missing; check_time: 'soon' is not ISO 8601")
    assert "is_field: must be true or false" in str(problem)


def test_ids_given_as_json_numbers_are_read_as_text() -> None:
    row = check(user_id=1001, creator_id=7, external_id=88121)
    assert isinstance(row, PunchRow)
    assert (row.user_id, row.creator_id, row.external_id) == ("1001", "7", "88121")
    assert isinstance(check(location_name=5), RowProblem)  # a place is text, not an id


def test_an_empty_comment_is_fine() -> None:
    row = check(comment="")
    assert isinstance(row, PunchRow)
    assert row.comment == ""
    assert isinstance(check(comment=None), PunchRow)


def test_identity_ignores_comment_line_and_time_spelling_but_not_who_when_where() -> None:
    base = check()
    assert isinstance(base, PunchRow)
    key = base.idempotent_id("employee_id")
    same = [
        check(comment="other"),
        check(check_time="1709514000"),
        check(check_time="2024-03-04T01:00Z"),
    ]
    assert {r.idempotent_id("employee_id") for r in same if isinstance(r, PunchRow)} == {key}
    different = [
        check(user_id="u2"),
        check(check_time="1709514001"),
        check(location_name="Gate"),
        check(external_id="x"),
    ]
    keys = {r.idempotent_id("employee_id") for r in different if isinstance(r, PunchRow)}
    assert len(keys) == 4
    assert key not in keys
    assert base.idempotent_id("employee_no") != key


def test_identity_key_is_stable_across_runs() -> None:
    # A changed formula would import every earlier file a second time.
    assert identity_key("employee_id", "u1", 1709514000, "HQ", None) == (
        identity_key("employee_id", "u1", 1709514000, "HQ", "")
    )
    assert (
        identity_key("employee_id", "u1", 1709514000, "HQ", None)
        == "sc1-d7b757cef06b4a3f31f975dfba4d37cd"
    )
