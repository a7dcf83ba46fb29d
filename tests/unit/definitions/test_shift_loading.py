"""Loading shift files: locations, YAML 1.2 scalars, refused constructs, files and folders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from reconciler.definitions import (
    MAX_FILE_BYTES,
    DesiredState,
    check,
    collect_files,
    find_shift_files,
    load_desired,
)
from reconciler.definitions._yaml import MAX_DEPTH, parse_documents
from reconciler.errors import InputError, SourceLocation, ValidationFailed

SHIFT = """\
shift_name: 早班
punch_times: 1
punch_time_rule:
  - on_time: 7:00
    off_time: 15:00
    late_minutes_as_late: 1
    late_minutes_as_lack: 30
    on_advance_minutes: 60
    early_minutes_as_early: 1
    early_minutes_as_lack: 30
    off_delay_minutes: 120
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_every_value_remembers_its_line_and_column() -> None:
    (document,), problems = parse_documents("# comment\n" + SHIFT, "f.yaml")
    assert problems == ()
    assert document.start == SourceLocation("f.yaml", 2, 1)
    assert document.locate(("shift_name",)) == SourceLocation("f.yaml", 2, 13)
    assert document.locate(("punch_time_rule", 0, "off_time")) == SourceLocation("f.yaml", 6, 15)
    assert document.locate_key(("punch_time_rule", 0, "off_time")) == SourceLocation("f.yaml", 6, 5)
    # A path that is not written falls back to its nearest written ancestor.
    assert document.locate(("punch_time_rule", 0, "no_need_on")) == SourceLocation("f.yaml", 5, 5)


def test_unquoted_times_are_text_not_base_60_numbers() -> None:
    (document,), _ = parse_documents(SHIFT, "f.yaml")
    rule = document.data["punch_time_rule"][0]
    assert (rule["on_time"], rule["off_time"]) == ("7:00", "15:00")


@pytest.mark.parametrize(
    ("plain", "value"),
    [
        ("yes", "yes"),
        ("on", "on"),
        ("true", True),
        ("False", False),
        ("~", None),
        ("null", None),
        ("12", 12),
        ("-3", -3),
        ("0x1F", 31),
        ("0o17", 15),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        ("2020-01-01", "2020-01-01"),
        ("0017", 17),
    ],
)
def test_plain_scalars_follow_the_yaml_1_2_core_schema(plain: str, value: object) -> None:
    (document,), _ = parse_documents(f"v: {plain}\n", "f.yaml")
    assert document.data["v"] == value
    assert type(document.data["v"]) is type(value)


def test_explicit_standard_tags_are_honoured() -> None:
    text = 'a: !!str 12\nb: !!int "12"\nc: !!float 2\nd: !!bool "true"\ne: ! 7\n'
    (document,), problems = parse_documents(text, "f.yaml")
    assert problems == ()
    assert document.data == {"a": "12", "b": 12, "c": 2.0, "d": True, "e": "7"}


LOADERS = [
    pytest.param(yaml.SafeLoader, id="pure-python"),
    pytest.param(
        getattr(yaml, "CSafeLoader", None),
        id="libyaml",
        marks=pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML without libyaml"),
    ),
]


def test_one_file_may_hold_several_documents_and_stray_separators() -> None:
    second = SHIFT.replace("早班", "晚班")
    documents, problems = parse_documents(f"---\n{SHIFT}---\n{second}---\n", "f.yaml")
    assert problems == ()
    assert [d.data["shift_name"] for d in documents] == ["早班", "晚班"]
    assert [d.start.line for d in documents] == [1, 13]


@pytest.mark.parametrize("parser", LOADERS)
def test_an_alias_bomb_is_refused_at_the_alias_that_exhausts_the_budget(
    parser: type[Any],
) -> None:
    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}]" for i in range(20)]
    _, problems = parse_documents("\n".join(lines) + "\n", "bomb.yaml", parser)
    # Each level doubles: b..i add 5,594 values, j's first *i 2,815 more, its second
    # (line 10, column 12) would pass 10,000. Nothing after it is read.
    assert len(problems) == 1
    assert problems[0].location == SourceLocation("bomb.yaml", 10, 12)
    assert "add more than 10,000 values" in problems[0].message


TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels"


@pytest.mark.parametrize("parser", LOADERS)
@pytest.mark.parametrize(
    ("text", "where"),
    [
        # Dense flow nesting: libyaml would refuse it at level 1,001 while scanning ahead.
        ("[" * 200_000, (1, MAX_DEPTH + 1)),
        ("[" * 1_001 + "]" * 1_001, (1, MAX_DEPTH + 1)),
        ("shift_name: " + "[" * 2_000, (1, 13 + MAX_DEPTH)),
        ("{a: " * 1_001 + "}" * 1_001, (1, 4 * MAX_DEPTH + 1)),
        ("x: 1\nrules:\n  - " + "[" * 1_001, (3, 5 + MAX_DEPTH)),
        # Block nesting streams its events, so the builder counts it.
        ("".join(" " * i + "-\n" for i in range(1_100)), (MAX_DEPTH + 1, MAX_DEPTH + 1)),
        ("".join("  " * i + "k:\n" for i in range(1_100)), (MAX_DEPTH + 1, 2 * MAX_DEPTH + 1)),
    ],
    ids=[
        "open-only",
        "balanced",
        "under-a-key",
        "flow-maps",
        "in-a-list",
        "block-seq",
        "block-map",
    ],
)
def test_deep_nesting_is_refused_with_our_message_and_location(
    parser: type[Any], text: str, where: tuple[int, int]
) -> None:
    _, problems = parse_documents(text, "deep.yaml", parser)
    assert [str(p) for p in problems] == [f"deep.yaml:{where[0]}:{where[1]}: {TOO_DEEP}"]


@pytest.mark.parametrize("parser", LOADERS)
def test_brackets_in_quotes_and_comments_are_not_nesting(parser: type[Any]) -> None:
    text = (
        f"{SHIFT}"
        f"# {'[' * 100}\n"
        f"x: '{'[' * 100}'\n"
        f'y: "{"{" * 100}\\""\n'
        f"z: '{'[' * 50}'' {'[' * 50}'\n"
    )
    documents, problems = parse_documents(text, "f.yaml", parser)
    assert problems == ()
    assert documents[0].data["x"] == "[" * 100
    assert documents[0].data["z"] == "[" * 50 + "' " + "[" * 50


@pytest.mark.parametrize("parser", LOADERS)
def test_nesting_at_the_limit_is_read(parser: type[Any]) -> None:
    text = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    documents, problems = parse_documents(text, "f.yaml", parser)
    assert problems == ()
    assert len(documents) == 1


def test_a_python_tag_on_a_mapping_is_refused() -> None:
    text = "shift_name: !!python/object:collections.OrderedDict {a: 1}\n"
    _, problems = parse_documents(text, "f.yaml")
    assert [str(p) for p in problems] == [
        "f.yaml:1:13: shift_name: YAML tag !!python/object:collections.OrderedDict is not allowed"
    ]


def test_a_complex_key_is_refused() -> None:
    _, problems = parse_documents("? [a, b]\n: 1\n", "f.yaml")
    assert [p.message for p in problems] == ["a mapping key must be plain text"]


def test_a_file_over_the_size_limit_is_refused_without_parsing(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"# " + b"x" * MAX_FILE_BYTES + b"\n")
    _, problems = check([path])
    assert [str(p) for p in problems] == [
        f"{path}:1:1: file is larger than 1024 KiB; a shift file is far smaller"
    ]


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + SHIFT.encode())
    state, problems = check([path])
    assert problems == []
    assert [d.shift.shift_name for d in state.shifts] == ["早班"]


def test_folders_are_searched_recursively_skipping_hidden_paths(tmp_path: Path) -> None:
    write(tmp_path, "b.yml", SHIFT)
    write(tmp_path, "team/a.yaml", SHIFT.replace("早班", "甲"))
    write(tmp_path, ".git/x.yaml", "not: [valid")
    write(tmp_path, "team/.a.yaml.swp", "junk")
    write(tmp_path, "README.md", "# shifts")
    assert find_shift_files([tmp_path]) == [tmp_path / "b.yml", tmp_path / "team" / "a.yaml"]


