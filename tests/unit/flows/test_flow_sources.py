"""Rows streamed from CSV, JSON arrays and NDJSON, each with the line where it starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import InputError
from reconciler.flows.rows import COLUMNS, REQUIRED
from reconciler.flows.sources import BrokenFile, RawRow, RowProblem, infer_format, read_rows


def rows(path: Path, fmt: str) -> list[RawRow | RowProblem]:
    return list(read_rows(path, fmt, name="in", columns=COLUMNS, required=REQUIRED))  # type: ignore[arg-type]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_rows_carry_their_starting_line_even_after_a_multiline_cell(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "p.csv",
        "user_id,check_time,location_name,comment\n"
        'u1,1709514000,HQ,"two\nlines"\n'
        "\n"
        "u2,1709514001,HQ,\n",
    )
    got = rows(path, "csv")
    assert [(r.line, r.values["user_id"]) for r in got if isinstance(r, RawRow)] == [
        (2, "u1"),
        (5, "u2"),
    ]
    assert isinstance(got[0], RawRow)
    assert got[0].values["comment"] == "two\nlines"


def test_csv_with_a_byte_order_mark_and_spaced_header_reads(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffuser_id, check_time,location_name,comment\nu1,1,HQ,x\n".encode())
    got = rows(path, "csv")
    assert got == [
        RawRow(2, {"user_id": "u1", "check_time": "1", "location_name": "HQ", "comment": "x"})
    ]


def test_csv_header_faults_break_the_file_naming_every_column(tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", "user,check_time,comment,comment\nu1,1,x,y\n")
    with pytest.raises(BrokenFile) as caught:
        rows(path, "csv")
    message = str(caught.value)
    assert message.startswith("in:1: unknown column user; missing columns location_name, user_id")
    assert "repeated column comment" in message
    assert caught.value.problem.fatal


def test_csv_rows_with_the_wrong_number_of_values_are_row_problems(tmp_path: Path) -> None:
    path = write(
        tmp_path, "p.csv", "user_id,check_time,location_name,comment\nu1,1,HQ\nu2,1,HQ,c\n"
    )
    got = rows(path, "csv")
    assert got[0] == RowProblem("in", 2, "3 values for 4 columns")
    assert isinstance(got[1], RawRow)
    assert got[1].line == 3


def test_json_array_elements_report_the_line_where_they_start(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "p.json",
        '[\n  {"user_id": "u1",\n   "comment": "a"},\n\n'
        '  {"user_id": "u2"}, 7,\n  {"x": [1, 2]}\n]\n',
    )
    got = rows(path, "json")
    assert [r.line for r in got] == [2, 5, 5, 6]
    assert got[2] == RowProblem("in", 5, "a row must be a JSON object, not a number")
    assert isinstance(got[3], RawRow)
    assert got[3].values == {"x": [1, 2]}


def test_json_elements_split_across_read_chunks_decode(tmp_path: Path) -> None:
    # 3,000 elements of ~80 bytes cross several 64 KiB chunks at arbitrary places.
    items = ",\n".join(
        f'{{"user_id": "u{i}", "check_time": {1709514000 + i}}}' for i in range(3000)
    )
    path = write(tmp_path, "big.json", f"[{items}]")
    got = rows(path, "json")
    assert len(got) == 3000
    assert all(isinstance(r, RawRow) for r in got)
    assert got[-1] == RawRow(3000, {"user_id": "u2999", "check_time": 1709516999})


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('{"user_id": "u1"}', 1, "must hold one array"),
        ('[\n{"user_id": "u1"}\n{"user_id": "u2"}]', 3, "expected ',' or ']'"),
        ('[\n{"user_id": "u1",\n "x": }]', 3, "not valid JSON"),
        ('[\n{"user_id": "u1"}', 2, "expected ',' or ']'"),
        ('[{"user_id": "u1"}] [', 1, "unexpected text after the array"),
        ('[\n{"user_id": "unterminated', 2, "not valid JSON"),
    ],
)
def test_broken_json_stops_with_the_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = write(tmp_path, "p.json", text)
    with pytest.raises(BrokenFile) as caught:
        rows(path, "json")
    assert caught.value.problem.line == line
    assert message in caught.value.problem.message


def test_empty_files_have_no_rows(tmp_path: Path) -> None:
    for name, fmt in (("e.csv", "csv"), ("e.json", "json"), ("e.ndjson", "ndjson")):
        assert rows(write(tmp_path, name, "\n  \n"), fmt) == []
    assert rows(write(tmp_path, "a.json", " [ ] "), "json") == []


def test_ndjson_bad_lines_are_row_problems_and_reading_goes_on(tmp_path: Path) -> None:
    path = write(
        tmp_path, "p.ndjson", '{"user_id": "u1"}\n\n{"user_id": \n["u3"]\n{"user_id": "u4"}\n'
    )
    got = rows(path, "ndjson")
    assert got[0] == RawRow(1, {"user_id": "u1"})
    assert isinstance(got[1], RowProblem)
    assert got[1].line == 3
    assert got[1].message.startswith("not valid JSON")
    assert got[2] == RowProblem("in", 4, "a row must be a JSON object, not an array")
    assert got[3] == RawRow(5, {"user_id": "u4"})


def test_hostile_nesting_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    got = rows(write(tmp_path, "deep.ndjson", deep + "\n"), "ndjson")
    assert got == [RowProblem("in", 1, "not a row: JSON nested too deeply")]
    with pytest.raises(BrokenFile, match="nested too deeply"):
        rows(write(tmp_path, "deep.json", f"[{deep}]"), "json")


def test_an_element_over_a_mebibyte_breaks_the_file(tmp_path: Path) -> None:
    huge = '[{"comment": "' + "x" * (1 << 21) + '"}]'
    with pytest.raises(BrokenFile, match="larger than 1 MiB"):
        rows(write(tmp_path, "huge.json", huge), "json")


def test_an_ndjson_line_over_a_mebibyte_breaks_the_file(tmp_path: Path) -> None:
    huge = '{"user_id": "u1"}\n{"comment": "' + "x" * (1 << 21) + '"}\n'
    with pytest.raises(BrokenFile, match="line larger than 1 MiB") as caught:
        rows(write(tmp_path, "huge.ndjson", huge), "ndjson")
    assert caught.value.problem.line == 2


def test_text_that_is_not_utf8_breaks_the_file(tmp_path: Path) -> None:
    path = tmp_path / "latin.ndjson"
    path.write_bytes('{"user_id": "Jos\xe9"}\n'.encode("latin-1"))
    with pytest.raises(BrokenFile, match="not UTF-8 text"):
        rows(path, "ndjson")


def test_formats_come_from_the_extension_unless_given() -> None:
    assert infer_format("a/b.CSV", None) == "csv"
    assert infer_format("x.jsonl", None) == "ndjson"
    assert infer_format("x.ndjson", None) == "ndjson"
    assert infer_format("x.txt", "json") == "json"
    with pytest.raises(InputError, match="pass --format"):
        infer_format("x.txt", None)
    with pytest.raises(InputError, match="unknown format 'xml'"):
        infer_format("x.csv", "xml")
