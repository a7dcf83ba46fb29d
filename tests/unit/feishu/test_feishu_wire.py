"""Wire ↔ typed conversion: shifts, the no-need flags, flows, days, batches."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from shift_samples import RULE

import reconciler.feishu.wire as wire
from reconciler.feishu import DELETE_BATCH, FLOW_BATCH, USER_BATCH, UserFlow, chunked
from reconciler.feishu.types import day_from_wire, day_to_wire
from reconciler.model import Shift

TWO_SEGMENTS = {
    "shift_name": "两段班",
    "punch_times": 2,
    "punch_time_rule": [
        {**RULE, "off_time": "12:00", "no_need_off": True},
        {**RULE, "on_time": "13:00", "no_need_on": True},
    ],
}


def test_shift_read_keeps_the_id_and_canonical_times() -> None:
    remote = wire.shift_from_wire({**TWO_SEGMENTS, "shift_id": "42", "id": "42"})
    assert remote.shift_id == "42"
    assert remote.shift.punch_time_rule[0].on_time == "09:00"


def test_shift_read_accepts_id_when_shift_id_is_absent() -> None:
    assert wire.shift_from_wire({**TWO_SEGMENTS, "id": "43"}).shift_id == "43"
    with pytest.raises(ValueError, match="shift_id"):
        wire.shift_from_wire(TWO_SEGMENTS)


def test_no_need_flags_are_read_as_stored_by_default() -> None:
    first, second = wire.shift_from_wire({**TWO_SEGMENTS, "shift_id": "1"}).shift.punch_time_rule
    assert (first.no_need_on, first.no_need_off) == (False, True)
    assert (second.no_need_on, second.no_need_off) == (True, False)


def test_an_inverted_read_flips_the_flags_back() -> None:
    # As the read pages document it: true means the punch IS needed.
    data = {**TWO_SEGMENTS, "shift_id": "1"}
    data["punch_time_rule"] = [
        {**RULE, "no_need_on": True, "no_need_off": False},
        {**RULE, "on_time": "13:00", "no_need_on": False, "no_need_off": True},
    ]
    first, second = wire.shift_from_wire(data, inverted=True).shift.punch_time_rule
    assert (first.no_need_on, first.no_need_off) == (False, True)
    assert (second.no_need_on, second.no_need_off) == (True, False)


def test_shift_write_round_trips_and_update_carries_id() -> None:
    shift = Shift.from_mapping(TWO_SEGMENTS)
    body = wire.shift_to_wire(shift)
    assert "id" not in body
    assert Shift.from_mapping(body) == shift
    assert wire.shift_to_wire(shift, shift_id="42")["id"] == "42"


def test_a_full_body_spells_out_every_default() -> None:
    shift = Shift.from_mapping(TWO_SEGMENTS)
    body = wire.shift_to_wire(shift, shift_id="42", full=True)
    assert body["is_flexible"] is False
    assert body["rest_time_rule"] == []
    assert body["flexible_rule"] == []
    assert body["no_need_off"] is False
    assert body["shift_middle_time_rule"] == {"middle_time_type": 0}
    assert body["late_off_late_on_setting"] == {
        "late_off_base_on_time_type": 0,
        "late_on_base_on_time_type": 0,
    }
    assert all("no_need_on" in rule and "no_need_off" in rule for rule in body["punch_time_rule"])
    assert Shift.from_mapping(body) == shift
    # Every field of the model is on the wire, but the files' own (previous_names).
    assert set(body) - {"id"} == {f.name for f in dataclasses.fields(Shift)} - Shift.LOCAL_ONLY


def test_the_reader_takes_empty_strings_and_missing_fields_as_unset() -> None:
    data = {
        **TWO_SEGMENTS,
        "shift_id": "7",
        "punch_times": "",
        "flexible_minutes": "",
        "is_flexible": "false",
        "late_minutes_as_serious_late": "15",
        "shift_middle_time_rule": {"middle_time_type": 3, "fixed_middle_time": ""},
        "rest_time_rule": None,
        "overtime_rule": "",
        "brand_new_field": {"x": 1},
        "punch_time_rule": [
            {**RULE, "late_minutes_as_serious_late": "", "off_time": "12:00"},
            {**RULE, "on_time": "13:00", "extra": True},
        ],
    }
    notes = wire.ReadNotes()
    shift = wire.shift_from_wire(data, notes=notes).shift
    assert shift.punch_times == 2  # the number of segments when the field is empty
    assert shift.is_flexible is False
    assert shift.late_minutes_as_serious_late == 15
    assert shift.shift_middle_time_rule is not None
    assert shift.shift_middle_time_rule.fixed_middle_time is None
    assert shift.rest_time_rule == ()
    assert "brand_new_field" in notes.unknown
    assert "punch_time_rule[1].extra" in notes.unknown
    assert "shift_middle_time_rule.fixed_middle_time" in notes.empty


def test_the_reader_leaves_out_what_it_cannot_use_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    data = {
        **TWO_SEGMENTS,
        "shift_id": "7",
        "day_type": "weekday",
        "rest_time_rule": [
            {"rest_begin_time": "12:00"},
            {"rest_begin_time": "12:00", "rest_end_time": "13:00"},
        ],
        "punch_time_rule": [{**RULE, "on_time": "nine"}, {**RULE, "on_time": "13:00"}],
    }
    with caplog.at_level("WARNING", logger="reconciler.feishu"):
        shift = wire.shift_from_wire(data).shift
    assert shift.day_type == 1
    assert len(shift.rest_time_rule) == 1
    assert [r.on_time for r in shift.punch_time_rule] == ["13:00"]
    assert "day_type" in caplog.text
    assert "weekday" in caplog.text


def test_a_shift_without_a_name_or_an_id_is_not_read() -> None:
    with pytest.raises(ValueError, match="shift_name"):
        wire.shift_from_wire({**TWO_SEGMENTS, "shift_id": "1", "shift_name": ""})
    with pytest.raises(ValueError, match="shift_id"):
        wire.shift_from_wire({**TWO_SEGMENTS, "shift_id": ""})


def test_user_flow_round_trip() -> None:
    flow = UserFlow(
        user_id="u1",
        creator_id="u2",
        location_name="HQ",
        check_time=1700000000,
        comment="in",
        idempotent_id="k",
        external_id="ext",
        is_wifi=True,
        ssid="office",
        bssid="00:11",
        longitude=120.1,
        latitude=30.2,
        photo_urls=("https://x/p.png",),
    )
    data = flow.to_wire()
    assert data["check_time"] == "1700000000"
    assert data["photo_urls"] == ["https://x/p.png"]
    assert "record_id" not in data
    assert UserFlow.from_wire(data) == flow


def test_user_flow_read_tolerates_wire_variants() -> None:
    flow = UserFlow.from_wire(
        {"user_id": "u", "check_time": 1700000000, "is_field": "True", "type": "7", "comment": None}
    )
    assert (flow.check_time, flow.is_field, flow.type, flow.comment) == (1700000000, True, 7, "")


def test_days_are_yyyymmdd_ints() -> None:
    assert day_to_wire(datetime.date(2019, 8, 19)) == 20190819
    assert day_from_wire(20190819) == datetime.date(2019, 8, 19)
    assert day_from_wire("20200229") == datetime.date(2020, 2, 29)


def test_batch_limits_match_the_api() -> None:
    assert (FLOW_BATCH, DELETE_BATCH, USER_BATCH) == (50, 10, 50)


def test_chunked_cuts_without_empty_tail() -> None:
    assert list(chunked(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(chunked(range(6), 3)) == [[0, 1, 2], [3, 4, 5]]
    assert list(chunked([], 3)) == []
    assert [len(c) for c in chunked(iter(range(120)), FLOW_BATCH)] == [50, 50, 20]
    with pytest.raises(ValueError, match="at least 1"):
        list(chunked([1], 0))
