"""The blast radius end to end: a tenant with fixed, special-day and rota groups, through the
real command line on the emulator (a SQLite file).

The plan names the groups and people each change touches; deleting a shift in use is
blocked at plan time whatever the overrides; a rename keeps the shift_id, so the group
still uses it after apply.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from reconciler.cli import main
from reconciler.embedded import embedded_client
from reconciler.emulator import create_app

SHIFT = """\
shift_name: {name}
{previous}punch_times: 1
punch_time_rule:
  - on_time: "{on}"
    off_time: "18:00"
    late_minutes_as_late: 5
    late_minutes_as_lack: 60
    on_advance_minutes: 120
    early_minutes_as_early: 1
    early_minutes_as_lack: 60
    off_delay_minutes: 240
"""
# Groups and people: 研发 (fixed, 40), 门店A (a special day ahead, 7), 门店B (rota, 5).
RD, STORE_A, STORE_B = 40, 7, 5


class Repo:
    def __init__(self, root: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.root, self.capsys = root, capsys
        self.db = str(root / "tenant.sqlite3")

    def write(self, name: str, on: str = "09:00", previous: str = "", file: str = "") -> None:
        path = self.root / "shifts" / (file or f"{name}.yaml")
        path.parent.mkdir(exist_ok=True)
        old = f"previous_names: [{previous}]\n" if previous else ""
        path.write_text(SHIFT.format(name=name, on=on, previous=old), encoding="utf-8")

    def remove(self, name: str) -> None:
        (self.root / "shifts" / f"{name}.yaml").unlink()

    def run(self, *args: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = main(["--emulator", self.db, "--no-color", *args])
        out, err = self.capsys.readouterr()
        return code, out, err

    def ids(self) -> dict[str, str]:
        with embedded_client(self.db) as c:
            return {s.name: s.shift_id for s in c.list_shifts()}

    def weekly(self, group_id: str) -> tuple[str, ...]:
        with embedded_client(self.db) as c:
            return c.groups.get_group(group_id).punch_day_shift_ids

    def seed(self, document: dict[str, Any]) -> None:
        create_app(self.db, seed=document).close()


@pytest.fixture
def repo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Repo:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "shiftctl.yaml").write_text("guards: {max_delete_percent: 100}\n", "utf-8")
    repo = Repo(tmp_path, capsys)
    for name in ("标准班", "早班", "晚班", "备用"):
        repo.write(name)
    code, out, err = repo.run("apply", "--auto-approve")
    assert code == 0, out + err
    ahead = datetime.datetime.now(ZoneInfo("Asia/Shanghai")).date() + datetime.timedelta(days=3)
    people = [f"u{i}" for i in range(RD + STORE_A + STORE_B)]
    repo.seed(
        {
            "users": [{"employee_id": p} for p in people],
            "groups": [
                {
                    "id": "rd",
                    "name": "研发",
                    "departments": ["od-rd"],  # members bound through a department
                    "members": people[:RD],
                    "shifts": dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), "标准班"),
                },
                {
                    "id": "sa",
                    "name": "门店A",
                    "members": people[RD : RD + STORE_A],
                    "shifts": {"sat": "早班"},
                    "special_days": [{"day": ahead.isoformat(), "shift": "标准班"}],
                },
                {
                    "id": "sb",
                    "name": "门店B",
                    "type": "rota",
                    "members": people[RD + STORE_A :],
                    "schedule": {people[-1]: {ahead.isoformat(): "标准班"}},
                },
            ],
        }
    )
    return repo


def test_the_plan_names_the_groups_and_people_each_change_touches(repo: Repo) -> None:
    repo.write("标准班", on="09:30")
    repo.write("晚班", on="10:00")
    code, out, err = repo.run("plan", "--detailed-exitcode")
    assert code == 2, out + err
    people = f"{RD + STORE_A + STORE_B:,}"
    assert f"used by 3 groups ({people} people): 研发, 门店A, 门店B" in out
    assert "  ~ update '晚班'" in out
    assert "used by no attendance group" in out
    # 1 list page + 3 gets + the rota group's schedule + the department group's members.
    assert "Attendance groups: 3 read in 6 API calls (rota schedules 30 days ahead)." in out

    doc = json.loads(repo.run("plan", "--format", "json")[1])
    (standard,) = [c for c in doc["changes"] if c["shift_name"] == "标准班"]
    assert standard["used_by"] == [
        {"group_id": "rd", "group_name": "研发", "members": RD, "how": ["fixed"]},
        {"group_id": "sa", "group_name": "门店A", "members": STORE_A, "how": ["special_day"]},
        {"group_id": "sb", "group_name": "门店B", "members": STORE_B, "how": ["rota"]},
    ]
    assert doc["usage"] == {"read": True, "groups": 3, "calls": 6, "look_ahead_days": 30}
    markdown = repo.run("plan", "--format", "markdown")[1]
    assert f"are used by 3 groups ({people} people).**" in markdown
    assert f"(id {standard['shift_id']}) — used by 3 groups ({people} people)" in markdown

    unknown = repo.run("plan", "--no-usage")[1]
    assert unknown.count("used by: unknown (attendance groups not read)") == 2
    assert "Attendance groups: not read (--no-usage)" in unknown


def test_the_look_ahead_is_configurable(repo: Repo) -> None:
    (repo.root / "shiftctl.yaml").write_text("usage: {look_ahead_days: 2}\n", "utf-8")
    repo.write("标准班", on="09:30")
    out = repo.run("plan")[1]
    # The rota day and the special day are three days ahead: outside a two-day look-ahead
    # for the rota; a special day counts whenever it is ahead.
    assert "used by 2 groups (47 people): 研发, 门店A" in out
    assert "rota schedules 2 days ahead" in out


def test_deleting_a_shift_in_use_is_blocked_whatever_the_overrides(repo: Repo) -> None:
    before = repo.ids()
    repo.remove("早班")
    for extra in ((), ("--force",), ("--allow-delete", "早班")):
        code, out, err = repo.run("plan", *extra)
        assert code == 3, out + err
        assert "Guard in_use BLOCKED: '早班' is used by 1 attendance group: 门店A (sa)" in out
        assert "move those groups to another shift first" in err
        assert "--allow-delete and --force do not override this" in err
        assert "override with --allow-delete NAME" not in err
    code, out, err = repo.run("apply", "--auto-approve", "--force", "--allow-delete", "早班")
    assert code == 3, out + err
    assert repo.ids() == before  # nothing deleted, nothing else applied
    # Once the group moves to another shift, the delete goes through.
    repo.seed({"groups": [{"id": "sa", "name": "门店A", "shifts": {"sat": "备用"}}]})
    code, out, err = repo.run("apply", "--auto-approve")
    assert code == 0, out + err
    assert "早班" not in repo.ids()


def test_a_rename_keeps_the_shift_id_and_the_group_keeps_the_shift(repo: Repo) -> None:
    old_id = repo.ids()["早班"]
    assert repo.weekly("sa")[5] == old_id
    repo.remove("早班")
    repo.write("早班（新）", previous="早班", file="early.yaml")
    code, out, err = repo.run("plan", "--out", "plan.json")
    assert code == 0, out + err
    assert f"  ~ rename '早班' → '早班（新）' (id {old_id})" in out
    assert "shift_name: 早班 → 早班（新）" in out
    assert "used by 1 group (7 people): 门店A" in out
    assert "Plan: 0 to create, 1 to update, 0 to delete" in out
    saved = json.loads(Path("plan.json").read_text(encoding="utf-8"))
    (change,) = saved["changes"]
    assert (change["action"], change["renamed_from"]) == ("update", "早班")
    # People joining the group since the plan do not make it stale.
    repo.seed({"users": [{"employee_id": "newcomer"}]})
    repo.seed({"groups": [{"id": "rd", "name": "研发", "members": ["newcomer"]}]})
    code, out, err = repo.run("apply", "plan.json")
    assert code == 0, out + err
    ids = repo.ids()
    assert ids["早班（新）"] == old_id
    assert "早班" not in ids
    assert repo.weekly("sa")[5] == old_id  # the group still has its shift
    assert repo.run("plan", "--detailed-exitcode")[0] == 0


def test_a_delete_and_create_with_the_same_rules_suggest_previous_names(repo: Repo) -> None:
    repo.seed({"groups": [{"id": "sa", "name": "门店A", "shifts": {"sat": "备用"}}]})
    repo.remove("早班")
    repo.write("Early", file="early.yaml")
    code, out, err = repo.run("plan")
    assert code == 0, out + err
    assert "Hint: deleting '早班' and creating 'Early' looks like a rename" in out
    assert "add previous_names: [早班] to 'Early'" in out
