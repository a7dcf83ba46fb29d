"""validate, fmt and schema: the commands that need no tenant, no credentials, no network."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import click

from reconciler.cli._state import GlobalOptions, settings_of
from reconciler.config import Settings, load_settings, shown
from reconciler.definitions import check, collect_files, schema_path
from reconciler.errors import EXIT_ERROR, Problem, blocking
from reconciler.safetext import escape, escape_json, workflow_data, workflow_property

JSON_FORMAT_VERSION = 1

_paths_argument = click.argument(
    "paths", nargs=-1, type=click.Path(path_type=Path), metavar="[PATH]..."
)


@click.command("validate")
@_paths_argument
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="github prints workflow annotations; json a stable document.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Warnings count as errors (also strict: true in shiftctl.yaml).",
)
@click.pass_context
def validate_command(
    ctx: click.Context, paths: tuple[Path, ...], output_format: str, strict: bool
) -> None:
    """Check shift files against the schema and the semantic rules.

    PATH is a file or a folder searched for *.yaml and *.yml (default: the
    shifts folder of shiftctl.yaml, else shifts/).
    Every problem of every file is reported. Errors (what Feishu refuses) exit 1;
    warnings (suspicious values Feishu accepts) do not, unless --strict.
    """
    settings = _settings(ctx)
    strict = strict or settings.strict
    targets = paths or (shown(settings.shifts_dir),)
    files, _ = collect_files(targets)
    state, found = check(targets)
    problems = sorted(blocking(found, strict=True)) if strict else found
    names = [desired.shift.shift_name for desired in state.shifts]
    valid = not any(not p.is_warning for p in problems)
    if output_format == "json":
        report = json.dumps(
            _json_report(len(files), names, problems, valid=valid), ensure_ascii=False
        )
        click.echo(escape_json(report))
    elif output_format == "github":
        for problem in problems:
            click.echo(github_annotation(problem))
    else:
        color = _use_color(ctx)
        for problem in problems:
            click.echo(render_problem(problem, color=color))
        click.echo(_summary(len(files), len(names), problems), err=bool(problems))
    if not valid:
        ctx.exit(EXIT_ERROR)


def render_problem(problem: Problem, *, color: bool) -> str:
    """``path:line:col: [warning:] field: message``; on a terminal the place stands out."""
    if not color:
        return str(problem)
    field = f" {click.style(escape(problem.field), fg='yellow')}:" if problem.field else ""
    kind = f" {click.style('warning', fg='magenta')}:" if problem.is_warning else ""
    return (
        f"{click.style(str(problem.location), bold=True)}:{kind}{field} {escape(problem.message)}"
    )


def _use_color(ctx: click.Context) -> bool:
    options = ctx.find_object(GlobalOptions)
    return options.console.color if options else False


def _settings(ctx: click.Context) -> Settings:
    # The same discovery as every command (--config, SHIFTCTL_CONFIG, the nearest file).
    options = ctx.find_object(GlobalOptions)
    return settings_of(options) if options else load_settings()


def default_shifts_dir(ctx: click.Context) -> Path:
    """The configured shifts folder (``shifts:`` in shiftctl.yaml, else ``shifts/``)."""
    return shown(_settings(ctx).shifts_dir)


def _summary(files: int, shifts: int, problems: Sequence[Problem]) -> str:
    if not problems:
        return f"{_plural(shifts, 'shift')} in {_plural(files, 'file')}: no problems"
    broken = len({problem.location.path for problem in problems})
    checked = f"{_plural(files, 'file')} checked, {_plural(shifts, 'valid shift')}"
    warnings = sum(1 for p in problems if p.is_warning)
    errors = len(problems) - warnings
    counts = ", ".join(
        text
        for count, text in (
            (errors, _plural(errors, "error")),
            (warnings, _plural(warnings, "warning")),
        )
        if count
    )
    return f"{counts} in {_plural(broken, 'file')} ({checked})"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _json_report(
    files: int, names: list[str], problems: Sequence[Problem], *, valid: bool
) -> dict[str, object]:
    return {
        "format_version": JSON_FORMAT_VERSION,
        "valid": valid,
        "files": files,
        "shifts": names,
        "problems": [
            {
                "path": p.location.path,
                "line": p.location.line,
                "column": p.location.column,
                "field": p.field,
                "message": p.message,
                "severity": p.severity,
            }
            for p in problems
        ],
    }


def github_annotation(problem: Problem) -> str:
    """A GitHub Actions ``::error`` (or ``::warning``) workflow command for one problem."""
    where = problem.location
    properties = [f"file={workflow_property(where.path)}"]
    if where.line:
        properties += [f"line={where.line}", f"col={where.column}"]
    properties.append(f"title={workflow_property(problem.field or 'shift file')}")
    return f"::{problem.severity} {','.join(properties)}::{workflow_data(problem.message)}"


@click.command("fmt")
@_paths_argument
@click.option(
    "--check", "check_only", is_flag=True, help="Write nothing; exit 1 if a file would change."
)
@click.pass_context
def fmt_command(ctx: click.Context, paths: tuple[Path, ...], check_only: bool) -> None:
    """Rewrite shift files into canonical form.

    PATH as for validate. Times become HH:MM, keys follow the schema's order,
    defaults are left out, comments are kept. A file with problems is never
    rewritten: its problems are listed instead. A file that uses YAML anchors,
    aliases or merge keys is left as written (and passes --check): the canonical
    form would repeat every shared value.
    """
    from reconciler.definitions import format_files  # validate never loads the formatter

    targets = paths or (default_shifts_dir(ctx),)
    results, problems = format_files(targets, write=not check_only)
    problems = sorted([*problems, *(p for result in results for p in result.problems)])
    changed = [result.path for result in results if result.changed]
    for path in changed:
        click.echo(f"{'would reformat' if check_only else 'reformatted'} {escape(str(path))}")
    left = [result for result in results if result.left_alone]
    for result in left:
        click.echo(f"left alone {escape(str(result.path))}: {result.left_alone}", err=True)
    color = _use_color(ctx)
    for problem in problems:
        click.echo(render_problem(problem, color=color))
    broken = sum(1 for result in results if result.problems)
    summary = _fmt_summary(len(results) - len(left), len(changed), broken, check_only)
    if left:
        summary += f", {_plural(len(left), 'file')} left alone (YAML anchors)"
    click.echo(summary, err=True)
    if problems or (check_only and changed):
        ctx.exit(EXIT_ERROR)


def _fmt_summary(total: int, changed: int, broken: int, check_only: bool) -> str:
    verb = "would be reformatted" if check_only else "reformatted"
    parts = [f"{_plural(changed, 'file')} {verb}"]
    parts.append(f"{_plural(total - changed - broken, 'file')} already canonical")
    if broken:
        parts.append(f"{_plural(broken, 'file')} left alone because of problems")
    return ", ".join(parts)


@click.command("schema")
@click.argument(
    "kind",
    type=click.Choice(["shift", "config"]),
    default="shift",
    required=False,
    metavar="[KIND]",
)
def schema_command(kind: str) -> None:
    """Print the JSON Schema of a shift file, or of shiftctl.yaml.

    KIND is shift (the default) or config. Both ship inside the package; editors read
    them through a yaml-language-server $schema comment.
    """
    from reconciler.configfile import config_schema_path

    path = config_schema_path() if kind == "config" else schema_path()
    click.echo(path.read_text(encoding="utf-8"), nl=False)
