"""Canonical YAML: rendering, round trips, and fmt rewriting files safely."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.definitions import default_schema_ref, format_files, load_desired, render_shift_yaml
from reconciler.definitions._render import _TIME_FIELDS
from reconciler.definitions._schema import schema_problems
from reconciler.definitions._yaml import parse_documents
from reconciler.model import Record, Shift, normalize_name
from reconciler.safetext import first_unsafe

ROOT = Path(__file__).parents[3]
MESSY = """\
# Team A's night shift.
# Owned by the plant manager.
punch_time_rule:
- off_time: 30:00   # next morning
  on_time: 22:00
  late_minutes_as_late: 1
  late_minutes_as_lack: 30
  on_advance_minutes: 60
  early_minutes_as_early: 1
  early_minutes_as_lack: 30
  off_delay_minutes: 120
  no_need_on: false
day_type: 1
shift_name: '夜班'
is_flexible: no_thanks_this_is_text_so_invalid
punch_times: 1
"""
CANONICAL_NIGHT = """\
# yaml-language-server: $schema=../schema/shift.schema.json
# Team A's night shift.
# Owned by the plant manager.
shift_name: 夜班
punch_times: 1
punch_time_rule:
  - on_time: "22:00"
    off_time: "30:00"
    late_minutes_as_late: 1
    late_minutes_as_lack: 30
    on_advance_minutes: 60
    early_minutes_as_early: 1
    early_minutes_as_lack: 30
    off_delay_minutes: 120
