"""The JSON Schema: well-formed, strict at every level, readable, shipped and linked."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from shift_samples import RULE

from reconciler.definitions import load_schema, schema_path
from reconciler.model import (
    LateOffLateOnSetting,
    PunchTimeRule,
    RestTimeFlexibleConfig,
    Shift,
    ShiftAttendanceTimeConfig,
    ShiftMiddleTimeRule,
)

ROOT = Path(__file__).parents[3]
SCHEMA = load_schema()
VALIDATOR = Draft202012Validator(SCHEMA)


def shift(**extra: Any) -> dict[str, Any]:
    return {"shift_name": "早班", "punch_times": 1, "punch_time_rule": [RULE], **extra}


def objects(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if node.get("type") == "object":
            yield node
        for value in node.values():
            yield from objects(value)


def test_schema_is_valid_draft_2020_12() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(SCHEMA)


def test_every_object_refuses_unknown_fields() -> None:
    found = list(objects(SCHEMA))
    assert len(found) == 10
    assert all(node.get("additionalProperties") is False for node in found)


def test_every_field_has_a_description() -> None:
    for node in objects(SCHEMA):
        for name, field in node["properties"].items():
            assert field.get("description"), name


def test_the_schema_names_every_field_of_the_canonical_model() -> None:
    top = set(SCHEMA["properties"]) - {"shift_id", "id"}
    assert top == {f.name for f in dataclasses.fields(Shift)}
    rule = set(SCHEMA["$defs"]["punch_time_rule"]["properties"])
    assert rule == {f.name for f in dataclasses.fields(PunchTimeRule)}


def test_the_repository_schema_links_to_the_packaged_file() -> None:
    link = ROOT / "schema" / "shift.schema.json"
    assert link.is_symlink()
    assert not os.path.isabs(os.readlink(link))
    assert link.resolve() == schema_path().resolve()
    assert json.loads(link.read_text(encoding="utf-8")) == SCHEMA


@pytest.mark.parametrize("time", ["0:00", "9:00", "09:05", "23:59", "26:00", "47:59"])
def test_times_past_midnight_are_accepted(time: str) -> None:
    assert VALIDATOR.is_valid(shift(punch_time_rule=[{**RULE, "off_time": time}]))


@pytest.mark.parametrize("time", ["9", "9:0", "9:60", "48:00", "09:00:00", " 9:00", "nine"])
def test_malformed_times_are_refused(time: str) -> None:
    assert not VALIDATOR.is_valid(shift(punch_time_rule=[{**RULE, "on_time": time}]))


@pytest.mark.parametrize(
    ("field", "good", "bad"),
    [
        ("on_advance_minutes", 720, 721),
        ("off_delay_minutes", 960, 961),
        ("late_minutes_as_late", 0, -1),
        ("late_minutes_as_serious_late", 0, -1),
    ],
)
def test_segment_ranges(field: str, good: int, bad: int) -> None:
    assert VALIDATOR.is_valid(shift(punch_time_rule=[{**RULE, field: good}]))
    assert not VALIDATOR.is_valid(shift(punch_time_rule=[{**RULE, field: bad}]))


@pytest.mark.parametrize(
    ("extra", "valid"),
    [
        ({"day_type": 2}, True),
        ({"day_type": 0}, False),
        ({"rest_time_flexible_configs": [{"late_mins": 1500}]}, True),
        ({"rest_time_flexible_configs": [{"late_mins": 1501}]}, False),
        ({"shift_middle_time_rule": {"middle_time_type": 3, "fixed_middle_time": "13:00"}}, True),
        ({"shift_middle_time_rule": {"middle_time_type": 3}}, False),
        ({"shift_middle_time_rule": {"middle_time_type": -1}}, False),
        ({"shift_attendance_time_config": {"attendance_time": 0.5}}, True),
        ({"shift_attendance_time_config": {"on_attendance_time": 3.01}}, False),
        ({"late_off_late_on_setting": {"late_on_base_on_time_type": 2}}, False),
        ({"late_off_late_on_rule": [{"late_off_minutes": 60, "late_on_minutes": 30}]}, True),
        ({"flexible_rule": [{"flexible_early_minutes": 30}]}, False),
        ({"punch_times": 0}, False),
        ({"shift_name": " "}, False),
        ({"shift_id": "1"}, False),
        ({"id": "1"}, False),
        ({"sub_shift_leader_ids": ["ou_1"]}, True),
        ({"is_flexible": "true"}, False),
    ],
)
def test_documented_ranges_and_types(extra: dict[str, Any], valid: bool) -> None:
    assert VALIDATOR.is_valid(shift(**extra)) is valid


def _model_defaults(cls: type) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            out[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            out[f.name] = f.default_factory()
    return out


@pytest.mark.parametrize(
    ("properties", "model"),
    [
        (SCHEMA["properties"], Shift),
        (SCHEMA["$defs"]["punch_time_rule"]["properties"], PunchTimeRule),
        (SCHEMA["properties"]["shift_middle_time_rule"]["properties"], ShiftMiddleTimeRule),
        (
            SCHEMA["properties"]["shift_attendance_time_config"]["properties"],
            ShiftAttendanceTimeConfig,
        ),
        (SCHEMA["properties"]["late_off_late_on_setting"]["properties"], LateOffLateOnSetting),
        (SCHEMA["$defs"]["rest_time_flexible_config"]["properties"], RestTimeFlexibleConfig),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_schema_defaults_are_the_model_defaults(properties: dict[str, Any], model: type) -> None:
    documented = {
        name: field["default"] for name, field in properties.items() if "default" in field
    }
    expected = {
        name: list(value) if isinstance(value, tuple) else value
        for name, value in _model_defaults(model).items()
        if value is not None  # an absent optional object has no single default value
    }
    assert documented == expected
