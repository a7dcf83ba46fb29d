"""CSV output: no cell becomes a spreadsheet formula (OWASP's leading quote), unless
``--csv-raw`` asks for the cells exactly as Feishu returned them."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hostile_support import DAY, FORMULAS, HOSTILE_NAMES, Tenant, run, unsafe_in
from hypothesis import given
from hypothesis import strategies as st

from reconciler.safetext import escape, first_unsafe, spreadsheet_cell

# What spreadsheets read as the start of a formula: OWASP's list, LF, full-width forms.
TRIGGERS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
BLANKS = " \u3000"


def dangerous(cell: str) -> bool:
    """Whether a spreadsheet could run ``cell`` as a formula."""
    return cell[:1] in TRIGGERS or cell.lstrip(BLANKS)[:1] in TRIGGERS


TEXT = st.text(
    st.characters(codec=None) | st.sampled_from(sorted(TRIGGERS)) | st.sampled_from(BLANKS),
    max_size=12,
)


@given(TEXT)
def test_no_cell_can_start_a_formula(text: str) -> None:
    cell = spreadsheet_cell(text)
    assert not dangerous(cell)
    assert first_unsafe(cell) is None
    assert cell == ("'" if dangerous(text) else "") + escape(text)


@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=12))
def test_raw_cells_are_the_text_itself(text: str) -> None:
    assert spreadsheet_cell(text, raw=True) == text


def test_a_lone_surrogate_is_escaped_even_raw() -> None:
    assert spreadsheet_cell("a\ud83d", raw=True) == "a\\ud83d"


def cells(out: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(out)))


def test_flows_query_csv_neutralises_every_cell_and_raw_gives_them_back(
    tenant: Tenant, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--emulator", tenant.db, "flows", "query", "--user", tenant.users()]
    args += ["--from", DAY, "--to", DAY, "--format", "csv"]
    code, out, _ = run(capsys, *args)
    assert code == 0
    rows = cells(out)
    assert len(rows) == 6
    for row in rows:
        assert not any(dangerous(value) for value in row.values()), row
    assert unsafe_in(out) is None
    comments = {row["comment"] for row in rows}
    assert '\'=HYPERLINK("http://evil.test")' in comments
    assert "'\\tTAB" in comments  # escaped and quoted
    assert "'@EVIL-id\\x1b[5m\\u202e" in {row["user_id"] for row in rows}

    code, out, _ = run(capsys, *args, "--csv-raw")
    assert code == 0
    raw = {row["comment"] for row in cells(out)}
    assert raw == set(FORMULAS)  # exactly what was imported, CR and TAB included
    # The same records as JSON (never neutralised: JSON is not read by spreadsheets).
    _, as_json, _ = run(capsys, *args[:-1], "json")
    assert {f["comment"] for f in json.loads(as_json)["flows"]} == set(FORMULAS)


def test_tasks_csv_neutralises_names_and_shift_names(
    tenant: Tenant, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--emulator", tenant.db, "tasks", "--user", tenant.users()]
    args += ["--from", DAY, "--to", DAY, "--format", "csv"]
    code, out, _ = run(capsys, *args)
    assert code == 0
    rows = cells(out)
    assert {row["shift_name"] for row in rows} == {"EVIL-esc\\x1b]0;pwned\\x07\\x1b[2J\\x1b[31m"}
    for row in rows:
        assert not any(dangerous(value) for value in row.values()), row
    assert "'@EVIL-id\\x1b[5m\\u202e" in {row["user_id"] for row in rows}
    code, out, _ = run(capsys, *args, "--csv-raw")
    assert {row["shift_name"] for row in cells(out)} == {HOSTILE_NAMES[0]}


def test_flows_get_csv_is_neutralised_too(
    tenant: Tenant, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "--emulator", tenant.db, "flows", "get", tenant.record_id, "--format", "csv"
    )
    assert code == 0
    (row,) = cells(out)
    assert not any(dangerous(value) for value in row.values()), row
