"""previous_names: allowed by the schema, checked within and across files, kept by fmt,
never sent to Feishu."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.definitions import check, format_files
from reconciler.feishu.wire import shift_from_wire, shift_to_wire

BODY = """\
punch_times: 1
punch_time_rule:
  - on_time: "09:00"
    off_time: "18:00"
    late_minutes_as_late: 5
    late_minutes_as_lack: 60
    on_advance_minutes: 60
    early_minutes_as_early: 5
    early_minutes_as_lack: 60
    off_delay_minutes: 60
"""


def write(folder: Path, file: str, name: str, previous: str | None = None) -> Path:
    folder.mkdir(exist_ok=True)
    head = f"shift_name: {name}\n" + (f"previous_names: {previous}\n" if previous else "")
    path = folder / file
    path.write_text(head + BODY, encoding="utf-8")
    return path


def problems_of(folder: Path) -> list[str]:
    return [str(p) for p in check([folder])[1]]


def test_a_renamed_shift_loads_with_its_previous_names(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "新标准班", "[标准班, ' 旧班 ']")
    state, problems = check([tmp_path])
    assert problems == []
    (desired,) = state.shifts
    # Kept as written (names are shown exactly), matched after NFC and trimming.
    assert desired.shift.previous_names == ("标准班", " 旧班 ")
    body = shift_to_wire(desired.shift)
    assert "previous_names" not in body
    assert body["shift_name"] == "新标准班"


def test_previous_names_from_the_wire_are_dropped() -> None:
    remote = shift_from_wire(
        {
            "shift_id": "1",
            "shift_name": "A",
            "previous_names": ["B"],
            "punch_times": 1,
            "punch_time_rule": [],
        }
    )
    assert remote.shift.previous_names == ()


@pytest.mark.parametrize(
    ("previous", "message"),
    [
        ("[A]", "previous_names[0]: 'A' is this shift's own shift_name"),
        ("[B, ' B']", "previous_names[1]: 'B' is listed twice (also at [0])"),
        ("['']", "previous_names[0]:"),
        ("[7]", "previous_names[0]:"),
        ("B", "previous_names:"),
    ],
)
def test_a_bad_previous_name_is_located(tmp_path: Path, previous: str, message: str) -> None:
    write(tmp_path, "a.yaml", "A", previous)
    found = problems_of(tmp_path)
    assert len(found) == 1, found
    assert found[0].startswith(f"{tmp_path / 'a.yaml'}:2:")
    assert message in found[0]


def test_a_previous_name_may_not_be_another_shifts_name(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "A", "[B]")
    other = write(tmp_path, "b.yaml", "B")
    (problem,) = problems_of(tmp_path)
    assert problem.startswith(f"{tmp_path / 'a.yaml'}:2:18: previous_names:")
    assert f"'B' is the shift_name of another shift, defined at {other}:1:13" in problem


def test_one_old_name_can_become_one_shift_only(tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", "A", "[Old]")
    write(tmp_path, "b.yaml", "B", "[Old]")
    (problem,) = problems_of(tmp_path)
    assert problem.startswith(f"{tmp_path / 'b.yaml'}:2:")
    assert f"'Old' is also a previous name of 'A' at {first}:2:18" in problem


def test_fmt_keeps_previous_names_beside_the_name(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(BODY + "shift_name: 新\nprevious_names: [旧]\n", encoding="utf-8")
    results, problems = format_files([path], write=True)
    assert problems == []
    assert results[0].problems == ()
    text = path.read_text(encoding="utf-8")
    assert "shift_name: 新\nprevious_names:\n  - 旧\npunch_times: 1\n" in text
    assert check([path])[1] == []
