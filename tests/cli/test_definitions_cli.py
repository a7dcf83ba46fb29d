"""validate, fmt and schema through the real command line (click's runner and main())."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from reconciler.cli import cli, main
from reconciler.cli.definitions import render_problem
from reconciler.definitions import load_schema
from reconciler.errors import Problem, SourceLocation

ROOT = Path(__file__).parents[2]
SHIFTS = ROOT / "shifts"
BROKEN = ROOT / "tests" / "unit" / "definitions" / "broken"
SUSPICIOUS = ROOT / "tests" / "unit" / "definitions" / "suspicious"
UNQUOTED = (SHIFTS / "standard.yaml").read_text(encoding="utf-8").replace('"', "")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch repository with the example shifts and the schema, as the cwd."""
    shutil.copytree(SHIFTS, tmp_path / "shifts")
    (tmp_path / "schema").mkdir()
    shutil.copy(ROOT / "schema" / "shift.schema.json", tmp_path / "schema")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_validate_defaults_to_the_shifts_folder(repo: Path) -> None:
    result = run("validate")
    assert result.exit_code == 0
    assert result.stdout == "8 shifts in 7 files: no problems\n"


def test_validate_reports_every_problem_sorted_and_exits_1() -> None:
    result = run("validate", str(BROKEN))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines == sorted(
        lines, key=lambda line: (line.split(":")[0], *map(int, line.split(":")[1:3]))
    )
    assert (
        f"{BROKEN}/off-delay-over-960.yaml:12:24: punch_time_rule[0].off_delay_minutes: "
        "must be at most 960 (got 961)" in lines
    )
    expected = [
        line
        for line in (BROKEN / "EXPECTED.txt").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    # Every expected problem appears; the folder adds cross-file duplicate-name problems.
    for line in expected:
        want = f"{BROKEN}/{line}"
        if want.endswith(" …"):  # the rest is the YAML parser's wording, not ours
            assert any(got.startswith(want.removesuffix("…")) for got in lines), want
        else:
            assert want in lines
    assert f"errors in {len(list(BROKEN.glob('*.yaml')))} files" in result.stderr


def test_validate_json_is_a_stable_document() -> None:
    result = run("validate", "--format", "json", str(BROKEN / "day-type-3.yaml"), str(SHIFTS))
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report == {
        "format_version": 1,
        "valid": False,
        "files": 8,
        "shifts": [
            "两头班",
            "休息日值班",
            "夜班",
            "弹性班",
            "早班",
            "标准班",
            "门店早班",
            "门店晚班",
        ],
        "problems": [
            {
                "path": str(BROKEN / "day-type-3.yaml"),
                "line": 13,
                "column": 11,
                "field": "day_type",
                "message": "must be one of 1, 2 (got 3)",
                "severity": "error",
            }
        ],
    }


def test_validate_json_when_clean() -> None:
    report = json.loads(run("validate", "--format=json", str(SHIFTS)).stdout)
    assert report["valid"] is True
    assert report["problems"] == []


def test_validate_github_emits_escaped_annotations(tmp_path: Path) -> None:
    path = tmp_path / "a,b.yaml"
    path.write_text("shift_name: x\npunch_times: 1\npunch_time_rule: []\nday_type: 5\n")
    result = run("validate", "--format", "github", str(path))
    assert result.exit_code == 1
    escaped = str(path).replace(",", "%2C")
    assert result.stdout.splitlines() == [
        f"::error file={escaped},line=3,col=18,title=punch_time_rule::needs at least 1 entry",
        f"::error file={escaped},line=4,col=11,title=day_type::must be one of 1, 2 (got 5)",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not UTF-8 text (byte 0x89)"),
        (b"", "empty file: no shift defined"),
        (b"\x00\x01\x02", ":1:1: invalid YAML: "),
        (b"a: [1, 2\n", ":2:1: invalid YAML: "),
    ],
)
def test_hostile_files_never_cause_a_traceback(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(content)
    assert main(["validate", str(path)]) == 1
    result = run("validate", str(path))
    assert message in result.stdout
    assert "Traceback" not in result.output


def test_missing_paths_and_empty_folders_are_reported(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run("validate", str(tmp_path / "empty"), str(tmp_path / "nope.yaml"))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{tmp_path / 'empty'}: no shift files (*.yaml, *.yml) in this directory",
        f"{tmp_path / 'nope.yaml'}: no such file or directory",
    ]


def test_main_returns_exit_codes() -> None:
    assert main(["validate", str(SHIFTS)]) == 0
    assert main(["validate", str(BROKEN / "alias.yaml")]) == 1
    assert main(["validate", "--format", "xml"]) == 1  # a usage error, not a traceback


def test_fmt_check_passes_on_the_examples_and_writes_nothing(repo: Path) -> None:
    before = {p: p.read_bytes() for p in (repo / "shifts").iterdir()}
    result = run("fmt", "--check")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "7 files already canonical" in result.stderr
    assert before == {p: p.read_bytes() for p in (repo / "shifts").iterdir()}


def test_fmt_check_lists_files_that_would_change(repo: Path) -> None:
    (repo / "shifts" / "standard.yaml").write_text(UNQUOTED, encoding="utf-8")
    result = run("fmt", "--check", "shifts")
    assert result.exit_code == 1
    assert result.stdout == "would reformat shifts/standard.yaml\n"
    assert (repo / "shifts" / "standard.yaml").read_text(encoding="utf-8") == UNQUOTED


def test_fmt_rewrites_then_converges(repo: Path) -> None:
    (repo / "shifts" / "standard.yaml").write_text(UNQUOTED, encoding="utf-8")
    result = run("fmt")
    assert result.exit_code == 0
    assert result.stdout == "reformatted shifts/standard.yaml\n"
    assert (repo / "shifts" / "standard.yaml").read_bytes() == (
        SHIFTS / "standard.yaml"
    ).read_bytes()
    assert run("fmt", "--check").exit_code == 0


def test_fmt_refuses_invalid_files_and_reports_why(repo: Path) -> None:
    broken = UNQUOTED.replace("on_advance_minutes: 120", "on_advance_minutes: 800")
    (repo / "shifts" / "standard.yaml").write_text(broken, encoding="utf-8")
    result = run("fmt", "shifts")
    assert result.exit_code == 1
    assert result.stdout == (
        "shifts/standard.yaml:10:25: punch_time_rule[0].on_advance_minutes: "
        "must be at most 720 (got 800)\n"
    )
    assert "1 file left alone because of problems" in result.stderr
    assert (repo / "shifts" / "standard.yaml").read_text(encoding="utf-8") == broken


def test_fmt_formats_a_file_that_has_only_warnings(repo: Path) -> None:
    odd = UNQUOTED.replace("punch_times: 1", "punch_times: 2")
    (repo / "shifts" / "standard.yaml").write_text(odd, encoding="utf-8")
    result = run("fmt", "shifts")
    assert result.exit_code == 0
    assert result.stdout == "reformatted shifts/standard.yaml\n"
    assert "punch_times: 2" in (repo / "shifts" / "standard.yaml").read_text(encoding="utf-8")


def test_fmt_check_refuses_two_files_with_one_shift_name(repo: Path) -> None:
    twin = (repo / "shifts" / "standard.yaml").read_text(encoding="utf-8")
    (repo / "shifts" / "standard-copy.yaml").write_text(twin, encoding="utf-8")
    before = {p: p.read_bytes() for p in (repo / "shifts").iterdir()}
    for args in (("fmt", "--check"), ("fmt",)):
        result = run(*args)
        assert result.exit_code == 1, args
        assert result.stdout == (
            "shifts/standard.yaml:3:13: shift_name: duplicate shift_name '标准班', "
            "also defined at shifts/standard-copy.yaml:3:13\n"
        )
        assert "1 file left alone because of problems" in result.stderr
    assert before == {p: p.read_bytes() for p in (repo / "shifts").iterdir()}


def test_schema_prints_the_packaged_schema() -> None:
    result = run("schema")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == load_schema()


def test_validate_and_fmt_default_to_the_configured_folder(repo: Path) -> None:
    (repo / "shifts").rename(repo / "definitions")
    (repo / "shiftctl.yaml").write_text("shifts: definitions\n", encoding="utf-8")
    (repo / "definitions" / "night.yaml").write_text(UNQUOTED, encoding="utf-8")
    result = run("validate")
    assert result.exit_code == 1
    assert result.stdout.startswith("definitions/standard.yaml:3:13: shift_name: duplicate")
    assert "also defined at definitions/night.yaml:3:13" in result.stdout
    checked = run("fmt", "--check")
    assert checked.exit_code == 1
    assert checked.stdout.splitlines()[0] == "would reformat definitions/night.yaml"
    assert checked.stdout.splitlines()[1].startswith("definitions/standard.yaml:3:13: shift_name:")


def test_an_explicit_config_file_names_the_folder(repo: Path, tmp_path: Path) -> None:
    config = tmp_path / "elsewhere.yaml"
    config.write_text("shifts: shifts\n", encoding="utf-8")
    (repo / "shifts").rename(repo / "moved")
    assert run("validate").exit_code == 1  # shifts/ is gone
    (repo / "moved").rename(repo / "shifts")
    result = run("--config", str(config), "validate")
    assert result.exit_code == 0
    assert result.stdout == "8 shifts in 7 files: no problems\n"


def test_problems_are_plain_text_unless_on_a_terminal() -> None:
    problem = Problem(SourceLocation("shifts/a.yaml", 3, 14), "punch_times", "is 2")
    assert render_problem(problem, color=False) == "shifts/a.yaml:3:14: punch_times: is 2"
    styled = render_problem(problem, color=True)
    assert click.unstyle(styled) == "shifts/a.yaml:3:14: punch_times: is 2"
    assert styled != click.unstyle(styled)


def test_validate_warns_without_failing_and_strict_refuses(tmp_path: Path) -> None:
    path = SUSPICIOUS / "punch-times-mismatch.yaml"
    result = run("validate", str(path))
    assert result.exit_code == 0
    assert result.stdout == (
        f"{path}:3:14: warning: punch_times: is 2 but punch_time_rule has 1 segment; "
        "Feishu ignores punch_times (a legacy field) and uses the segments\n"
    )
    assert result.stderr == "1 warning in 1 file (1 file checked, 1 valid shift)\n"
    strict = run("validate", "--strict", str(path))
    assert strict.exit_code == 1
    assert strict.stdout.startswith(f"{path}:3:14: punch_times: is 2")
    assert strict.stderr == "1 error in 1 file (1 file checked, 1 valid shift)\n"


def test_strict_in_the_configuration_makes_warnings_errors(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(SUSPICIOUS / "late-more-than-lack.yaml", repo / "shifts")
    assert run("validate").exit_code == 0
    (repo / "shiftctl.yaml").write_text("strict: true\n", encoding="utf-8")
    result = run("validate")
    assert result.exit_code == 1
    assert "shifts/late-more-than-lack.yaml:7:27: punch_time_rule[0].late_minutes_as_late" in (
        result.stdout
    )
    (repo / "shiftctl.yaml").write_text("strict: yes please\n", encoding="utf-8")
    assert main(["validate"]) == 1  # a bad value is a configuration error


def test_validate_json_and_github_show_the_severity() -> None:
    paths = (str(SUSPICIOUS / "overlapping-breaks.yaml"), str(BROKEN / "day-type-3.yaml"))
    report = json.loads(run("validate", "--format", "json", *paths).stdout)
    assert report["valid"] is False
    assert [(p["field"], p["severity"]) for p in report["problems"]] == [
        ("day_type", "error"),
        ("rest_time_rule[1].rest_begin_time", "warning"),
    ]
    only_warnings = run("validate", "--format", "json", paths[0])
    assert only_warnings.exit_code == 0
    assert json.loads(only_warnings.stdout)["valid"] is True
    github = run("validate", "--format", "github", *paths).stdout.splitlines()
    assert github[0].startswith("::error file=")
    assert github[1].startswith("::warning file=")
    assert github[1].endswith("::break 12:30–13:30 overlaps break 12:00–13:00")
    strict = run("validate", "--strict", "--format", "github", paths[0]).stdout
    assert strict.startswith("::error file=")


def test_warnings_are_marked_on_a_terminal_too() -> None:
    problem = Problem(SourceLocation("a.yaml", 3, 14), "punch_times", "is 2", "warning")
    assert render_problem(problem, color=False) == "a.yaml:3:14: warning: punch_times: is 2"
    assert click.unstyle(render_problem(problem, color=True)) == str(problem)
