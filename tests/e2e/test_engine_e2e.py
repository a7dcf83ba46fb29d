"""plan → apply → plan against the emulator, through the real command line.

The emulator runs in-process (``--emulator DB``), or served on 127.0.0.1 when a
test needs faults or credentials; its state is a real SQLite file.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.apply import SKIPPED_AFTER_FAILURE
from reconciler.cli import main
from reconciler.embedded import embedded_client
from reconciler.emulator import DEFAULT_APP_ID, DEFAULT_APP_SECRET, create_app, serving
from reconciler.model import CurrentShift, Shift

SHIFT = """\
shift_name: {name}
punch_times: 1
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


@dataclass
class Workspace:
    """A repository folder with ``shifts/``, a tenant database, and the CLI."""

    root: Path
    capsys: pytest.CaptureFixture[str]

    @property
    def db(self) -> Path:
        return self.root / "tenant.sqlite3"

    def write(self, name: str, on: str = "09:00", file: str | None = None) -> Path:
        path = self.root / "shifts" / (file or f"{name}.yaml")
        path.parent.mkdir(exist_ok=True)
        text = SHIFT.format(name=json.dumps(name, ensure_ascii=False), on=on)
        path.write_text(text, encoding="utf-8")
        return path

    def remove(self, name: str) -> None:
        (self.root / "shifts" / f"{name}.yaml").unlink()

    def config(self, text: str) -> None:
        (self.root / "shiftctl.yaml").write_text(text, encoding="utf-8")

    def run(self, *args: str, emulator: bool = True) -> tuple[int, str, str]:
        self.capsys.readouterr()
        prefix = ["--emulator", str(self.db)] if emulator else []
        code = main([*prefix, "--no-color", *args])
        out, err = self.capsys.readouterr()
        return code, out, err

    def remote(self) -> dict[str, CurrentShift]:
        with embedded_client(str(self.db)) as client:
            shifts = list(client.list_shifts())
        names = [s.name for s in shifts]
        assert len(names) == len(set(names)), f"duplicate shifts: {names}"
        return {s.name: s for s in shifts}

    def seed(self, document: dict[str, Any]) -> None:
        app = create_app(str(self.db), seed=document)
        app.close()


