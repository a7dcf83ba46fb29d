"""Every table the CLI prints: widths in terminal cells, cut between whole characters,
control characters escaped before they are measured."""

from __future__ import annotations

import pytest

from reconciler.table import display_width, fit_cell, fit_table

COMBINING = "Cafe\u0301"  # é as e + COMBINING ACUTE ACCENT: four cells
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one ZWJ picture: two cells
FLAG = "\U0001f1e8\U0001f1f3"  # two regional indicators, one flag: two cells
HEART = "\u2764\ufe0f"  # VS16 makes it an emoji: two cells


@pytest.mark.parametrize(
    ("text", "cells"),
    [
        ("Day", 3),
        (COMBINING, 4),
        (FAMILY, 2),
        (FLAG, 2),
        (HEART, 2),
        ("早班", 4),
        ("ｆｕｌｌ", 8),  # fullwidth Latin
        ("", 0),
    ],
)
def test_display_width_counts_terminal_cells(text: str, cells: int) -> None:
    assert display_width(text) == cells


def test_columns_line_up_across_scripts_and_an_escaped_control() -> None:
    rows = [(COMBINING, "1"), (FAMILY, "2"), ("早班", "3"), ("a\x1bb", "4")]
    assert fit_table(("NAME", "ID"), rows, 80, flexible=(0,), empty="none").splitlines() == [
        "NAME    ID",
        f"{COMBINING}    1",
        f"{FAMILY}      2",
        "早班    3",
        # Escaped first, then measured: the six cells of a\x1bb, nothing raw.
        "a\\x1bb  4",
    ]


@pytest.mark.parametrize(
    ("text", "width", "shown"),
    [
        ("早班早班", 5, "早班…"),  # a wide character that does not fit is left out whole
        ("早班早班", 6, "早班… "),
        (f"ab{FAMILY}cd", 4, "ab… "),  # never a part of the family
        (f"ab{FAMILY}cd", 5, f"ab{FAMILY}…"),
        (f"{COMBINING}sx", 5, f"{COMBINING}…"),  # the accent stays on its letter
        (f"{FLAG}{FLAG}", 3, f"{FLAG}…"),
        ("short", 8, "short   "),
    ],
)
def test_a_cell_is_cut_between_whole_characters(text: str, width: int, shown: str) -> None:
    assert fit_cell(text, width) == shown
    assert display_width(fit_cell(text, width)) == width


def test_a_narrow_table_shrinks_its_flexible_column_to_the_width() -> None:
    rows = [("1", "研发部门的早班（夏季）", "x")]
    table = fit_table(("ID", "NAME", "DAY"), rows, 20, flexible=(1,), empty="none")
    assert [display_width(line) for line in table.splitlines()] == [20, 18]
    assert table.splitlines()[1] == "1   研发部门的…  x"


def test_a_control_that_reaches_the_measure_counts_one_cell() -> None:
    # fit_table escapes every cell; the measure alone still never goes negative.
    assert display_width("a\x1bb") == 3
