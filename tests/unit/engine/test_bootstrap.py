"""File names for imported shifts: portable, readable, never colliding."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.bootstrap import import_shifts, safe_file_stem
from reconciler.config import Settings
from reconciler.model import CurrentShift, PunchTimeRule, Shift
from reconciler.plan import AmbiguousCurrentError


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("早班", "早班"),
        ("Odd / name: x", "Odd-name-x"),
        ("../../etc/passwd", "etc-passwd"),
        ("..", "shift"),
        ("CON", "shift-CON"),
        ("ｆｕｌｌｗｉｄｔｈ", "fullwidth"),
        ("a" * 200, "a" * 80),
        (".hidden", "hidden"),
    ],
)
def test_safe_file_stem(name: str, stem: str) -> None:
    assert safe_file_stem(name) == stem


def remote(name: str, shift_id: str) -> CurrentShift:
    rule = PunchTimeRule("09:00", "18:00", 5, 60, 120, 1, 60, 240)
    return CurrentShift(shift_id, Shift(name, 1, (rule,)))


def test_names_that_collide_get_numbered_files(tmp_path: Path) -> None:
    remotes = [remote("Day", "1"), remote("day", "2"), remote("Day?", "3")]
    result = import_shifts(remotes, Settings(), tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "Day-2.yaml",
        "Day.yaml",
        "day-3.yaml",
    ]
    assert {i.shift_name: i.path.name for i in result.written}["day"] == "day-3.yaml"


def test_an_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "Day.yaml").write_text("# mine\n", encoding="utf-8")
    result = import_shifts([remote("Day", "1")], Settings(), out)
    assert (out / "Day.yaml").read_text() == "# mine\n"
    assert [i.path.name for i in result.written] == ["Day-2.yaml"]


def test_only_in_scope_and_matching_shifts_are_imported(tmp_path: Path) -> None:
    remotes = [remote("HQ-a", "1"), remote("HQ-b", "2"), remote("Shop", "3")]
    settings = Settings(include=("HQ-*", "Shop"))
    result = import_shifts(remotes, settings, tmp_path, names=("*-a", "Shop"))
    assert [i.shift_name for i in result.written] == ["HQ-a", "Shop"]


def test_two_remote_shifts_with_one_name_are_refused(tmp_path: Path) -> None:
    with pytest.raises(AmbiguousCurrentError, match="ids 1, 2"):
        import_shifts([remote("Day", "1"), remote("Day", "2")], Settings(), tmp_path)
    assert list(tmp_path.iterdir()) == []
