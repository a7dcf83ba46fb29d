"""Every field of the schema, found by walking it: free text refuses control and bidi
characters, integers refuse what Feishu refuses. A field added to the schema is covered
here without a new test (and FULL_SHIFT must grow to hold it, or the first test fails)."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hostile_support import EVERY_UNSAFE_SAMPLE, every_unsafe_code_point
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.definitions import check
from reconciler.definitions._schema import _inlined_schema, schema_problems
from reconciler.definitions._yaml import Document, dotted, parse_documents
from reconciler.embedded import embedded_client
from reconciler.errors import SourceLocation
from reconciler.feishu.errors import FeishuError
from reconciler.model import Shift
from reconciler.safetext import SCHEMA_TEXT_PATTERN, first_unsafe

INT32_MAX = 2**31 - 1
YAML_LINE_BREAKS = frozenset("\x85\u2028\u2029")
Path_ = tuple[str | int, ...]

# A shift with every field of the schema present, valid by the schema and the rules.
FULL_SHIFT: dict[str, Any] = {
    "shift_name": "全字段班",
    "previous_names": ["旧全字段班"],
    "punch_times": 1,
    "punch_time_rule": [
        {
            "on_time": "09:00",
            "off_time": "18:00",
            "late_minutes_as_late": 5,
            "late_minutes_as_lack": 60,
            "on_advance_minutes": 60,
            "early_minutes_as_early": 5,
            "early_minutes_as_lack": 60,
            "off_delay_minutes": 60,
            "late_minutes_as_serious_late": 30,
            "no_need_on": False,
            "no_need_off": False,
        }
    ],
    "is_flexible": True,
    "flexible_minutes": 10,
    "flexible_rule": [{"flexible_early_minutes": 10, "flexible_late_minutes": 10}],
    "no_need_off": False,
    "rest_time_rule": [{"rest_begin_time": "12:00", "rest_end_time": "13:00"}],
    "rest_time_flexible_configs": [{"need_flexible": True, "late_mins": 30}],
    "overtime_rule": [{"on_overtime": "19:00", "off_overtime": "20:00"}],
    "overtime_rest_time_rule": [{"rest_begin_time": "19:30", "rest_end_time": "19:40"}],
    "late_off_late_on_rule": [{"late_off_minutes": 60, "late_on_minutes": 30}],
    "late_off_late_on_setting": {"late_off_base_on_time_type": 0, "late_on_base_on_time_type": 0},
    "day_type": 1,
    "late_minutes_as_serious_late": 30,
    "shift_middle_time_rule": {"middle_time_type": 3, "fixed_middle_time": "12:30"},
    "shift_attendance_time_config": {
        "attendance_time": 1,
        "on_attendance_time": 0.5,
        "off_attendance_time": 0.5,
    },
    "sub_shift_leader_ids": ["u1"],
}


def leaves(schema: dict[str, Any], path: Path_ = ()) -> Iterator[tuple[Path_, dict[str, Any]]]:
    """Every scalar field of the schema with its JSON path (array items as [0])."""
    if schema.get("not") == {}:
        return  # server-owned: refused whatever its value
    if "properties" in schema:
        for name, sub in schema["properties"].items():
            yield from leaves(sub, (*path, name))
    elif "items" in schema:
        yield from leaves(schema["items"], (*path, 0))
    else:
        yield path, schema


LEAVES = list(leaves(_inlined_schema()))
STRINGS = [(p, s) for p, s in LEAVES if s.get("type") == "string"]
INTEGERS = [(p, s) for p, s in LEAVES if s.get("type") == "integer"]


def at(document: Any, path: Path_) -> Any:
    for part in path:
        document = document[part]
    return document


def with_value(path: Path_, value: Any) -> dict[str, Any]:
    document = copy.deepcopy(FULL_SHIFT)
    at(document, path[:-1])[path[-1]] = value
    return document


def problems_of(
    document: dict[str, Any], tmp_path: Path, *, raw: bool = False
) -> list[tuple[str, str]]:
    """The problems of ``document`` written as a file (JSON is YAML), its text escaped
    (``"\\u202e"``) unless ``raw``."""
    path = tmp_path / "shift.yaml"
    path.write_text(json.dumps(document, ensure_ascii=not raw), encoding="utf-8")
    return [(p.field, p.message) for p in check([path])[1]]


def test_the_full_shift_holds_every_field_of_the_schema_and_is_valid(tmp_path: Path) -> None:
    missing = []
    for path, _ in LEAVES:
        try:
            at(FULL_SHIFT, path)
        except (KeyError, IndexError):
            missing.append(dotted(path))
    assert missing == [], "add these fields to FULL_SHIFT so the hostile suite covers them"
    assert problems_of(FULL_SHIFT, tmp_path) == []
    assert {dotted(p) for p, _ in STRINGS} >= {"shift_name", "sub_shift_leader_ids[0]"}


@pytest.mark.parametrize("path", [p for p, _ in STRINGS], ids=lambda p: dotted(p))
@pytest.mark.parametrize("char", EVERY_UNSAFE_SAMPLE, ids=lambda c: f"U+{ord(c):04X}")
def test_every_text_field_refuses_control_and_bidi_characters(
    path: Path_, char: str, tmp_path: Path
) -> None:
    value = at(FULL_SHIFT, path)
    found = problems_of(with_value(path, value[:1] + char + value[1:]), tmp_path)
    assert len(found) == 1, found
    field, message = found[0]
    assert field == dotted(path)
    assert f"contains U+{ord(char):04X} (" in message
    assert "at character 2" in message
    # Written raw rather than escaped, it is refused all the same (by YAML or by us),
    # but for the characters YAML reads as line breaks and folds away.
    if char not in YAML_LINE_BREAKS:
        assert problems_of(with_value(path, value + char), tmp_path, raw=True)


def test_shift_name_refuses_every_unsafe_code_point() -> None:
    for char in every_unsafe_code_point():
        text = f"shift_name: {json.dumps('班' + char)}\npunch_times: 1\npunch_time_rule: []\n"
        (document,), _ = parse_documents(text, "f.yaml")
        messages = [p.message for p in schema_problems(document) if p.field == "shift_name"]
        assert messages, char
        assert messages[0].startswith(f"contains U+{ord(char):04X}"), char


def test_the_schema_pattern_is_exactly_what_the_outputs_escape() -> None:
    # Every code point of the Basic Multilingual Plane, surrogates aside (the loader's).
    pattern = re.compile(SCHEMA_TEXT_PATTERN)
    disagree = [
        hex(code)
        for code in range(0x10000)
        if not 0xD800 <= code <= 0xDFFF
        and (pattern.search(chr(code)) is None) != (first_unsafe(chr(code)) is not None)
    ]
    assert disagree == []
    (name,) = [s for p, s in STRINGS if p == ("shift_name",)]
    assert SCHEMA_TEXT_PATTERN.removeprefix("^") in name["pattern"]


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=20))
def test_names_without_unsafe_characters_pass_and_with_them_fail(name: str) -> None:
    data = {**FULL_SHIFT, "shift_name": name}
    document = Document(data, SourceLocation("f.yaml", 1, 1), {}, {}, frozenset())
    refused = [p for p in schema_problems(document) if p.field == "shift_name"]
    blank = not name.strip()
    assert bool(refused) == (blank or first_unsafe(name) is not None)


@pytest.mark.parametrize("path", [p for p, _ in STRINGS], ids=lambda p: dotted(p))
def test_a_lone_surrogate_in_any_text_field_is_a_located_problem(path: Path_) -> None:
    # Only the pure-Python YAML reader turns "\ud83d" into text; libyaml refuses it itself.
    document = with_value(path, "\ud83d")
    text = json.dumps(document)  # JSON is YAML; the escape stays an escape
    (loaded,), problems = parse_documents(text, "f.yaml", yaml.SafeLoader)
    assert [(p.field, p.message.split(" at ")[0]) for p in problems] == [
        (dotted(path), "contains a U+D83D (lone surrogate)")
    ]
    # Reported once, by the loader: the schema does not speak about a refused value again.
    assert all(p.field != dotted(path) for p in schema_problems(loaded))


# -- integers: validate refuses what Feishu (the emulator) refuses -------------------


def _ceiling(schema: dict[str, Any]) -> int:
    if "enum" in schema:
        return max(schema["enum"])
    return int(schema.get("maximum", INT32_MAX + 1))


@pytest.mark.parametrize("path", [p for p, _ in INTEGERS], ids=lambda p: dotted(p))
def test_every_integer_field_is_bounded_within_int32(path: Path_) -> None:
    (schema,) = [s for p, s in INTEGERS if p == path]
    assert _ceiling(schema) <= INT32_MAX, f"{dotted(path)} has no maximum"
    assert min(schema.get("enum", [schema.get("minimum", -1)])) >= 0


@pytest.fixture(scope="module")
def feishu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    db = tmp_path_factory.mktemp("tenant") / "tenant.sqlite3"
    with embedded_client(str(db)) as client:
        yield client


@pytest.mark.parametrize("path", [p for p, _ in INTEGERS], ids=lambda p: dotted(p))
@pytest.mark.parametrize("step", [0, 1, INT32_MAX - 1])
def test_validate_refuses_an_integer_exactly_when_feishu_does(
    path: Path_, step: int, tmp_path: Path, feishu: Any
) -> None:
    (schema,) = [s for p, s in INTEGERS if p == path]
    value = min(_ceiling(schema), INT32_MAX) + step
    document = with_value(path, value)
    document["shift_name"] = f"{dotted(path)} {value}"
    if path == ("punch_times",):
        document["punch_time_rule"] = FULL_SHIFT["punch_time_rule"]
    refused = [f for f, _ in problems_of(document, tmp_path) if f == dotted(path)]
    codes: list[int | None] = []
    try:
        feishu.create_shift(Shift.from_mapping(document))
    except FeishuError as error:
        codes.append(error.code)
    accepted = not codes
    assert codes in ([], [1220001]), codes
    if step:
        assert refused, f"validate passes {dotted(path)} = {value}"
        assert not accepted, f"the emulator takes {dotted(path)} = {value}"
    elif not refused:
        assert accepted, f"validate passes {dotted(path)} = {value}, Feishu refuses it"
