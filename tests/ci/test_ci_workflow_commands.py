"""Every shiftctl call in the workflows names commands and options the real CLI has."""

from __future__ import annotations

import click
import pytest
from ci_support import run_steps
from cli_invocations import Parsed, check_invocation, parse_invocation, shiftctl_invocations

from reconciler.cli import cli
from reconciler.cli._state import DEFAULT_EMULATOR_DB

CALLS = [
    (f"{step.where}:{' '.join(args[:3])}", args)
    for step in run_steps()
    for args in shiftctl_invocations(step.script)
]


def test_the_workflows_call_every_pull_request_command() -> None:
    called = {parse_invocation(cli, args).path[1:2] for _, args in CALLS}
    assert {("validate",), ("fmt",), ("schema",), ("plan",), ("apply",)} <= called


@pytest.mark.parametrize("args", [args for _, args in CALLS], ids=[where for where, _ in CALLS])
def test_workflow_invocation_exists_in_the_cli(args: tuple[str, ...]) -> None:
    assert check_invocation(cli, args) == []


@pytest.mark.parametrize(
    ("args", "database", "command"),
    [
        (("--emulator", "plan"), DEFAULT_EMULATOR_DB, "plan"),
        (("--emulator", "db.sqlite3", "apply", "--auto-approve"), "db.sqlite3", "apply"),
    ],
)
def test_checker_reads_an_optional_value_as_the_real_parser_does(
    args: tuple[str, ...], database: str, command: str
) -> None:
    assert cli.make_context("shiftctl", list(args)).params["emulator_db"] == database
    assert parse_invocation(cli, args) == Parsed(("shiftctl", command), ())


# The checker itself, on a small real click tree, so a green run above means something.


@click.group()
@click.option("--no-color", is_flag=True)
@click.option("-v", "--verbose", count=True)
@click.option("--emulator", is_flag=False, flag_value="default.db", default=None)
def _root(no_color: bool, verbose: int, emulator: str | None) -> None:
    """A root group like shiftctl's."""


@_root.command("plan")
@click.option("--out")
@click.option("--format", type=click.Choice(["text", "markdown"]))
@click.option("--detailed-exitcode", is_flag=True)
def _plan(out: str | None, format: str | None, detailed_exitcode: bool) -> None:
    """A command with options only."""


@_root.command("show")
@click.argument("plan_file")
def _show(plan_file: str) -> None:
    """A command with one argument."""


@_root.command("validate")
@click.argument("paths", nargs=-1)
def _validate(paths: tuple[str, ...]) -> None:
    """A command with any number of arguments."""


@pytest.mark.parametrize(
    "args",
    [
        ("plan", "--out", "plan.json", "--format", "markdown", "--detailed-exitcode"),
        ("--no-color", "-vv", "plan", "--out=plan.json"),
        ("--emulator", "--no-color", "plan"),
        ("--emulator", "plan"),
        ("--emulator", "state.db", "show", "plan.json"),
        ("validate", "a.yaml", "b.yaml", "--help"),
        ("--help",),
    ],
)
def test_checker_accepts_what_shiftctl_accepts(args: tuple[str, ...]) -> None:
    assert check_invocation(_root, args) == []


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (("deploy",), "shiftctl: no command 'deploy'"),
        (("plan", "--detailed-exit-code"), "shiftctl plan: no option --detailed-exit-code"),
        (("plan", "--out"), "shiftctl plan: option --out needs a value"),
        (("plan", "extra"), "shiftctl plan: takes at most 0 argument(s), got ['extra']"),
        (("show",), "shiftctl show: needs 1 argument(s), got []"),
        (("--out", "x", "plan"), "shiftctl: no option --out"),
        ((), "shiftctl: a subcommand is required"),
    ],
)
def test_checker_reports_what_shiftctl_refuses(args: tuple[str, ...], problem: str) -> None:
    assert problem in check_invocation(_root, args)


def test_shell_parsing_finds_calls_in_command_position_only() -> None:
    script = """
# shiftctl in a comment is no call
set +e
FOO=1 shiftctl --no-color plan --out plan.json --format markdown > plan.md 2>&1
code=$?
python -m pip install shiftctl
echo "shiftctl plan exited $code"
if [ -f plan.json ]; then shiftctl show plan.json | tee out.txt; fi
"$RUNNER_TEMP/venv/bin/shiftctl" validate \\
  ${{ github.workspace }}/shifts
summary=$(shiftctl show plan.json --format json)
"""
    assert shiftctl_invocations(script) == [
        ("--no-color", "plan", "--out", "plan.json", "--format", "markdown"),
        ("show", "plan.json"),
        ("validate", "EXPR/shifts"),
        ("show", "plan.json", "--format", "json"),
    ]