"""


def test_render_writes_declared_order_quoted_times_and_no_defaults() -> None:
    shift = Shift.from_mapping(
        {
            "shift_name": "夜班",
            "punch_times": 1,
            "is_flexible": False,
            "punch_time_rule": [
                {
                    "on_time": "22:00",
                    "off_time": "30:00",
                    "late_minutes_as_late": 1,
                    "late_minutes_as_lack": 30,
                    "on_advance_minutes": 60,
                    "early_minutes_as_early": 1,
                    "early_minutes_as_lack": 30,
                    "off_delay_minutes": 120,
                    "no_need_off": False,
                }
            ],
        }
    )
    text = render_shift_yaml(shift, "../schema/shift.schema.json")
    assert text == CANONICAL_NIGHT.replace("# Team A's night shift.\n", "").replace(
        "# Owned by the plant manager.\n", ""
    )


def test_names_that_yaml_could_misread_are_quoted() -> None:
    for name, written in [
        ("yes", '"yes"'),
        ("123", '"123"'),
        ("a: b", '"a: b"'),
        ("#1", '"#1"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("tab\there", '"tab\\u0009here"'),
        ("Night shift (B)", "Night shift (B)"),
        ("早班-2", "早班-2"),
    ]:
        shift = Shift.from_mapping({"shift_name": name, "punch_times": 1, "punch_time_rule": []})
        assert f"shift_name: {written}\n" in render_shift_yaml(shift, "s.json")


TIME = st.builds(
    lambda h, m, pad: f"{h:02d}:{m:02d}" if pad else f"{h}:{m:02d}",
    st.integers(0, 47),
    st.integers(0, 59),
    st.booleans(),
)
MINUTES = st.integers(0, 10_000)
# Any name the schema allows: no control or bidi character (reconciler.safetext).
NAME = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=30).filter(
    lambda name: normalize_name(name) != "" and first_unsafe(name) is None
)
RULE = st.fixed_dictionaries(
    {
        "on_time": TIME,
        "off_time": TIME,
        "late_minutes_as_late": MINUTES,
        "late_minutes_as_lack": MINUTES,
        "on_advance_minutes": st.integers(0, 720),
        "early_minutes_as_early": MINUTES,
        "early_minutes_as_lack": MINUTES,
        "off_delay_minutes": st.integers(0, 960),
    },
    optional={
        "late_minutes_as_serious_late": MINUTES,
        "no_need_on": st.booleans(),
        "no_need_off": st.booleans(),
    },
)
DAYS = st.floats(0, 3, allow_nan=False)
SHIFT = st.fixed_dictionaries(
    {
        "shift_name": NAME,
        "punch_times": st.integers(1, 5),
        "punch_time_rule": st.lists(RULE, min_size=1, max_size=3),
    },
    optional={
        "is_flexible": st.booleans(),
        "flexible_minutes": MINUTES,
        "flexible_rule": st.lists(
            st.fixed_dictionaries(
                {"flexible_early_minutes": MINUTES, "flexible_late_minutes": MINUTES}
            ),
            max_size=2,
        ),
        "no_need_off": st.booleans(),
        "rest_time_rule": st.lists(
            st.fixed_dictionaries({"rest_begin_time": TIME, "rest_end_time": TIME}), max_size=2
        ),
        "rest_time_flexible_configs": st.lists(
            st.fixed_dictionaries(
                {}, optional={"need_flexible": st.booleans(), "late_mins": st.integers(0, 1500)}
            ),
            max_size=2,
        ),
        "overtime_rule": st.lists(
            st.fixed_dictionaries({"on_overtime": TIME, "off_overtime": TIME}), max_size=1
        ),
        "late_off_late_on_rule": st.lists(
            st.fixed_dictionaries({"late_off_minutes": MINUTES, "late_on_minutes": MINUTES}),
            max_size=2,
        ),
        "late_off_late_on_setting": st.fixed_dictionaries(
            {
                "late_off_base_on_time_type": st.integers(0, 1),
                "late_on_base_on_time_type": st.integers(0, 1),
            }
        ),
        "day_type": st.sampled_from([1, 2]),
        "late_minutes_as_serious_late": MINUTES,
        "shift_middle_time_rule": st.fixed_dictionaries(
            {"middle_time_type": st.integers(0, 3), "fixed_middle_time": TIME}
        ),
        "shift_attendance_time_config": st.fixed_dictionaries(
            {},
            optional={
                "attendance_time": DAYS,
                "on_attendance_time": DAYS,
                "off_attendance_time": DAYS,
            },
        ),
        "sub_shift_leader_ids": st.lists(NAME, max_size=2),
    },
)


@settings(max_examples=200, deadline=None)
@given(SHIFT)
def test_render_then_load_gives_back_an_equal_shift(data: dict[str, Any]) -> None:
    shift = Shift.from_mapping(data)
    (document,), problems = parse_documents(render_shift_yaml(shift, "x.json"), "f.yaml")
    assert problems == ()
    assert schema_problems(document) == []
    again = Shift.from_mapping(document.data)
    assert again == shift
    assert again.to_mapping(compact=False) == shift.to_mapping(compact=False)


def test_fmt_rewrites_into_canonical_form_keeping_comments(tmp_path: Path) -> None:
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "shift.schema.json").write_text("{}", encoding="utf-8")
    path = tmp_path / "shifts" / "night.yaml"
    path.parent.mkdir()
    path.write_text(MESSY.replace("is_flexible: no_thanks_this_is_text_so_invalid\n", ""))
    results, problems = format_files([path], write=True)
    assert problems == []
    assert [r.changed for r in results] == [True]
    assert path.read_text(encoding="utf-8") == CANONICAL_NIGHT.replace(
        'off_time: "30:00"\n', 'off_time: "30:00"  # next morning\n'
    )
    results, _ = format_files([path], write=True)
    assert [r.changed for r in results] == [False]


def test_fmt_never_touches_a_file_with_problems(tmp_path: Path) -> None:
    path = tmp_path / "night.yaml"
    path.write_text(MESSY, encoding="utf-8")
    results, _ = format_files([path], write=True)
    assert results[0].formatted is None
    assert [p.field for p in results[0].problems] == ["is_flexible"]
    assert path.read_text(encoding="utf-8") == MESSY


def test_fmt_check_mode_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "night.yaml"
    original = MESSY.replace("is_flexible: no_thanks_this_is_text_so_invalid\n", "")
    path.write_text(original, encoding="utf-8")
    results, _ = format_files([path], write=False)
    assert results[0].changed
    assert path.read_text(encoding="utf-8") == original


def test_fmt_keeps_every_document_of_a_file(tmp_path: Path) -> None:
    night = CANONICAL_NIGHT.split("\n", 3)[3]
    path = tmp_path / "two.yaml"
    path.write_text(f"{night}---\n{night.replace('夜班', '大夜班')}---\n", encoding="utf-8")
    format_files([path], write=True)
    text = path.read_text(encoding="utf-8")
    assert text.count("---\n") == 1
    assert "shift_name: 夜班\n" in text
    assert "shift_name: 大夜班\n" in text


def test_the_schema_reference_is_relative_to_the_repository_schema() -> None:
    assert default_schema_ref(ROOT / "shifts") == "../schema/shift.schema.json"
    assert default_schema_ref(ROOT / "shifts" / "team") == "../../schema/shift.schema.json"
    assert default_schema_ref(ROOT) == "schema/shift.schema.json"


COMMENTED = """\
# Top of the file.
punch_time_rule:   # the only segment
# before the item
- off_time: 30:00   # next morning
  # before on_time
  on_time: 22:00
  late_minutes_as_late: 1
  late_minutes_as_lack: 30
  on_advance_minutes: 60
  early_minutes_as_early: 1
  early_minutes_as_lack: 30
  off_delay_minutes: 120
  no_need_on: false   # a default, left out
day_type: 1
# the name
shift_name: '夜班 # not a comment'  # trailing on name
punch_times: 1
# at the end
---
# second document
shift_name: 早班
punch_times: 1
punch_time_rule:
  - {on_time: "7:00", off_time: "15:00", late_minutes_as_late: 1, late_minutes_as_lack: 30,
     on_advance_minutes: 60, early_minutes_as_early: 1, early_minutes_as_lack: 30,
     off_delay_minutes: 120}  # flow style
