"""The compiled fast path always agrees with jsonschema on the published schema."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from reconciler.definitions import load_schema
from reconciler.definitions._fastpath import Unsupported, compile_fast
from reconciler.definitions._schema import _fast_check, _inlined_schema

REFERENCE = Draft202012Validator(load_schema())  # the file as published, $refs and all
VALID: dict[str, Any] = {
    "shift_name": "早班",
    "punch_times": 1,
    "punch_time_rule": [
        {
            "on_time": "9:00",
            "off_time": "18:00",
            "late_minutes_as_late": 30,
            "late_minutes_as_lack": 60,
            "on_advance_minutes": 60,
            "early_minutes_as_early": 30,
            "early_minutes_as_lack": 60,
            "off_delay_minutes": 60,
            "no_need_off": True,
        }
    ],
    "rest_time_rule": [{"rest_begin_time": "12:00", "rest_end_time": "13:00"}],
    "shift_middle_time_rule": {"middle_time_type": 3, "fixed_middle_time": "13:00"},
    "shift_attendance_time_config": {"attendance_time": 1.5},
    "rest_time_flexible_configs": [{"need_flexible": True, "late_mins": 30}],
    "day_type": 1,
}
ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 2000),
    st.integers(-(10**400), 10**400),
    st.floats(allow_nan=False),
    st.sampled_from([0, 1, 2, 3, 3.0, 720, 721, 960, 961, 1500, 1501, 1.0, True, False]),
    st.sampled_from(["", " ", "9:00", "26:00", "48:00", "9:60", "x", "3"]),
    st.just([]),
    st.just({}),
    st.just([{}]),
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


def mutate(value: dict[str, Any], path: tuple[Any, ...], new: Any, delete: bool) -> Any:
    if not path:
        return new
    copied = copy.deepcopy(value)
    parent = copied
    for part in path[:-1]:
        parent = parent[part]
    if delete and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = new
    return copied


ALL_PATHS = paths(VALID)


def test_the_fast_path_is_in_use() -> None:
    fast = _fast_check()
    assert fast is not None
    assert fast(VALID) is True
    assert fast({**VALID, "day_type": 3}) is False


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(ALL_PATHS),
    ODD,
    st.booleans(),
    st.sampled_from([None, "shift_id", "id", "unknown", "no_need_on"]),
)
def test_fast_path_agrees_with_jsonschema_on_mutated_shifts(
    path: tuple[Any, ...], new: Any, delete: bool, extra: str | None
) -> None:
    fast = compile_fast(_inlined_schema())
    value = mutate(VALID, path, new, delete)
    if extra and isinstance(value, dict):
        value[extra] = new
    assert fast(value) == REFERENCE.is_valid(value)


def test_unknown_keywords_turn_the_fast_path_off() -> None:
    with pytest.raises(Unsupported, match="uniqueItems"):
        compile_fast({"type": "array", "uniqueItems": True})


def test_fast_path_agrees_on_every_single_change_of_a_valid_shift() -> None:
    fast = compile_fast(_inlined_schema())
    values = [None, True, False, 0, 1, 2, 3, 3.0, 720, 721, -1, 10**400, 1.5, "", "9:00", "48:00"]
    verdicts = []
    for path in ALL_PATHS:
        for new in [*values, [], {}, [{}]]:
            for delete in (True, False):
                value = mutate(VALID, path, new, delete)
                verdicts.append(REFERENCE.is_valid(value))
                assert fast(value) == verdicts[-1], (path, new, delete)
    assert True in verdicts
    assert False in verdicts
