"""shiftctl.yaml's compiled fast path agrees with jsonschema, so a valid file never loads it."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from reconciler.configfile import _config_schema, _fast_check

ROOT_CONFIG = "shiftctl.yaml"
REFERENCE = Draft202012Validator(_config_schema())  # the file as published, $refs and all
ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 2_000_000),
    st.floats(allow_nan=False),
    st.sampled_from([0, 0.0, 1, 50, 100, 100.5, 366, 367, 1000, 10000, 10000.5, True]),
    st.sampled_from(["", " ", "*", "https://x", "ftp://x", "auto", "shifts"]),
    st.just([]),
    st.just({}),
    st.just(["*", 3]),
)


def _example() -> dict[str, Any]:
    text = (Path(__file__).parents[2] / ROOT_CONFIG).read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


EXAMPLE = _example()


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _mutate(value: dict[str, Any], path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copied = copy.deepcopy(value)
    parent = copied
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = new
    return copied


def test_the_repository_configuration_takes_the_fast_path() -> None:
    fast = _fast_check()
    assert fast is not None
    assert fast(EXAMPLE) is True
    assert fast({**EXAMPLE, "rate_limit": 0}) is False  # exclusiveMinimum
    assert fast({**EXAMPLE, "guards": {"max_deletes": -1}}) is False


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(_paths(EXAMPLE)), ODD, st.sampled_from([None, "unknown", "shifts"]))
def test_fast_path_agrees_with_jsonschema_on_mutated_configurations(
    path: tuple[Any, ...], new: Any, extra: str | None
) -> None:
    fast = _fast_check()
    assert fast is not None
    value = _mutate(EXAMPLE, path, new)
    if extra and isinstance(value, dict):
        value[extra] = new
    assert fast(value) == REFERENCE.is_valid(value)