"""
COMMENTED_CANONICAL = """\
# yaml-language-server: $schema=../schema/shift.schema.json
# Top of the file.
# the name
shift_name: "夜班 # not a comment"  # trailing on name
punch_times: 1
punch_time_rule:  # the only segment
  # before the item
  # before on_time
  - on_time: "22:00"
    off_time: "30:00"  # next morning
    late_minutes_as_late: 1
    late_minutes_as_lack: 30
    on_advance_minutes: 60
    early_minutes_as_early: 1
    early_minutes_as_lack: 30
    off_delay_minutes: 120
# a default, left out
# at the end
---
# second document
shift_name: 早班
punch_times: 1
punch_time_rule:
  - on_time: "07:00"
    off_time: "15:00"
    late_minutes_as_late: 1
    late_minutes_as_lack: 30
    on_advance_minutes: 60
    early_minutes_as_early: 1
    early_minutes_as_lack: 30
    off_delay_minutes: 120  # flow style
"""


def test_fmt_moves_every_comment_with_its_key(tmp_path: Path) -> None:
    path = tmp_path / "commented.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    results, _ = format_files([path], write=True)
    assert results[0].problems == ()
    assert path.read_text(encoding="utf-8") == COMMENTED_CANONICAL
    assert [r.changed for r in format_files([path], write=False)[0]] == [False]


def test_a_hash_inside_a_multi_line_text_is_not_a_comment(tmp_path: Path) -> None:
    path = tmp_path / "block.yaml"
    text = CANONICAL_NIGHT.replace("shift_name: 夜班\n", "shift_name: >-\n  夜班\n  # B\n")
    path.write_text(text, encoding="utf-8")
    format_files([path], write=True)
    assert 'shift_name: "夜班 # B"\n' in path.read_text(encoding="utf-8")


STORE = (ROOT / "shifts" / "store.yaml").read_text(encoding="utf-8")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.integers(1, STORE.count("\n")), max_size=6),
    st.lists(st.integers(1, STORE.count("\n")), max_size=6),
)
def test_fmt_never_loses_a_comment_or_changes_a_value(
    tmp_path: Path, own_line: list[int], trailing: list[int]
) -> None:
    lines = STORE.splitlines()
    for number, line in enumerate(trailing):
        lines[line - 1] += f"  # t{number}"
    for number, line in enumerate(sorted(own_line, reverse=True)):
        lines.insert(line, f"# c{number}")
    path = tmp_path / "store.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = load_desired([path])
    results, _ = format_files([path], write=True)
    assert results[0].problems == ()
    text = path.read_text(encoding="utf-8")
    for marker in [f"# t{n}" for n in range(len(trailing))] + [
        f"# c{n}" for n in range(len(own_line))
    ]:
        assert text.count(marker + "\n") + text.count(marker + "  #") == 1, marker
    assert load_desired([path]) == before
    assert not format_files([path], write=False)[0][0].changed


def test_fmt_reports_a_file_it_cannot_write(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    path = folder / "night.yaml"
    original = MESSY.replace("is_flexible: no_thanks_this_is_text_so_invalid\n", "")
    path.write_text(original, encoding="utf-8")
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as a user that can write anywhere")
        results, _ = format_files([path], write=True)
    finally:
        folder.chmod(0o700)
    assert [p.message for p in results[0].problems] == ["cannot write: Permission denied"]
    assert path.read_text(encoding="utf-8") == original


def test_fmt_rewrites_a_file_whose_name_is_as_long_as_allowed(tmp_path: Path) -> None:
    path = tmp_path / ("夜" * 80 + ".yaml")  # 245 bytes: no room for a longer temporary name
    path.write_text(MESSY.replace("is_flexible: no_thanks_this_is_text_so_invalid\n", ""))
    results, _ = format_files([path], write=True)
    assert results[0].problems == ()
    assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=")
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_fmt_keeps_one_schema_line_and_indented_top_comments(tmp_path: Path) -> None:
    body = CANONICAL_NIGHT.split("\n", 3)[3]
    path = tmp_path / "night.yaml"
    path.write_text(
        f"# note\n# yaml-language-server: $schema=a.json\n   # indented\n"
        f"# yaml-language-server: $schema=b.json\n{body}",
        encoding="utf-8",
    )
    format_files([path], write=True)
    assert path.read_text(encoding="utf-8") == (
        f"# yaml-language-server: $schema=a.json\n# note\n# indented\n{body}"
    )


def test_fmt_keeps_comments_between_a_directive_and_the_document(tmp_path: Path) -> None:
    body = CANONICAL_NIGHT.split("\n", 3)[3]
    path = tmp_path / "night.yaml"
    path.write_text(f"# top\n%YAML 1.2\n# after the directive\n---\n{body}", encoding="utf-8")
    format_files([path], write=True)
    assert path.read_text(encoding="utf-8") == (
        "# yaml-language-server: $schema=../schema/shift.schema.json\n"
        f"# top\n# after the directive\n{body}"
    )


def test_every_time_field_of_the_model_is_written_quoted() -> None:
    model_times = set().union(*(cls._times for cls in Record.__subclasses__()))
    assert model_times == _TIME_FIELDS
