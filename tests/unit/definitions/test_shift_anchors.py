"""YAML anchors, aliases and merge keys in shift files: values shared as YAML means them,
problems located where the value is written and said once, bombs refused within a budget."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from reconciler.cli import main
from reconciler.definitions import check
from reconciler.definitions._yaml import MAX_DEPTH, parse_documents
from reconciler.errors import SourceLocation

LOADERS = [
    pytest.param(yaml.SafeLoader, id="pure-python"),
    pytest.param(
        getattr(yaml, "CSafeLoader", None),
        id="libyaml",
        marks=pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML without libyaml"),
    ),
]

SPLIT = """\
shift_name: 两头班
punch_times: 2
punch_time_rule:
  - &morning
    on_time: "09:00"
    off_time: "12:00"
    late_minutes_as_late: &grace 5
    late_minutes_as_lack: 60
    on_advance_minutes: 60
    early_minutes_as_early: *grace
    early_minutes_as_lack: 60
    off_delay_minutes: 120
  - <<: *morning
    on_time: "14:00"
    off_time: "18:00"
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("parser", LOADERS)
def test_aliases_and_merge_keys_give_the_values_yaml_means(parser: type[Any]) -> None:
    (document,), problems = parse_documents(SPLIT, "f.yaml", parser)
    assert problems == ()
    assert document.data == yaml.safe_load(SPLIT)  # what PyYAML's own loader means
    second = document.data["punch_time_rule"][1]
    assert (second["on_time"], second["off_time"], second["late_minutes_as_lack"]) == (
        "14:00",
        "18:00",
        60,
    )
    assert document.anchored


def test_the_shift_with_a_merge_key_is_valid_and_canonical(tmp_path: Path) -> None:
    state, problems = check([write(tmp_path, "split.yaml", SPLIT)])
    assert problems == []
    (desired,) = state.shifts
    assert [rule.on_time for rule in desired.shift.punch_time_rule] == ["09:00", "14:00"]
    assert desired.shift.punch_time_rule[1].early_minutes_as_early == 5


def test_a_merged_value_is_located_where_it_is_written() -> None:
    (document,), _ = parse_documents(SPLIT, "f.yaml")
    merged = ("punch_time_rule", 1, "late_minutes_as_lack")
    assert document.locate(merged) == SourceLocation("f.yaml", 8, 27)
    assert document.locate_key(merged) == SourceLocation("f.yaml", 8, 5)
    # Keys written in the merging mapping stay where they are.
    assert document.locate(("punch_time_rule", 1, "on_time")) == SourceLocation("f.yaml", 14, 14)
    via = document.via(merged)
    assert via is not None
    assert (via.how, via.anchor, via.line) == ("merge", "morning", 13)


def test_keys_written_beside_the_merge_win_wherever_they_stand() -> None:
    text = "base: &b {a: 1, b: 2}\nafter: {a: 9, <<: *b}\nbefore: {<<: *b, a: 9}\n"
    (document,), problems = parse_documents(text, "f.yaml")
    assert problems == ()
    assert document.data["after"] == {"a": 9, "b": 2}
    assert document.data["before"] == {"a": 9, "b": 2}


def test_a_list_of_merges_takes_earlier_sources_first() -> None:
    text = "x: &x {a: 1}\ny: &y {a: 2, b: 2}\nz:\n  <<: [*x, *y]\n"
    (document,), problems = parse_documents(text, "f.yaml")
    assert problems == ()
    assert document.data["z"] == {"a": 1, "b": 2}


def test_a_quoted_merge_key_is_an_ordinary_key() -> None:
    (document,), problems = parse_documents('a: &a {x: 1}\nb: {"<<": *a}\n', "f.yaml")
    assert problems == ()
    assert document.data["b"] == {"<<": {"x": 1}}


