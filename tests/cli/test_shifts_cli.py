"""shifts list/get/query: the tenant's shifts read through the real CLI and the emulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from reconciler.cli import main
from reconciler.definitions import load_desired

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def tenant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A working folder whose emulated tenant holds the repository's example shifts."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "shifts").symlink_to(REPO / "shifts")
    db = str(tmp_path / "tenant.sqlite3")
    assert main(["--emulator", db, "apply", "--auto-approve"]) == 0
    return db


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_shows_every_shift_with_its_id_as_json(
    tenant: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--emulator", tenant, "shifts", "list", "--format", "json")
    assert code == 0
    listed = json.loads(out)
    expected = {d.shift.shift_name: d.shift for d in load_desired([REPO / "shifts"]).shifts}
    assert sorted(item["shift_name"] for item in listed) == sorted(expected)
    night = next(item for item in listed if item["shift_name"] == "夜班")
    assert night["shift_id"].isdigit()
    assert night["punch_time_rule"][0]["off_time"] == "30:00"


def test_list_filters_by_name_glob_in_a_table(
    tenant: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--emulator", tenant, "shifts", "list", "--name", "门店*")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["SHIFT_ID", "NAME", "SEGMENTS", "FLEXIBLE", "DAY"]
    assert [line.split()[1] for line in lines[1:]] == ["门店早班", "门店晚班"]


def test_get_and_query_read_one_shift_back_as_a_shift_file(
    tenant: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(capsys, "--emulator", tenant, "shifts", "query", "弹性班", "--format", "json")
    (flexible,) = json.loads(out)
    code, out, _ = run(
        capsys, "--emulator", tenant, "shifts", "get", flexible["shift_id"], "--format", "yaml"
    )
    assert code == 0
    assert out.startswith("# yaml-language-server: $schema=")
    document = yaml.safe_load(out)
    assert document["shift_name"] == "弹性班"
    assert document["is_flexible"] is True


def test_unknown_names_and_ids_are_errors_with_exit_1(
    tenant: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "--emulator", tenant, "shifts", "query", "没有这个班")
    assert code == 1
    assert "no shift named '没有这个班'" in err
    code, _, err = run(capsys, "--emulator", tenant, "shifts", "get", "123")
    assert code == 1
    assert "shift does not exist" in err