@pytest.fixture
def ws(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Workspace:
    for name in ("FEISHU_APP_ID", "FEISHU_APP_SECRET", "FEISHU_ENDPOINT", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return Workspace(tmp_path, capsys)


def converge(ws: Workspace, *names: str) -> dict[str, CurrentShift]:
    for name in names:
        ws.write(name)
    code, out, err = ws.run("apply", "--auto-approve")
    assert code == 0, out + err
    return ws.remote()


def test_plan_apply_plan_converges(ws: Workspace) -> None:
    for name in ("Day", "Night", "早班"):
        ws.write(name)
    code, out, _ = ws.run("plan", "--detailed-exitcode")
    assert code == 2
    assert "Plan: 3 to create, 0 to update, 0 to delete, 0 unchanged, 0 unmanaged." in out
    code, out, _ = ws.run("apply", "--auto-approve")
    assert code == 0
    assert "Apply: 3 applied, 0 failed, 0 skipped." in out
    assert sorted(ws.remote()) == ["Day", "Night", "早班"]
    code, out, _ = ws.run("plan", "--detailed-exitcode")
    assert (code, out.splitlines()[0]) == (0, "No changes. The tenant matches the shift files.")


def test_update_is_in_place_and_shows_the_field(ws: Workspace) -> None:
    before = converge(ws, "Day")["Day"]
    ws.write("Day", on="09:30")
    code, out, _ = ws.run("plan")
    assert code == 0
    assert f"~ update 'Day' (id {before.shift_id})" in out
    assert "punch_time_rule[0].on_time: 09:00 → 09:30" in out
    assert ws.run("apply", "--auto-approve")[0] == 0
    after = ws.remote()["Day"]
    assert after.shift_id == before.shift_id
    assert after.shift.punch_time_rule[0].on_time == "09:30"


def test_plan_formats_json_and_markdown(ws: Workspace) -> None:
    converge(ws, "Day")
    ws.write("Day", on="10:00")
    ws.write("Late")
    code, out, _ = ws.run("plan", "--format", "json")
    doc = json.loads(out)
    assert code == 0
    assert doc["summary"] == {"create": 1, "update": 1, "delete": 0, "unchanged": 0, "unmanaged": 0}
    assert doc["changes"][1]["diff"] == [
        {"path": "punch_time_rule[0].on_time", "before": "09:00", "after": "10:00"}
    ]
    code, out, _ = ws.run("plan", "--format", "markdown")
    assert out.startswith("<!-- shiftctl-plan -->")
    assert "<details>" in out


def test_a_saved_plan_applies_exactly(ws: Workspace) -> None:
    converge(ws, "Day")
    ws.write("Day", on="08:00")
    assert ws.run("plan", "--out", "plan.json")[0] == 0
    assert ws.run("plan", "--out", "again.json")[0] == 0
    # The same state gives the same checksum: CI compares the reviewed plan by it.
    assert Path("plan.json").read_bytes() == Path("again.json").read_bytes()
    code, out, _ = ws.run("show", "plan.json")
    assert "punch_time_rule[0].on_time: 09:00 → 08:00" in out
    code, out, err = ws.run("apply", "plan.json")
    assert code == 0, out + err
    assert ws.remote()["Day"].shift.punch_time_rule[0].on_time == "08:00"


def test_a_saved_plan_sends_what_feishu_never_reads_back(ws: Workspace) -> None:
    path = ws.write("Day")
    path.write_text(path.read_text() + "sub_shift_leader_ids: [ou_1]\n", encoding="utf-8")
    assert ws.run("plan", "--out", "plan.json")[0] == 0
    code, out, err = ws.run("apply", "plan.json")
    assert code == 0, out + err
    with sqlite3.connect(ws.db) as db:
        (body,) = db.execute("SELECT body FROM shifts WHERE shift_name = 'Day'").fetchone()
    assert json.loads(body)["sub_shift_leader_ids"] == ["ou_1"]


def test_a_saved_plan_runs_as_reviewed_when_only_unmanaged_shifts_changed(ws: Workspace) -> None:
    ws.config('exclude: ["tmp-*"]\n')
    converge(ws, "Day")
    ws.write("Day", on="08:00")
    assert ws.run("plan", "--out", "plan.json")[0] == 0
    with embedded_client(str(ws.db)) as c:  # outside the scope: not in the plan's snapshot
        c.create_shift(
            Shift.from_mapping({**ws.remote()["Day"].shift.comparable(), "shift_name": "tmp-x"})
        )
    code, now, _ = ws.run("plan")
    assert "1 unmanaged" in now
    code, out, err = ws.run("apply", "plan.json")
    assert code == 0, out + err
    # The plan shown and run is the reviewed one, with its counts, not one computed now.
    assert "Plan: 0 to create, 1 to update, 0 to delete, 0 unchanged, 0 unmanaged." in out
    assert ws.remote()["Day"].shift.punch_time_rule[0].on_time == "08:00"


def test_a_stale_plan_is_refused_and_nothing_changes(ws: Workspace) -> None:
    converge(ws, "Day", "Night")
    ws.write("Day", on="08:00")
    assert ws.run("plan", "--out", "plan.json")[0] == 0
    # Someone changes the tenant between review and apply.
    with embedded_client(str(ws.db)) as c:
        night = c.query_shift("Night")
        assert night is not None
        changed = night.shift.__class__.from_mapping({**night.shift.comparable(), "day_type": 2})
        c.update_shift(night.shift_id, changed)
    tenant = ws.remote()
    code, _out, err = ws.run("apply", "plan.json")
    assert code == 4
    assert "stale" in err
    assert "newly planned: update 'Night'" in err
    assert "the managed remote shifts changed" in err
    assert ws.remote() == tenant


def test_a_plan_made_before_the_files_changed_is_stale(ws: Workspace) -> None:
    converge(ws, "Day")
    ws.write("Day", on="08:00")
    assert ws.run("plan", "--out", "plan.json")[0] == 0
    ws.write("Day", on="07:00")
    code, _, err = ws.run("apply", "plan.json")
    assert code == 4
    assert "changed: update 'Day'" in err
    assert ws.remote()["Day"].shift.punch_time_rule[0].on_time == "09:00"


def test_guards_block_mass_deletes_until_overridden(ws: Workspace) -> None:
    converge(ws, "A", "B", "C", "D", "E")
    for name in ("A", "B", "C"):
        ws.remove(name)
    code, out, err = ws.run("plan")
    assert code == 3
    assert "Guard max_delete_percent BLOCKED: 3 of 5 managed shifts (60%)" in out
    assert "blocked by a safety guard" in err
    assert ws.run("apply", "--auto-approve")[0] == 3
    assert sorted(ws.remote()) == ["A", "B", "C", "D", "E"]
    # Named deletes do not count: 2 unnamed of 5 is still over 25 %, 1 of 5 is not.
    assert ws.run("plan", "--allow-delete", "A")[0] == 3
    code, out, _ = ws.run("plan", "--allow-delete", "A", "--allow-delete", "B", "--out", "p.json")
    assert code == 0
    assert json.loads(Path("p.json").read_text())["overrides"]["allow_delete"] == ["A", "B"]
    code, out, err = ws.run("apply", "p.json")
    assert code == 0, out + err
    assert sorted(ws.remote()) == ["D", "E"]


def test_force_never_deletes_a_protected_shift(ws: Workspace) -> None:
    ws.config("protected: ['Core*']\n")
    converge(ws, "Core-day", "Other")
    ws.remove("Core-day")
    code, _out, err = ws.run("apply", "--auto-approve", "--force")
    assert code == 3
    assert "'Core-day' is protected" in err
    assert "Core-day" in ws.remote()
    assert ws.run("apply", "--auto-approve", "--allow-delete", "Core-day")[0] == 0
    assert sorted(ws.remote()) == ["Other"]


def test_partial_failure_reports_each_operation_and_a_rerun_converges(ws: Workspace) -> None:
    ws.config("guards: {max_delete_percent: 100}\n")
    tenant = converge(ws, "Keep", "InUse", "Unused")
    ws.seed({"groups": [{"id": "g1", "name": "HQ", "shifts": {"monday": "InUse"}}]})
    ws.remove("InUse")
    ws.remove("Unused")
    ws.write("Keep", on="08:30")
    ws.write("Fresh")
    # One at a time, so the failed delete ("InUse") surely comes before "Unused"; without
    # reading the groups nothing stops the in-use delete before Feishu refuses it.
    apply = ("apply", "--auto-approve", "--concurrency", "1", "--no-usage")
    code, out, err = ws.run(*apply, "--report", "report.json")
    assert code == 5
    assert f"and run shiftctl --emulator={ws.db} apply --auto-approve to converge" in err
    report = json.loads(Path("report.json").read_text(encoding="utf-8"))
    by_name = {op["shift_name"]: op for op in report["operations"]}
    assert report["summary"] == {"applied": 2, "failed": 1, "skipped": 1}
    assert by_name["InUse"]["status"] == "failed"
    assert by_name["InUse"]["code"] == 1220600
    assert by_name["InUse"]["msg"]
    assert [by_name[n]["status"] for n in ("Fresh", "Keep")] == ["applied"] * 2
    # No delete starts once something has failed.
    assert (by_name["Unused"]["status"], by_name["Unused"]["reason"]) == (
        "skipped",
        SKIPPED_AFTER_FAILURE,
    )
    in_use = f"failed   - delete 'InUse' (id {tenant['InUse'].shift_id}): code 1220600: "
    assert in_use + "shift can not be del" in out
    # The group stops using the shift; the same command now converges.
    ws.seed({"groups": [{"id": "g1", "name": "HQ", "shifts": {"monday": None}}]})
    code, out, err = ws.run(*apply)
    assert code == 0, out + err
    assert "Plan: 0 to create, 0 to update, 2 to delete" in out
    assert sorted(ws.remote()) == ["Fresh", "Keep"]
    assert ws.run("plan", "--detailed-exitcode")[0] == 0


def test_import_writes_files_that_plan_finds_unchanged(ws: Workspace) -> None:
    converge(ws, "Day", "夜班")
    ws.write("Odd / name: x", file="odd.yaml")
    assert ws.run("apply", "--auto-approve")[0] == 0
    code, out, _ = ws.run("import", "--out", "imported")
    assert code == 0
    written = sorted(p.name for p in Path("imported").iterdir())
    assert written == ["Day.yaml", "Odd-name-x.yaml", "夜班.yaml"]
    ws.config("shifts: imported\n")
    code, out, _ = ws.run("plan", "--detailed-exitcode")
    assert code == 0, out
    assert "3 unchanged" in out
    # Again: every shift is already defined there, so nothing is written twice.
    code, out, _ = ws.run("import", "--out", "imported")
    assert "Import: 0 written to imported, 3 skipped." in out


def test_import_by_name_glob(ws: Workspace) -> None:
    converge(ws, "HQ-day", "HQ-night", "Store")
    code, _out, _ = ws.run("import", "--name", "HQ-*", "--out", "hq")
    assert code == 0
    assert sorted(p.name for p in Path("hq").iterdir()) == ["HQ-day.yaml", "HQ-night.yaml"]


def test_embedded_default_database_on_a_fresh_directory(ws: Workspace) -> None:
    # The README's fresh-machine run: the repository's config and shifts, no tenant.
    root = Path(__file__).resolve().parents[2]
    ws.config((root / "shiftctl.yaml").read_text(encoding="utf-8"))
    (ws.root / "shifts").mkdir()
    for source in (root / "shifts").glob("*.yaml"):
        (ws.root / "shifts" / source.name).write_text(source.read_text("utf-8"), "utf-8")
    assert main(["--emulator", "--no-color", "plan", "--detailed-exitcode"]) == 2
    assert Path(".shiftctl/emulator.sqlite3").is_file()
    assert main(["--emulator", "--no-color", "apply", "--auto-approve"]) == 0
    assert main(["--emulator", "--no-color", "plan", "--detailed-exitcode"]) == 0


def test_emulator_flag_directly_before_the_command(ws: Workspace) -> None:
    ws.write("Day")
    assert main(["--emulator", "plan"]) == 0
    assert Path(".shiftctl/emulator.sqlite3").is_file()


@pytest.fixture
def served(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    app = create_app(str(ws.db))
    with serving(app) as url:
        monkeypatch.setenv("FEISHU_APP_ID", DEFAULT_APP_ID)
        monkeypatch.setenv("FEISHU_APP_SECRET", DEFAULT_APP_SECRET)
        yield url
    app.close()


def test_apply_converges_under_faults_without_duplicates(ws: Workspace, served: str) -> None:
    names = [f"S{i:02d}" for i in range(12)]
    for name in names:
        ws.write(name)
    faults = {"error_rate": 0.2, "lost_rate": 0.2}
    httpx.put(f"{served}/_emulator/faults", json={"endpoints": {"shift.create": faults}})
    code, out, err = ws.run("--endpoint", served, "apply", "--auto-approve", emulator=False)
    assert code == 0, out + err
    assert sorted(ws.remote()) == names  # remote() also asserts no duplicate name
    stats = httpx.get(f"{served}/_emulator/stats").json()["data"]["endpoints"]["shift.create"]
    assert stats["faults_injected"] + stats["lost"] > 0  # the faults really happened
    code, _, _ = ws.run("--endpoint", served, "plan", "--detailed-exitcode", emulator=False)
    assert code == 0


def test_wrong_credentials_fail_before_any_change_and_stay_secret(
    ws: Workspace, served: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws.write("Day")
    monkeypatch.setenv("FEISHU_APP_SECRET", "not-the-secret-x9")
    code, out, err = ws.run("--endpoint", served, "-vv", "apply", "--auto-approve", emulator=False)
    assert code == 1
    assert "10014" in err
    assert "not-the-secret-x9" not in out + err
    assert ws.remote() == {}


def test_verbose_output_never_shows_the_secret_or_token(ws: Workspace, served: str) -> None:
    ws.write("Day")
    remote = ("--endpoint", served, "-vv")
    code, out, err = ws.run(*remote, "plan", "--out", "plan.json", emulator=False)
    assert code == 0, out + err
    code, more, worse = ws.run(*remote, "apply", "plan.json", "--report", "r.json", emulator=False)
    assert code == 0, more + worse
    files = Path("plan.json").read_text("utf-8") + Path("r.json").read_text("utf-8")
    seen = out + err + more + worse + files
    assert "DEBUG" in err  # -vv really logged the requests
    assert DEFAULT_APP_SECRET not in seen
    assert not [word for word in seen.split() if word.strip("\"'").startswith("t-")]


RICH = """\
shift_name: Everything
punch_times: 2
punch_time_rule:
  - {on_time: "8:00", off_time: "12:00", late_minutes_as_late: 5, late_minutes_as_lack: 60,
     on_advance_minutes: 60, early_minutes_as_early: 5, early_minutes_as_lack: 60,
     off_delay_minutes: 60, late_minutes_as_serious_late: 30}
  - {on_time: "13:00", off_time: "26:00", late_minutes_as_late: 5, late_minutes_as_lack: 60,
     on_advance_minutes: 30, early_minutes_as_early: 5, early_minutes_as_lack: 60,
     off_delay_minutes: 120, no_need_on: true, no_need_off: true}
is_flexible: true
flexible_minutes: 10
flexible_rule: [{flexible_early_minutes: 15, flexible_late_minutes: 30}]
rest_time_rule: [{rest_begin_time: "10:00", rest_end_time: "10:15"}]
rest_time_flexible_configs: [{need_flexible: true, late_mins: 20}]
overtime_rule: [{on_overtime: "26:30", off_overtime: "28:00"}]
overtime_rest_time_rule: [{rest_begin_time: "27:00", rest_end_time: "27:15"}]
late_off_late_on_rule: [{late_off_minutes: 60, late_on_minutes: 30}]
late_off_late_on_setting: {late_off_base_on_time_type: 1, late_on_base_on_time_type: 1}
late_minutes_as_serious_late: 40
shift_middle_time_rule: {middle_time_type: 3, fixed_middle_time: "12:15"}
shift_attendance_time_config:
  {attendance_time: 1.5, on_attendance_time: 0.5, off_attendance_time: 1}
"""


def apply_import_and_plan_again(ws: Workspace) -> str:
    """Apply the files, import the tenant into a new folder, plan from it: no change."""
    code, out, err = ws.run("apply", "--auto-approve")
    assert code == 0, out + err
    assert ws.run("import", "--out", "imported")[0] == 0
    # Imported files are already in the canonical form fmt writes.
    assert ws.run("fmt", "--check", "imported", emulator=False)[0] == 0
    ws.config("shifts: imported\n")
    code, out, err = ws.run("plan", "--detailed-exitcode")
    assert code == 0, out + err
    return out


def test_every_field_survives_apply_import_and_plan(ws: Workspace) -> None:
    (ws.root / "shifts").mkdir()
    (ws.root / "shifts" / "everything.yaml").write_text(RICH, encoding="utf-8")
    assert "1 unchanged" in apply_import_and_plan_again(ws)


def test_the_repository_shifts_converge_and_import_back(ws: Workspace) -> None:
    repository = Path(__file__).resolve().parents[2] / "shifts"
    (ws.root / "shifts").mkdir()
    for source in repository.glob("*.yaml"):
        (ws.root / "shifts" / source.name).write_text(source.read_text("utf-8"), "utf-8")
    out = apply_import_and_plan_again(ws)
    assert f"{len(ws.remote())} unchanged" in out


def test_an_empty_shifts_folder_is_an_empty_desired_set_behind_a_guard(ws: Workspace) -> None:
    converge(ws, "A", "B")
    ws.remove("A")
    ws.remove("B")
    code, out, err = ws.run("plan")
    assert code == 3
    assert "Guard empty_desired BLOCKED" in out
    assert "no shift is defined but 2 managed remote shifts exist" in err
    code, out, err = ws.run("apply", "--auto-approve", "--force")
    assert code == 0, out + err
    assert ws.remote() == {}
    code, out, _ = ws.run("plan", "--detailed-exitcode")
    assert code == 0
    assert "Plan: 0 to create, 0 to update, 0 to delete, 0 unchanged, 0 unmanaged." in out


def test_a_missing_shifts_folder_is_an_error_not_an_empty_set(ws: Workspace) -> None:
    converge(ws, "A")
    ws.config("shifts: no-such-folder\n")
    code, _, err = ws.run("apply", "--auto-approve", "--force")
    assert code == 1
    assert "no-such-folder: no such file or directory" in err
    assert sorted(ws.remote()) == ["A"]


def test_import_lists_the_problems_of_a_shift_the_tenant_allowed(ws: Workspace) -> None:
    day = converge(ws, "Day")["Day"].shift
    # Feishu treats punch_times as legacy and takes it as given; the files do not.
    odd = Shift.from_mapping({**day.comparable(), "shift_name": "Odd", "punch_times": 2})
    with embedded_client(str(ws.db)) as c:
        c.create_shift(odd)
    code, out, err = ws.run("import", "--out", "imported")
    assert code == 0
    assert "Import: 2 written to imported, 0 skipped." in out
    assert "imported/Odd.yaml:3:14: warning: punch_times: is 2 but punch_time_rule has 1 seg" in err
    assert "1 imported file has warnings (they do not block plan)" in err
    # A warning never blocks: the plan over the imported files converges at once.
    ws.config("shifts: imported\n")
    code, out, _ = ws.run("plan", "--detailed-exitcode")
    assert code == 0, out
    assert "Warnings in the shift files" in out
    # Strict mode (the configuration's strict: true) refuses it, and import says so.
    ws.config("shifts: imported\nstrict: true\n")
    assert ws.run("plan")[0] == 1
    (ws.root / "imported" / "Odd.yaml").unlink()
    code, _, err = ws.run("import", "--out", "imported")
    assert code == 1
    assert "shiftctl: 1 imported file does not validate: imported/Odd.yaml;" in err


def test_import_defaults_to_the_configured_folder_named_as_the_repository_does(
    ws: Workspace,
) -> None:
    converge(ws, "Day")
    ws.config("shifts: defs\n")
    code, out, _ = ws.run("import")
    assert code == 0
    assert "wrote   defs/Day.yaml ('Day', id " in out
    assert "Import: 1 written to defs, 0 skipped." in out
    assert ws.run("plan", "--detailed-exitcode")[0] == 0
