"""Punch files: a text UTF-8 cannot carry (a lone surrogate from a JSON escape) is a row
problem found in the checking pass, ``FILE:LINE: field: problem``, and nothing is sent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler.cli import main
from reconciler.emulator import create_app
from reconciler.flows import RowProblem, check_row
from reconciler.flows.sources import RawRow

TEXT_FIELDS = ("user_id", "location_name", "comment", "creator_id", "external_id", "ssid", "bssid")
ROWS = 120
BAD_ROW = 71


def row(index: int) -> dict[str, str]:
    return {
        "user_id": "u1",
        "creator_id": "u1",
        "check_time": str(1_704_067_200 + 60 * index),  # 2024-01-01, a minute apart
        "location_name": "HQ",
        "comment": f"row {index}",
        "external_id": f"x{index}",
        "ssid": "office",
        "bssid": "00:11:22:33:44:55",
    }


def write(path: Path, rows: list[dict[str, str]], fmt: str, bad_field: str) -> Path:
    """``rows`` as JSON or NDJSON, row BAD_ROW's ``bad_field`` holding "\\ud83d"."""
    rows[BAD_ROW - 1][bad_field] = "a\ud83d"
    texts = [json.dumps(r) for r in rows]  # the lone surrogate written as a JSON escape
    assert '"a\\ud83d"' in texts[BAD_ROW - 1]
    if fmt == "ndjson":
        path.write_text("".join(t + "\n" for t in texts), encoding="utf-8")
    else:  # one row per line, so row N starts on line N + 1 (after the "[")
        path.write_text("[\n" + ",\n".join(texts) + "\n]\n", encoding="utf-8")
    return path


@pytest.fixture
def tenant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    db = str(tmp_path / "tenant.sqlite3")
    create_app(db, seed={"users": [{"employee_id": "u1", "name": "Alice"}]}).close()
    return db


def stored(db: str, capsys: pytest.CaptureFixture[str]) -> int:
    capsys.readouterr()
    args = ["--emulator", db, "flows", "query", "--user", "u1", "--from", "2024-01-01"]
    assert main([*args, "--to", "2024-01-02", "--format", "json"]) == 0
    return len(json.loads(capsys.readouterr().out)["flows"])


@pytest.mark.parametrize("fmt", ["json", "ndjson"])
@pytest.mark.parametrize("field", TEXT_FIELDS)
@pytest.mark.parametrize("dry_run", [False, True])
def test_a_lone_surrogate_is_a_located_row_problem_and_nothing_is_sent(
    tenant: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    fmt: str,
    field: str,
    dry_run: bool,
) -> None:
    path = write(tmp_path / f"punches.{fmt}", [row(i) for i in range(ROWS)], fmt, field)
    capsys.readouterr()
    code = main(["--emulator", tenant, "flows", "import", str(path), *(["--dry-run"] * dry_run)])
    err = capsys.readouterr().err
    line = BAD_ROW if fmt == "ndjson" else BAD_ROW + 1
    assert code == 1
    assert f"{path}:{line}: {field}: contains a U+D83D (lone surrogate) at character 2" in err
    assert "nothing was sent" in err
    assert "Traceback" not in err
    assert stored(tenant, capsys) == 0


def test_skip_invalid_sends_the_other_rows(
    tenant: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "punches.ndjson", [row(i) for i in range(ROWS)], "ndjson", "comment")
    capsys.readouterr()
    assert main(["--emulator", tenant, "flows", "import", str(path), "--skip-invalid"]) == 0
    assert f"{path}:{BAD_ROW}: comment: contains a U+D83D" in capsys.readouterr().err
    assert stored(tenant, capsys) == ROWS - 1


def test_a_surrogate_encoded_into_a_csv_file_is_not_utf8(
    tenant: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "punches.csv"
    path.write_bytes(b"user_id,check_time,location_name,comment\nu1,1704067200,HQ,\xed\xa0\xbd\n")
    capsys.readouterr()
    assert main(["--emulator", tenant, "flows", "import", str(path)]) == 1
    assert "not UTF-8 text" in capsys.readouterr().err
    assert stored(tenant, capsys) == 0


VALUES = st.one_of(
    st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF) | st.characters()),
    st.integers(),
    st.none(),
    st.booleans(),
)


@given(st.dictionaries(st.sampled_from([*TEXT_FIELDS, "check_time", "is_wifi"]), VALUES))
def test_any_row_is_checked_without_an_exception(values: dict[str, object]) -> None:
    checked = check_row(RawRow(3, values), "f.ndjson")
    lone = [
        key
        for key, value in values.items()
        if isinstance(value, str) and any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    ]
    if lone:
        assert isinstance(checked, RowProblem)
        for key in lone:
            assert f"{key}: contains a U+D" in checked.message
        str(checked).encode("utf-8")  # the problem line itself is printable