def test_a_file_named_directly_is_read_whatever_its_extension(tmp_path: Path) -> None:
    path = write(tmp_path, "shift.txt", SHIFT)
    assert find_shift_files([path, path]) == [path]


def test_missing_paths_and_empty_folders_are_problems(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    missing = tmp_path / "missing.yaml"
    _, problems = check([missing, tmp_path / "empty"])
    assert [str(p) for p in problems] == [
        f"{tmp_path / 'empty'}: no shift files (*.yaml, *.yml) in this directory",
        f"{missing}: no such file or directory",
    ]
    with pytest.raises(InputError, match="no such file"):
        find_shift_files([missing])


def test_duplicate_names_across_files_cite_both_places(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", SHIFT)
    write(tmp_path, "b.yaml", "\n" + SHIFT.replace("早班", " 早班 "))
    state, problems = check([tmp_path])
    assert [str(p) for p in problems] == [
        f"{tmp_path / 'b.yaml'}:2:14: shift_name: duplicate shift_name '早班', "
        f"also defined at {tmp_path / 'a.yaml'}:1:13"
    ]
    assert [d.location.path for d in state.shifts] == [str(tmp_path / "a.yaml")]


def test_names_are_compared_after_nfc(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", SHIFT.replace("早班", "Cafe\u0301"))
    write(tmp_path, "b.yaml", SHIFT.replace("早班", "Caf\u00e9"))
    _, problems = check([tmp_path])
    # The decomposed spelling is a warning in a.yaml; the duplicate an error in b.yaml.
    assert [(Path(p.location.path).name, p.severity) for p in problems] == [
        ("a.yaml", "warning"),
        ("b.yaml", "error"),
    ]
    assert "duplicate shift_name 'Café'" in problems[1].message
    assert f"also defined at {tmp_path / 'a.yaml'}:1:13 (as 'Cafe\u0301')" in problems[1].message


def test_load_desired_returns_canonical_shifts_where_they_are_written(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", SHIFT)
    state = load_desired([tmp_path])
    assert isinstance(state, DesiredState)
    (desired,) = state.shifts
    assert desired.shift.shift_name == "早班"
    assert desired.shift.punch_time_rule[0].on_time == "07:00"
    assert desired.location == SourceLocation(str(tmp_path / "a.yaml"), 1, 1)


def test_load_desired_raises_with_every_error(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", SHIFT.replace("punch_times: 1", "punch_times: 2"))
    write(tmp_path, "b.yaml", SHIFT.replace("on_advance_minutes: 60", "on_advance_minutes: 800"))
    write(tmp_path, "c.yaml", SHIFT.replace("早班", "晚班"))
    (tmp_path / "c.yaml").write_text(
        (tmp_path / "c.yaml").read_text(encoding="utf-8") + "day_type: 2\nis_flexible: true\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationFailed) as caught:
        load_desired([tmp_path])
    # a.yaml's punch_times is only a warning: it does not stop the load.
    assert [p.field for p in caught.value.problems] == [
        "punch_time_rule[0].on_advance_minutes",
        "day_type",
    ]
    with pytest.raises(ValidationFailed) as strict:
        load_desired([tmp_path], strict=True)
    assert strict.value.problems[0].field == "punch_times"


def test_a_shift_with_warnings_only_is_in_the_desired_state(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", SHIFT.replace("punch_times: 1", "punch_times: 2"))
    state = load_desired([tmp_path])
    assert [d.shift.shift_name for d in state.shifts] == ["早班"]
    assert [(p.field, p.severity) for p in state.warnings] == [("punch_times", "warning")]


def test_a_problem_under_a_refused_value_is_not_reported_twice() -> None:
    text = SHIFT.replace("late_minutes_as_late: 1", "late_minutes_as_late: !!binary AAAA")
    _, problems = parse_documents(text, "f.yaml")
    assert [p.field for p in problems] == ["punch_time_rule[0].late_minutes_as_late"]


def test_a_symlinked_folder_loop_is_a_problem_not_a_hang(tmp_path: Path) -> None:
    write(tmp_path, "team/a.yaml", SHIFT)
    (tmp_path / "team" / "loop").symlink_to(tmp_path)
    files, problems = collect_files([tmp_path])
    assert files == [tmp_path / "team" / "a.yaml"]
    assert [(p.location.path, p.message.split(":")[0]) for p in problems] == [
        (str(tmp_path / "team" / "loop"), "symlink loop")
    ]


def test_a_symlinked_folder_inside_the_repository_is_followed(tmp_path: Path) -> None:
    write(tmp_path, "elsewhere/b.yaml", SHIFT)
    (tmp_path / "shifts").mkdir()
    (tmp_path / "shifts" / "team").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "shiftctl.yaml").write_text("shifts: shifts\n", encoding="utf-8")
    assert find_shift_files([tmp_path / "shifts"]) == [tmp_path / "shifts" / "team" / "b.yaml"]


def test_a_file_with_thousands_of_problems_reports_the_first_ones(tmp_path: Path) -> None:
    path = write(tmp_path, "noisy.yaml", "".join(f"---\nshift_name: {i}\n" for i in range(2000)))
    _, problems = check([path])
    assert len(problems) == 501
    assert problems == sorted(problems)
    assert problems[-1].message == "more than 500 problems; the rest are not shown"


def test_a_mapping_of_thousands_of_unknown_keys_gets_no_suggestions(tmp_path: Path) -> None:
    path = write(tmp_path, "keys.yaml", "".join(f"shift_nam{i}: 1\n" for i in range(30)))
    _, problems = check([path])
    unknown = {p.message for p in problems if p.field != "shift_name"}
    assert unknown == {"unknown field", "missing required field"}
    assert len(problems) == 30 + 3


def test_one_run_reports_a_schema_error_and_a_semantic_warning_at_their_places(
    tmp_path: Path,
) -> None:
    text = SHIFT.replace("punch_times: 1", "punch_times: 2") + "day_type: 3\n"
    path = write(tmp_path, "a.yaml", text)
    state, problems = check([path])
    assert state.shifts == ()
    assert [(str(p.location), p.field, p.severity) for p in problems] == [
        (f"{path}:2:14", "punch_times", "warning"),
        (f"{path}:12:11", "day_type", "error"),
    ]


def test_a_rule_that_reads_a_refused_value_is_skipped_and_the_others_run(
    tmp_path: Path,
) -> None:
    text = (
        SHIFT.replace("on_time: 7:00", "on_time: 7:99")
        + "rest_time_rule:\n  - {rest_begin_time: '20:00', rest_end_time: '21:00'}\n"
        + "overtime_rule:\n  - {on_overtime: '19:00', off_overtime: '18:00'}\n"
    )
    path = write(tmp_path, "a.yaml", text)
    _, problems = check([path])
    # The break outside working time needs the segments, which the schema refused.
    assert [(p.field, p.severity) for p in problems] == [
        ("punch_time_rule[0].on_time", "error"),
        ("overtime_rule[0].off_overtime", "warning"),
    ]


def test_a_missing_required_field_skips_only_the_rules_that_read_it(tmp_path: Path) -> None:
    text = SHIFT.replace("shift_name: 早班\n", "") + "is_flexible: true\nday_type: 2\n"
    path = write(tmp_path, "a.yaml", text)
    _, problems = check([path])
    assert [(p.field, p.message) for p in problems] == [
        ("shift_name", "missing required field"),
        ("day_type", "a rest-day shift (day_type 2) cannot be flexible"),
    ]


def test_a_value_the_loader_refused_is_not_read_by_the_rules(tmp_path: Path) -> None:
    text = SHIFT + "day_type: !workday 2\nis_flexible: true\nflexible_minutes: 30\n"
    path = write(tmp_path, "a.yaml", text)
    _, problems = check([path])
    assert [p.field for p in problems] == ["day_type"]
    assert "!workday" in problems[0].message
