"""tasks and flows without --tz show each user's times in their attendance group's zone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reconciler.cli import main
from reconciler.emulator import create_app

SHIFT = {
    "shift_name": "Office",
    "punch_times": 1,
    "punch_time_rule": [
        {
            "on_time": "9:00",
            "off_time": "18:00",
            "late_minutes_as_late": 5,
            "late_minutes_as_lack": 120,
            "on_advance_minutes": 120,
            "early_minutes_as_early": 5,
            "early_minutes_as_lack": 120,
            "off_delay_minutes": 240,
        }
    ],
}
SEED = {
    "users": [{"employee_id": u} for u in ("u1", "u2", "u3")],
    "shifts": [SHIFT],
    "groups": [
        {"id": "sh", "name": "上海", "members": ["u1"], "shifts": {"monday": "Office"}},
        {
            "id": "be",
            "name": "Berlin",
            "time_zone": "Europe/Berlin",
            "members": ["u2"],
            "shifts": {"monday": "Office"},
        },
    ],
}
# Monday 2024-03-04 21:30 in Berlin is already Tuesday 04:30 in Shanghai; still inside
# the Office shift's check-out window (18:00 + 240 min), so Feishu counts it as valid.
LATE_IN_BERLIN = "2024-03-04T21:30:00+01:00"


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "tenant.sqlite3"
    create_app(str(path), seed=SEED).close()
    rows = tmp_path / "punches.csv"
    rows.write_text(
        "user_id,check_time,location_name,comment\n"
        f"u1,2024-03-04T08:58:00+08:00,HQ,in\nu2,{LATE_IN_BERLIN},Berlin,late\n",
        encoding="utf-8",
    )
    assert shiftctl(str(path), "flows", "import", str(rows))[0] == 0
    return str(path)


def shiftctl(db: str, *args: str) -> tuple[int, str, str]:
    runner = CliRunner()
    with runner.isolation() as (out, err, _):
        code = main(["--emulator", db, *args])
    return code, out.getvalue().decode(), err.getvalue().decode()


def as_json(db: str, *args: str) -> Any:
    code, out, err = shiftctl(db, *args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_results_are_shown_in_each_groups_zone(db: str) -> None:
    doc = as_json(db, "tasks", "--user", "u1,u2,u3", "--from", "2024-03-04", "--to", "2024-03-04")
    planned = {t["user_id"]: t["check_in_shift_time"] for t in doc["tasks"]}
    assert planned == {
        "u1": "2024-03-04T09:00:00+08:00",
        "u2": "2024-03-04T09:00:00+01:00",
        "u3": None,  # in no group: no shift
    }
    assert doc["time_zones"] == {"1": "Asia/Shanghai", "be": "Europe/Berlin", "sh": "Asia/Shanghai"}
    assert doc["time_zone"] is None  # the rows' zones differ
    code, table, _ = shiftctl(
        db, "tasks", "--user", "u2", "--from", "2024-03-04", "--to", "2024-03-04"
    )
    assert code == 0
    assert "times in each attendance group's zone (Europe/Berlin)" in table
    assert " 09:00 " in table


def test_tz_still_wins(db: str) -> None:
    doc = as_json(
        db, "tasks", "--user", "u2", "--from", "2024-03-04", "--to", "2024-03-04", "--tz", "UTC"
    )
    assert doc["tasks"][0]["check_in_shift_time"] == "2024-03-04T08:00:00+00:00"
    assert doc["time_zone"] == "UTC"
    assert "time_zones" not in doc


def test_punch_ranges_and_times_follow_each_users_zone(db: str) -> None:
    week = ("flows", "query", "--user", "u1,u2", "--from", "2024-03-04", "--to", "2024-03-04")
    doc = as_json(db, *week)
    times = {f["user_id"]: f["check_time"] for f in doc["flows"]}
    assert times == {"u1": "2024-03-04T08:58:00+08:00", "u2": LATE_IN_BERLIN}
    assert doc["time_zones"] == {"u1": "Asia/Shanghai", "u2": "Europe/Berlin"}
    # Read in Shanghai, Monday ends before the Berlin punch.
    shanghai = as_json(db, *week, "--tz", "Asia/Shanghai")
    assert [f["user_id"] for f in shanghai["flows"]] == ["u1"]


def test_one_record_is_shown_in_its_users_zone(db: str) -> None:
    (berlin,) = as_json(
        db, "flows", "query", "--user", "u2", "--from", "2024-03-04", "--to", "2024-03-05"
    )["flows"]
    one = as_json(db, "flows", "get", berlin["record_id"])
    assert one["check_time"] == LATE_IN_BERLIN
