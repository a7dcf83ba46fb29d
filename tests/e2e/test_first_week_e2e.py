"""An admin's first week on the CLI: console-made shifts, exact names, hints that lead home.

Each test drives ``reconciler.cli.main`` against the emulator (in-process, a real SQLite
file; served on 127.0.0.1 where a second tenant is needed), as an admin would.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from reconciler.cli import main
from reconciler.emulator import DEFAULT_APP_ID, DEFAULT_APP_SECRET, create_app, serving

RULE: dict[str, Any] = {
    "on_time": "9:00",
    "off_time": "18:00",
    "late_minutes_as_late": 5,
    "late_minutes_as_lack": 60,
    "on_advance_minutes": 60,
    "early_minutes_as_early": 5,
    "early_minutes_as_lack": 60,
    "off_delay_minutes": 120,
}
SPACED = "  前后有空格  "


def wire(name: str, **fields: Any) -> dict[str, Any]:
    rule = {**RULE, **fields.pop("rule", {})}
    return {"shift_name": name, "punch_times": 1, "punch_time_rule": [rule], **fields}


@dataclass
class Admin:
    root: Path
    capsys: pytest.CaptureFixture[str]

    @property
    def db(self) -> str:
        return str(self.root / "tenant.sqlite3")

    def seed(self, document: dict[str, Any]) -> None:
        create_app(self.db, seed=document).close()

    def run(self, *args: str, emulator: bool = True) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = main([*(["--emulator", self.db] if emulator else []), "--no-color", *args])
        out, err = self.capsys.readouterr()
        return code, out, err

    def remote(self) -> dict[str, dict[str, Any]]:
        code, out, err = self.run("shifts", "list", "--format", "json")
        assert code == 0, err
        return {shift["shift_name"]: shift for shift in json.loads(out)}

    def edit(self, path: str, old: str, new: str) -> None:
        file = self.root / path
        text = file.read_text(encoding="utf-8")
        assert old in text, text
        file.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def admin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Admin:
    for name in ("FEISHU_APP_ID", "FEISHU_APP_SECRET", "FEISHU_ENDPOINT", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return Admin(tmp_path, capsys)


def test_console_made_shifts_warn_but_never_block_the_plan(admin: Admin) -> None:
    admin.seed(
        {
            "shifts": [
                wire("迟到阈值", rule={"late_minutes_as_late": 90}),  # Late after Lack
                {**wire("打卡次数"), "punch_times": 2},  # the legacy count disagrees
                wire(
                    "午休在外",
                    rest_time_rule=[{"rest_begin_time": "19:00", "rest_end_time": "20:00"}],
                ),
                wire("标准班"),
            ]
        }
    )
    code, out, err = admin.run("import")
    assert code == 0, err
    assert "Import: 4 written to shifts, 0 skipped." in out
    assert "shifts/迟到阈值.yaml:7:27: warning: punch_time_rule[0].late_minutes_as_late" in err
    assert "shifts/打卡次数.yaml:3:14: warning: punch_times: is 2" in err
    assert "shifts/午休在外.yaml:14:22: warning: rest_time_rule[0].rest_begin_time: break" in err
    assert "3 imported files have warnings (they do not block plan)" in err
    code, out, err = admin.run("plan", "--detailed-exitcode")
    assert code == 0, out + err
    assert "Plan: 0 to create, 0 to update, 0 to delete, 4 unchanged, 0 unmanaged." in out
    assert out.count("warning:") == 3
    code, out, _ = admin.run("validate", emulator=False)
    assert code == 0
    assert out.count(": warning: ") == 3
    assert admin.run("validate", "--strict", emulator=False)[0] == 1
    # Excluding a name is enough to set its file aside: plan leaves it, with a warning.
    (admin.root / "shiftctl.yaml").write_text("exclude: ['迟到*']\n", encoding="utf-8")
    code, out, err = admin.run("plan", "--detailed-exitcode")
    assert code == 0, out + err
    assert "'迟到阈值' is outside the managed scope" in out
    assert "3 unchanged, 1 unmanaged" in out


def test_an_imported_shift_that_would_not_validate_fails_the_import_by_name(
    admin: Admin,
) -> None:
    # Feishu takes a fixed half-day split without its time; the files do not.
    admin.seed(
        {"shifts": [wire("半天", shift_middle_time_rule={"middle_time_type": 3}), wire("全天")]}
    )
    code, out, err = admin.run("import")
    assert code == 1
    assert "Import: 2 written to shifts, 0 skipped." in out
    assert "shifts/半天.yaml:" in err
    assert "shiftctl: 1 imported file does not validate: shifts/半天.yaml;" in err
    assert admin.run("plan")[0] == 1  # an error in the files stops the plan


def test_a_name_with_spaces_is_shown_queried_and_sent_exactly(admin: Admin) -> None:
    admin.seed({"shifts": [wire(SPACED)]})
    shift_id = admin.remote()[SPACED]["shift_id"]
    # Reading commands show the tenant's name as it is, and find it by either spelling.
    for name in ("前后有空格", SPACED):
        code, out, err = admin.run("shifts", "query", name, "--format", "json")
        assert code == 0, err
        assert [s["shift_name"] for s in json.loads(out)] == [SPACED]
    code, out, _ = admin.run("shifts", "list", "--name", "前后*")
    assert SPACED in out
    # Import writes the exact name (with a warning), and the plan then has nothing to do.
    code, out, err = admin.run("import")
    assert code == 0, err
    assert "warning: shift_name: '  前后有空格  ' has spaces at the start or end" in err
    (path,) = (admin.root / "shifts").iterdir()
    assert f'shift_name: "{SPACED}"\n' in path.read_text(encoding="utf-8")
    assert admin.run("plan", "--detailed-exitcode")[0] == 0
    # Changing only off_time changes only off_time: the name is sent as it is.
    admin.edit(f"shifts/{path.name}", 'off_time: "18:00"', 'off_time: "18:30"')
    code, out, _ = admin.run("plan")
    assert "punch_time_rule[0].off_time: 18:00 → 18:30" in out
    assert "shift_name" not in out.split("Warnings")[0]
    assert admin.run("apply", "--auto-approve")[0] == 0
    assert admin.remote()[SPACED]["shift_id"] == shift_id
    # A name that would change is a visible change of its own, in place.
    admin.edit(f"shifts/{path.name}", f'"{SPACED}"', "前后有空格")
    code, out, _ = admin.run("plan")
    assert f"~ update '{SPACED}' (id {shift_id})" not in out  # the headline is the new name
    assert f"~ update '前后有空格' (id {shift_id})" in out
    assert 'shift_name: "  前后有空格  " → 前后有空格' in out
    assert admin.run("apply", "--auto-approve")[0] == 0
    assert admin.remote()["前后有空格"]["shift_id"] == shift_id
    assert admin.run("plan", "--detailed-exitcode")[0] == 0


def write_shift(admin: Admin, name: str, on: str = "09:00") -> None:
    folder = admin.root / "shifts"
    folder.mkdir(exist_ok=True)
    lines = [f"shift_name: {name}", "punch_times: 1", "punch_time_rule:"]
    lines.append(f'  - {{on_time: "{on}", off_time: "18:00", late_minutes_as_late: 5,')
    lines.append(
        "     late_minutes_as_lack: 60, on_advance_minutes: 60, early_minutes_as_early: 5,"
    )
    lines.append("     early_minutes_as_lack: 60, off_delay_minutes: 120}")
    (folder / f"{name}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_the_saved_plan_hint_names_the_emulator_and_works_as_printed(admin: Admin) -> None:
    write_shift(admin, "Day")
    code, _, err = admin.run("plan", "--out", "plan.json")
    assert code == 0
    hint = f"apply exactly it with: shiftctl --emulator={admin.db} apply plan.json"
    assert hint in err
    # Followed literally, the hint applies to the emulator it was planned on.
    command = shlex.split(err.split("apply exactly it with: ")[1].strip())
    assert command[0] == "shiftctl"
    code, out, err = admin.run(*command[1:], emulator=False)
    assert code == 0, out + err
    assert list(admin.remote()) == ["Day"]
    # The default state file and a configuration file given are repeated too.
    (admin.root / "other.yaml").write_text("shifts: shifts\n", encoding="utf-8")
    admin.capsys.readouterr()
    assert main(["--config", "other.yaml", "--emulator", "plan", "--out", "p 2.json"]) == 0
    expected = "shiftctl --config other.yaml --emulator apply 'p 2.json'"
    assert expected in admin.capsys.readouterr().err


@pytest.fixture
def other_tenant(admin: Admin, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    app = create_app(":memory:")
    with serving(app) as url:
        monkeypatch.setenv("FEISHU_APP_ID", DEFAULT_APP_ID)
        monkeypatch.setenv("FEISHU_APP_SECRET", DEFAULT_APP_SECRET)
        yield url
    app.close()


def test_a_plan_made_on_the_emulator_is_refused_by_a_real_endpoint(
    admin: Admin, other_tenant: str
) -> None:
    write_shift(admin, "Day")
    assert admin.run("plan", "--out", "plan.json")[0] == 0
    # Both tenants are empty, so the changes alone would look the same.
    code, out, err = admin.run("--endpoint", other_tenant, "apply", "plan.json", emulator=False)
    assert code == 4, out + err
    assert f"the plan was made against the emulator ({admin.db}); this is {other_tenant}" in err
    assert admin.run("--endpoint", other_tenant, "plan", emulator=False)[1].count("create") == 2


def test_a_stale_plan_shows_the_values_reviewed_and_the_values_now(admin: Admin) -> None:
    write_shift(admin, "标准班")
    assert admin.run("apply", "--auto-approve")[0] == 0
    write_shift(admin, "标准班", on="09:30")
    assert admin.run("plan", "--out", "plan.json")[0] == 0
    write_shift(admin, "标准班", on="10:00")
    code, _, err = admin.run("apply", "plan.json", "--no-usage")
    assert code == 4
    assert (
        "  - changed: update '标准班'\n"
        "      reviewed: punch_time_rule[0].on_time: 09:00 → 09:30\n"
        "      now:      punch_time_rule[0].on_time: 09:00 → 10:00\n"
    ) in err


def test_after_a_partial_apply_of_a_saved_plan_the_hint_is_to_plan_again(admin: Admin) -> None:
    (admin.root / "shiftctl.yaml").write_text("guards: {max_delete_percent: 100}\n", "utf-8")
    for name in ("InUse", "Keep"):
        write_shift(admin, name)
    assert admin.run("apply", "--auto-approve")[0] == 0
    admin.seed({"groups": [{"id": "g1", "name": "HQ", "shifts": {"monday": "InUse"}}]})
    (admin.root / "shifts" / "InUse.yaml").unlink()
    write_shift(admin, "Keep", on="08:30")
    # --no-usage: unread, the in-use delete is left for Feishu to refuse (a partial apply).
    assert admin.run("plan", "--out", "plan.json", "--no-usage")[0] == 0
    code, _, err = admin.run("apply", "plan.json", "--no-usage")
    assert code == 5
    replan = f"shiftctl --emulator={admin.db} plan --out plan.json"
    reapply = f"shiftctl --emulator={admin.db} apply plan.json"
    assert f"then plan again, review and apply the new plan: {replan} && {reapply}" in err
    # Applying the old plan again is what the hint steers away from: it is stale.
    code, _, err = admin.run("apply", "plan.json", "--no-usage")
    assert code == 4
    assert "no longer planned: update 'Keep'" in err


def test_the_apply_report_writes_chinese_as_it_is(admin: Admin) -> None:
    write_shift(admin, "标准班")
    assert admin.run("apply", "--auto-approve", "--report", "report.json")[0] == 0
    text = (admin.root / "report.json").read_text(encoding="utf-8")
    assert '"shift_name": "标准班"' in text
    assert "\\u" not in text
