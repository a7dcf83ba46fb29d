"""The canonical shift value: times, defaults and write-only fields."""

from __future__ import annotations

import pytest
from shift_samples import RULE

from reconciler.model import (
    CurrentShift,
    PunchTimeRule,
    Shift,
    ShiftMiddleTimeRule,
    canonical_time,
    minutes_of,
    normalize_name,
)


def shift(**extra: object) -> Shift:
    return Shift.from_mapping(
        {"shift_name": "早班", "punch_times": 1, "punch_time_rule": [RULE], **extra}
    )


@pytest.mark.parametrize(
    ("raw", "expected"), [("9:00", "09:00"), ("09:05", "09:05"), ("26:00", "26:00")]
)
def test_times_become_two_digit_hours(raw: str, expected: str) -> None:
    assert canonical_time(raw) == expected


@pytest.mark.parametrize("raw", ["9", "9:60", "nine", "9:0"])
def test_bad_times_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="not a time"):
        canonical_time(raw)


def test_next_day_minutes_roll_past_midnight() -> None:
    assert minutes_of("26:30") == 26 * 60 + 30


def test_absent_and_default_values_compare_equal() -> None:
    explicit = shift(
        is_flexible=False,
        day_type=1,
        rest_time_rule=[],
        shift_middle_time_rule={"middle_time_type": 0},
    )
    assert explicit == shift()
    assert explicit.shift_middle_time_rule is None


def test_write_only_leader_ids_never_compare() -> None:
    assert shift(sub_shift_leader_ids=["u1"]) == shift()
    assert "sub_shift_leader_ids" not in shift(sub_shift_leader_ids=["u1"]).comparable()
    assert shift(sub_shift_leader_ids=["u1"]).to_mapping()["sub_shift_leader_ids"] == ["u1"]


def test_compact_mapping_keeps_required_fields_and_round_trips() -> None:
    value = shift(shift_middle_time_rule={"middle_time_type": 3, "fixed_middle_time": "13:00"})
    data = value.to_mapping()
    assert list(data) == ["shift_name", "punch_times", "punch_time_rule", "shift_middle_time_rule"]
    assert data["punch_time_rule"][0]["on_time"] == "09:00"
    assert Shift.from_mapping(data) == value
    assert value.shift_middle_time_rule == ShiftMiddleTimeRule(3, "13:00")


def test_names_are_kept_exactly_and_matched_after_nfc_and_trimming() -> None:
    decomposed = "Cafe\u0301 shift "
    value = shift(shift_name=decomposed)
    assert value.shift_name == decomposed  # shown and sent as written
    assert value != shift(shift_name="Café shift")  # a different spelling is a change
    assert normalize_name(decomposed) == "Café shift"
    assert CurrentShift("1", value).key == "Café shift"
    assert CurrentShift("1", value).name == decomposed


def test_rules_are_immutable() -> None:
    rule = shift().punch_time_rule[0]
    assert isinstance(rule, PunchTimeRule)
    with pytest.raises(AttributeError):
        rule.on_time = "10:00"  # type: ignore[misc]
