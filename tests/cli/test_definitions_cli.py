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
    assert "problems in 51 files" in result.stderr


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
    broken = UNQUOTED.replace("punch_times: 1", "punch_times: 2")
    (repo / "shifts" / "standard.yaml").write_text(broken, encoding="utf-8")
    result = run("fmt", "shifts")
    assert result.exit_code == 1
    assert result.stdout == (
        "shifts/standard.yaml:4:14: punch_times: is 2 but punch_time_rule has 1 segment; "
        "they must match\n"
    )
    assert "1 file left alone because of problems" in result.stderr
    assert (repo / "shifts" / "standard.yaml").read_text(encoding="utf-8") == broken


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
    assert run("fmt", "--check").stdout == "would reformat definitions/night.yaml\n"


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