def test_a_value_wrong_at_its_use_is_located_at_the_anchor_and_names_the_alias(
    tmp_path: Path,
) -> None:
    text = SPLIT.replace("late_minutes_as_late: &grace 5", "on_advance_minutes: &grace 800")
    text = text.replace("    on_advance_minutes: 60\n", "", 1)
    text = text.replace(
        "early_minutes_as_early: *grace",
        "off_delay_minutes: *grace\n    early_minutes_as_early: 5",
        1,
    )
    text = text.replace("    off_delay_minutes: 120\n", "    late_minutes_as_late: 5\n", 1)
    path = write(tmp_path, "f.yaml", text)
    _, problems = check([path])
    # 800 is too many on_advance_minutes (≤ 720) but fine off_delay_minutes (≤ 960).
    assert [str(p).removeprefix(f"{path}:") for p in problems] == [
        "7:25: punch_time_rule[0].on_advance_minutes: must be at most 720 (got 800) "
        "(also used through <<: *morning at line 13)"
    ]


def test_a_shared_bad_value_is_one_problem_not_one_per_use(tmp_path: Path) -> None:
    text = SPLIT.replace("late_minutes_as_lack: 60", "late_minutes_as_lack: -1")
    path = write(tmp_path, "f.yaml", text)
    _, problems = check([path])
    assert [str(p).removeprefix(f"{path}:") for p in problems] == [
        "8:27: punch_time_rule[0].late_minutes_as_lack: must be at least 0 (got -1) "
        "(also used through <<: *morning at line 13)"
    ]


def test_a_failed_merge_is_one_problem_without_follow_on_missing_fields(tmp_path: Path) -> None:
    path = write(tmp_path, "f.yaml", SPLIT.replace("<<: *morning", "<<: *mornin"))
    _, problems = check([path])
    assert [(p.location.line, p.field) for p in problems] == [(13, "punch_time_rule[1].<<")]
    assert "unknown anchor *mornin" in problems[0].message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: *nowhere\n", "unknown anchor *nowhere"),
        ("a: &a [1, *a]\n", "*a is inside the value &a names (a loop)"),
        ("a: &a {b: {<<: *a}}\n", "*a is inside the value &a names (a loop)"),
        ("a: &a [1]\nb: {<<: *a}\n", "<< merges mappings; *a is not one"),
        ("b: {<<: 7}\n", "<< takes an alias of a mapping"),
        ("a: &a {x: 1}\nb: {<<: [*a, 3]}\n", "<< takes an alias of a mapping"),
    ],
)
def test_broken_aliases_and_merges_are_located_problems(text: str, message: str) -> None:
    _, problems = parse_documents(text, "f.yaml")
    assert len(problems) == 1
    assert message in problems[0].message
    assert problems[0].location.line >= 1


def test_anchors_belong_to_one_document() -> None:
    text = "a: &a 1\n---\nb: *a\n"
    documents, problems = parse_documents(text, "f.yaml")
    assert [str(p) for p in problems] == [
        "f.yaml:3:4: b: unknown anchor *a (an alias follows its &a in the same document)"
    ]
    assert documents[0].data == {"a": 1}


def test_an_inline_mapping_may_be_merged() -> None:
    (document,), problems = parse_documents("b:\n  <<: {x: 1, y: 2}\n  y: 3\n", "f.yaml")
    assert problems == ()
    assert document.data == {"b": {"x": 1, "y": 3}}


@pytest.mark.parametrize("parser", LOADERS)
def test_an_alias_cannot_nest_past_the_depth_limit(parser: type[Any]) -> None:
    half = MAX_DEPTH // 2 + 1
    deep = "[" * half + "]" * half
    text = f"a: &a {deep}\nb: {'[' * half}*a{']' * half}\n"
    _, problems = parse_documents(text, "f.yaml", parser)
    assert [p.message for p in problems] == [f"nested deeper than {MAX_DEPTH} levels"]
    assert problems[0].location.line == 2


def test_the_file_budget_covers_many_documents() -> None:
    one = "a: &a [" + ", ".join(["1"] * 99) + "]\nb: [" + ", ".join(["*a"] * 90) + "]\n"
    # 9,000 values a document: each is within its own budget, twelve are not.
    _, problems = parse_documents("---\n".join([one] * 12), "f.yaml")
    assert len(problems) == 1
    assert "add more than 100,000 values" in problems[0].message


def test_fmt_leaves_a_file_with_anchors_alone_and_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "split.yaml", SPLIT)
    assert main(["fmt", "--check", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert f"left alone {path}: uses YAML anchors, aliases or merge keys" in err
    assert "1 file left alone (YAML anchors)" in err
    assert main(["fmt", str(tmp_path)]) == 0
    assert path.read_text(encoding="utf-8") == SPLIT
