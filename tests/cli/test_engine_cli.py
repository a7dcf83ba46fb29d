"""plan/show/apply/import at the command line: flags, formats and errors that need no tenant."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import cli, main
from reconciler.cli.console import Console
from reconciler.commands import save_plan
from reconciler.emulator import create_app
from reconciler.errors import PartialApplyError
from reconciler.model import PunchTimeRule, Shift
from reconciler.plan import Create, Delete, Plan
from reconciler.render import MARKER

RULE = PunchTimeRule("09:00", "18:00", 5, 60, 120, 1, 60, 240)


@pytest.fixture
def saved_plan(tmp_path: Path) -> Path:
    plan = Plan(
        (Create(Shift("New", 1, (RULE,))), Delete("42", Shift("Old", 1, (RULE,)))),
        unchanged=3,
        unmanaged=1,
        snapshot="sha256:0",
    )
    path = tmp_path / "plan.json"
    save_plan(plan, path)
    return path


@pytest.fixture(autouse=True)
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("FEISHU_APP_ID", "FEISHU_APP_SECRET", "FEISHU_ENDPOINT", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_show_renders_a_saved_plan_as_text(saved_plan: Path) -> None:
    result = CliRunner().invoke(cli, ["show", str(saved_plan)])
    assert result.exit_code == 0, result.output
    assert "  + create 'New'" in result.output
    assert "  - delete 'Old' (id 42)" in result.output
    assert "Plan: 1 to create, 0 to update, 1 to delete, 3 unchanged, 1 unmanaged." in result.output
    assert "\x1b[" not in result.output  # not a terminal: no colour


def test_show_renders_markdown_and_json(saved_plan: Path) -> None:
    markdown = CliRunner().invoke(cli, ["show", str(saved_plan), "--format", "markdown"])
    assert markdown.output.startswith(MARKER)
    as_json = CliRunner().invoke(cli, ["show", str(saved_plan), "--format", "json"])
    doc = json.loads(as_json.output)
    assert doc["summary"]["delete"] == 1
    assert doc == json.loads(saved_plan.read_text(encoding="utf-8"))


def test_show_refuses_an_edited_plan(saved_plan: Path, capsys: pytest.CaptureFixture[str]) -> None:
    saved_plan.write_text(saved_plan.read_text().replace('"42"', '"43"'), encoding="utf-8")
    assert main(["show", str(saved_plan)]) == 1
    assert "checksum mismatch" in capsys.readouterr().err


def test_show_of_a_missing_file_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "nope.json"]) == 1
    assert "nope.json: cannot read the plan" in capsys.readouterr().err


def test_plan_without_credentials_names_what_to_set(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan"]) == 1
    err = capsys.readouterr().err
    assert "FEISHU_APP_ID and FEISHU_APP_SECRET not set" in err
    assert "--emulator" in err


def test_plan_with_a_bad_configuration_names_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "shiftctl.yaml").write_text("prune: maybe\n", encoding="utf-8")
    assert main(["--emulator", "db.sqlite3", "plan"]) == 1
    err = capsys.readouterr().err
    assert "shiftctl.yaml:1:8: prune: expected true or false, got text 'maybe'" in err
    assert "shiftctl: shiftctl.yaml: 1 problem in the configuration" in err


def test_apply_off_a_terminal_without_approval_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--emulator", "db.sqlite3", "apply"]) == 1
    assert "--auto-approve" in capsys.readouterr().err
    assert not (tmp_path / "db.sqlite3").exists()  # refused before touching anything


def test_apply_with_a_plan_file_takes_no_overrides(saved_plan: Path) -> None:
    result = CliRunner().invoke(cli, ["apply", str(saved_plan), "--force"])
    assert result.exit_code == 2
    assert "carries its own overrides" in result.output


def test_plan_rejects_an_unknown_format() -> None:
    result = CliRunner().invoke(cli, ["plan", "--format", "yaml"])
    assert result.exit_code == 2
    assert "--format" in result.output
    assert "'yaml'" in result.output


def write_shift(root: Path, name: str) -> None:
    (root / "shifts").mkdir(exist_ok=True)
    text = (
        f"shift_name: {name}\npunch_times: 1\npunch_time_rule:\n"
        '  - {on_time: "09:00", off_time: "18:00", late_minutes_as_late: 5,\n'
        "     late_minutes_as_lack: 60, on_advance_minutes: 120, early_minutes_as_early: 1,\n"
        "     early_minutes_as_lack: 60, off_delay_minutes: 240}\n"
    )
    (root / "shifts" / f"{name}.yaml").write_text(text, encoding="utf-8")


@pytest.mark.parametrize(("answer", "code", "created"), [("y\n", 0, True), ("n\n", 1, False)])
def test_apply_on_a_terminal_asks_first(
    tmp_path: Path, answer: str, code: int, created: bool
) -> None:
    write_shift(tmp_path, "Day")
    terminal = Console(interactive=True)
    result = CliRunner().invoke(cli, ["--emulator", "t.db", "apply"], input=answer, obj=terminal)
    assert result.exit_code == code, result.output
    assert "Apply these changes?" in result.output
    assert ("Apply: 1 applied" in result.output) is created
    plan = CliRunner().invoke(cli, ["--emulator", "t.db", "plan", "--detailed-exitcode"])
    assert plan.exit_code == (0 if created else 2)


def test_show_of_deeply_nested_json_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert main(["show", "deep.json"]) == 1
    assert "deep.json: not a JSON plan file: nested too deeply" in capsys.readouterr().err


def test_an_unwritable_plan_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_shift(tmp_path, "Day")
    (tmp_path / "taken").write_text("a file, not a folder", encoding="utf-8")
    assert main(["--emulator", "t.db", "plan", "--out", "taken/plan.json"]) == 1
    assert "taken/plan.json: cannot write:" in capsys.readouterr().err


def test_import_into_a_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_shift(tmp_path, "Day")
    assert main(["--emulator", "t.db", "apply", "--auto-approve"]) == 0
    (tmp_path / "taken").write_text("a file, not a folder", encoding="utf-8")
    assert main(["--emulator", "t.db", "import", "--out", "taken/sub"]) == 1
    assert "taken/sub: cannot write there:" in capsys.readouterr().err


@pytest.mark.parametrize("endpoint", ["not a url", "ftp://example.com", "https://", "http://[::1"])
def test_an_endpoint_that_is_not_an_http_url_fails_at_once(
    endpoint: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Without this check the client retried a URL it can never reach for minutes.
    monkeypatch.setenv("FEISHU_APP_ID", "cli_x")
    monkeypatch.setenv("FEISHU_APP_SECRET", "not-used-secret")
    monkeypatch.setenv("FEISHU_ENDPOINT", endpoint)
    assert main(["plan"]) == 1
    assert "is not an http(s) URL" in capsys.readouterr().err


@pytest.mark.parametrize("terminal", [True, False])
def test_apply_draws_a_bar_on_a_terminal_and_plain_lines_elsewhere(
    tmp_path: Path, terminal: bool
) -> None:
    write_shift(tmp_path, "Day")
    write_shift(tmp_path, "Night")
    apply = ["--emulator", "t.db", "apply", "--auto-approve"]
    result = CliRunner().invoke(cli, apply, obj=Console(progress=terminal))
    assert result.exit_code == 0, result.output
    assert ("Applying" in result.stderr) is terminal
    assert ("applied  + create 'Day'" in result.stdout) is not terminal
    assert "Apply: 2 applied, 0 failed, 0 skipped." in result.stdout


def test_on_a_terminal_failed_operations_are_still_named(tmp_path: Path) -> None:
    (tmp_path / "shiftctl.yaml").write_text("guards: {max_delete_percent: 100}\n", "utf-8")
    write_shift(tmp_path, "InUse")
    assert CliRunner().invoke(cli, ["--emulator", "t.db", "apply", "--auto-approve"]).exit_code == 0
    seed = {"groups": [{"id": "g1", "name": "HQ", "shifts": {"monday": "InUse"}}]}
    create_app(str(tmp_path / "t.db"), seed=seed).close()
    (tmp_path / "shifts" / "InUse.yaml").unlink()
    # Without reading the groups the plan cannot stop the delete: Feishu refuses it.
    apply = ["--emulator", "t.db", "apply", "--auto-approve", "--force", "--no-usage"]
    result = CliRunner().invoke(cli, apply, obj=Console(progress=True))
    assert isinstance(result.exception, PartialApplyError), result.output  # exit 5 in main
    assert "failed   - delete 'InUse'" in result.stdout
    assert "code 1220600: shift can not be del" in result.stdout


def test_no_color_turns_off_the_colour_of_a_console_handed_in(tmp_path: Path) -> None:
    write_shift(tmp_path, "Day")
    coloured = Console(color=True)
    result = CliRunner().invoke(cli, ["--emulator", "t.db", "plan"], obj=coloured, color=True)
    assert "\x1b[" in result.stdout
    plain = ["--emulator", "t.db", "plan", "--no-color"]
    result = CliRunner().invoke(cli, plain, obj=coloured, color=True)
    assert "\x1b[" not in result.stdout
    assert "+ create 'Day'" in result.stdout


def test_an_unwritable_report_is_refused_before_any_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_shift(tmp_path, "Day")
    (tmp_path / "taken").write_text("a file, not a folder", encoding="utf-8")
    code = main(["--emulator", "t.db", "apply", "--auto-approve", "--report", "taken/r.json"])
    assert code == 1
    assert "taken/r.json: cannot write:" in capsys.readouterr().err
    assert main(["--emulator", "t.db", "plan", "--detailed-exitcode"]) == 2  # nothing applied
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_plan_names_bad_files_relative_to_the_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "shifts").mkdir()
    (tmp_path / "shifts" / "bad.yaml").write_text("shift_name: x\n", encoding="utf-8")
    assert main(["--emulator", "t.db", "plan"]) == 1
    err = capsys.readouterr().err
    assert "\nshifts/bad.yaml:1:1: punch_time_rule: missing required field" in "\n" + err
    assert str(tmp_path) not in err


def test_apply_of_a_saved_plan_reports_its_calls_and_lists_the_tenant_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("A", "B"):
        write_shift(tmp_path, name)
    assert main(["--emulator", "t.db", "plan", "--out", "plan.json"]) == 0
    capsys.readouterr()
    assert main(["--emulator", "t.db", "apply", "plan.json", "--report", "r.json"]) == 0
    out = capsys.readouterr().out
    assert "Verified from the tenant's answers: every change took effect." in out
    # The token, one listing (the freshness check), two creates; no second listing.
    assert "API calls: 4 API calls (4 succeeded): " in out
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["verified"] is True
    assert report["unsettled"] == []
    assert report["calls"]["by_endpoint"] == {
        "auth.tenant_access_token": 1,
        "shift.create": 2,
        "shift.list": 1,
    }


def test_every_command_logs_its_calls_at_v(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_shift(tmp_path, "A")
    assert main(["--emulator", "t.db", "-v", "plan"]) == 0
    err = capsys.readouterr().err
    assert "INFO reconciler.feishu: 2 API calls (2 succeeded): " in err
