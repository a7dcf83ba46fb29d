"""plan, show, apply and import: the commands that converge the tenant on the files."""

from __future__ import annotations

import shlex
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from reconciler import commands
from reconciler.cli._state import DEFAULT_EMULATOR_DB, GlobalOptions, settings_of
from reconciler.config import shown
from reconciler.errors import EXIT_CHANGES, InputError, PartialApplyError, blocking
from reconciler.overrides import Overrides
from reconciler.safetext import escape

# The plan engine, apply and the renderers are imported inside the commands, after
# the client is connected: ``commands.make_plan`` starts listing before it needs them.
if TYPE_CHECKING:
    from reconciler.apply import ApplyReport, Outcome
    from reconciler.converge import Unsettled
    from reconciler.plan import Plan

FORMATS = click.Choice(["text", "markdown", "json", "html"])
_Command = TypeVar("_Command", bound=Callable[..., Any])


def _override_options(note: str = "") -> Callable[[_Command], _Command]:
    """``--allow-delete NAME`` and ``--force``, the same for plan and apply."""

    def decorate(command: _Command) -> _Command:
        force = click.option(
            "--force",
            is_flag=True,
            help="Override the count, percentage and empty-set guards, never protection or a "
            f"shift in use{note}.",
        )
        allow = click.option(
            "--allow-delete",
            multiple=True,
            metavar="NAME",
            help=f"Allow deleting this shift past every guard but in-use{note}.",
        )
        return allow(force(command))

    return decorate


_no_usage = click.option(
    "--no-usage",
    is_flag=True,
    help="Do not read the attendance groups: who uses each shift is then unknown, and "
    "deleting a shift in use is not stopped before Feishu refuses it.",
)


@click.command("plan")
@click.option("--out", type=click.Path(dir_okay=False), help="Save the plan (JSON) for apply.")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@click.option(
    "--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes (0 when none)."
)
@_override_options()
@_no_usage
@click.pass_obj
def plan_command(
    options: GlobalOptions,
    out: str | None,
    fmt: str,
    detailed_exitcode: bool,
    allow_delete: tuple[str, ...],
    force: bool,
    no_usage: bool,
) -> None:
    """Show what apply would change, and who uses each shift it updates or deletes."""
    settings = settings_of(options)
    overrides = Overrides.of(allow_delete, force=force)
    with commands.connect(settings) as client:
        plan = commands.make_plan(settings, client, overrides, usage=not no_usage)
    from reconciler.render import render

    click.echo(render(plan, fmt, color=options.console.color), nl=False)
    if out:
        commands.save_plan(plan, out)
        click.echo(
            f"Saved the plan to {out}; apply exactly it with: {again(options, 'apply', out)}",
            err=True,
        )
    plan.raise_if_blocked()
    if detailed_exitcode and plan.has_changes:
        raise click.exceptions.Exit(EXIT_CHANGES)


@click.command("show")
@click.argument("plan_file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@click.pass_obj
def show_command(options: GlobalOptions, plan_file: str, fmt: str) -> None:
    """Render a saved plan."""
    from reconciler.render import render

    plan = commands.read_plan(plan_file)
    click.echo(render(plan, fmt, color=options.console.color), nl=False)


@click.command("apply")
@click.argument("plan_file", required=False, type=click.Path(dir_okay=False))
@click.option("--auto-approve", is_flag=True, help="Plan and apply without asking.")
@click.option("--report", type=click.Path(dir_okay=False), help="Write a JSON report here.")
@click.option("--concurrency", type=click.IntRange(min=1), help="Operations in flight at once.")
@_override_options("; not with PLAN_FILE, which carries its own")
@_no_usage
@click.pass_obj
def apply_command(
    options: GlobalOptions,
    plan_file: str | None,
    auto_approve: bool,
    report: str | None,
    concurrency: int | None,
    allow_delete: tuple[str, ...],
    force: bool,
    no_usage: bool,
) -> None:
    """Apply a saved plan (refused when stale), or plan and apply after approval."""
    if plan_file and (allow_delete or force):
        raise click.UsageError(
            "a saved plan carries its own overrides; drop --allow-delete/--force"
        )
    settings = settings_of(options)
    if report:
        commands.check_writable(report)  # before any change, not after
    saved = commands.read_plan(plan_file) if plan_file else None
    if saved is None and not auto_approve and not options.console.interactive:
        raise InputError(
            "refusing to apply without approval off a terminal: pass --auto-approve, "
            "or apply a reviewed plan file (shiftctl plan --out PLAN.json)"
        )
    overrides = saved.overrides if saved else Overrides.of(allow_delete, force=force)
    with commands.connect(settings) as client:
        fresh = commands.make_plan(settings, client, overrides, usage=not no_usage)
        from reconciler.apply import apply_plan
        from reconciler.converge import unsettled
        from reconciler.feishu.stats import calls_document, calls_line
        from reconciler.render import render_text
        from reconciler.stale import check_fresh

        # A reviewed plan is checked against the tenant and files now, then executed
        # itself: what runs is the object that was reviewed, never a recomputed copy.
        plan = fresh if saved is None else check_fresh(saved, fresh)
        click.echo(render_text(plan, color=options.console.color))
        fresh.raise_if_blocked()  # also a delete that came into use since the review
        plan.raise_if_blocked()
        if plan.has_changes and saved is None and not auto_approve:
            click.confirm("Apply these changes?", abort=True)
        workers = concurrency or settings.concurrency
        with _progress(len(plan.changes), bar=options.console.progress) as on_done:
            result = apply_plan(plan, client, concurrency=workers, on_done=on_done)
        stats = client.stats
    # Verified from the answers to the writes: no second listing of the tenant.
    left = unsettled(plan, result)
    if report:
        document = result.document()
        document["verified"] = not left and result.ok
        document["unsettled"] = [str(u) for u in left]
        document["calls"] = calls_document(stats)
        commands.write_json(report, document)
    _finish(result, plan, left, calls_line(stats), options, plan_file)


@contextmanager
def _progress(total: int, *, bar: bool) -> Iterator[Callable[[Outcome], None]]:
    """A bar when a person watches, one plain line per operation elsewhere (CI logs)."""
    lock = threading.Lock()
    if not bar or total == 0:

        def line(outcome: Outcome) -> None:
            with lock:
                click.echo(_outcome_line(outcome))

        yield line
        return
    with click.progressbar(length=total, label="Applying", file=sys.stderr) as drawn:

        def step(outcome: Outcome) -> None:
            with lock:
                drawn.update(1)

        yield step


def _outcome_line(outcome: Outcome) -> str:
    from reconciler.render import SYMBOL

    where = f" (id {outcome.shift_id})" if outcome.shift_id else ""
    text = f"{outcome.status:<8} {SYMBOL[outcome.action]} {outcome.action} "
    text += f"{outcome.shift_name!r}{where}"
    if outcome.status == "failed":
        code = f"code {outcome.code}: " if outcome.code is not None else ""
        log = f" (log_id {outcome.log_id})" if outcome.log_id else ""
        hint = f"; {outcome.hint}" if outcome.hint else ""
        text += f": {code}{outcome.msg}{log}{hint}"
    if outcome.reason:
        text += f": {outcome.reason}"
    return escape(text)  # ids and messages come from the tenant


def again(options: GlobalOptions, *args: str) -> str:
    """The shiftctl command line for ``args`` against the same target as this run.

    Hints must lead where this run went: a plan made with ``--emulator`` is applied
    with ``--emulator``, never against whatever ``FEISHU_*`` points at.
    """
    words = ["shiftctl"]
    if options.config_path:
        words += ["--config", options.config_path]
    if options.endpoint:
        words += ["--endpoint", options.endpoint]
    if options.emulator_db == DEFAULT_EMULATOR_DB:
        words.append("--emulator")
    elif options.emulator_db is not None:
        words.append(f"--emulator={options.emulator_db}")
    return shlex.join([*words, *args])


def _finish(
    result: ApplyReport,
    plan: Plan,
    left: tuple[Unsettled, ...],
    calls: str,
    options: GlobalOptions,
    plan_file: str | None,
) -> None:
    if not plan.has_changes:
        click.echo(f"API calls: {calls}.")
        return
    if options.console.progress:  # the bar showed no outcome: name those that went wrong
        for outcome in result.outcomes:
            if outcome.status != "applied":
                click.echo(_outcome_line(outcome))
    applied, failed, skipped = (result.count(s) for s in ("applied", "failed", "skipped"))
    click.echo(f"Apply: {applied} applied, {failed} failed, {skipped} skipped.")
    for problem in left:
        click.echo(f"not settled {problem}")
    if result.ok and not left:
        click.echo("Verified from the tenant's answers: every change took effect.")
    click.echo(f"API calls: {calls}.")
    if not result.ok:
        what = f"{failed} operation{'s' if failed != 1 else ''} failed and {skipped} skipped"
        if plan_file is None:
            then = f"fix the cause and run {again(options, 'apply', '--auto-approve')} to converge"
        else:
            # The saved plan is stale now (part of it was applied): it would be refused.
            replan = again(options, "plan", "--out", plan_file)
            then = (
                f"fix the cause, then plan again, review and apply the new plan: {replan} && "
                f"{again(options, 'apply', plan_file)}"
            )
        raise PartialApplyError(f"{what}; {then}")
    if left:
        raise PartialApplyError(
            f"{len(left)} change{'s' if len(left) != 1 else ''} did not take effect as sent "
            "(the tenant answered with other values); run shiftctl doctor --write-probe "
            "to see how this tenant stores updates"
        )


@click.command("import")
@click.option("--name", "names", multiple=True, metavar="GLOB", help="Only shifts matching.")
@click.option(
    "--out", "out_dir", type=click.Path(file_okay=False), help="Folder (default: shifts dir)."
)
@click.pass_obj
def import_command(options: GlobalOptions, names: tuple[str, ...], out_dir: str | None) -> None:
    """Write one YAML file per remote shift."""
    settings = settings_of(options)
    target = Path(out_dir) if out_dir else shown(settings.shifts_dir)
    with commands.connect(settings) as client:
        result = commands.import_current(settings, client, target, names)
    for imported in result.written:
        line = f"wrote   {imported.path} ({imported.shift_name!r}, id {imported.shift_id})"
        click.echo(escape(line))
    for skipped in result.skipped:
        click.echo(escape(f"skipped {skipped.shift_name!r}: {skipped.reason}"))
    click.echo(f"Import: {len(result.written)} written to {target}, {len(result.skipped)} skipped.")
    for problem in result.problems:
        click.echo(str(problem), err=True)
    failing = sorted({p.location.path for p in blocking(result.problems, strict=settings.strict)})
    if failing:
        files = "1 imported file does" if len(failing) == 1 else f"{len(failing)} imported files do"
        raise InputError(
            f"{files} not validate: {', '.join(failing)}; the tenant allowed it, shiftctl "
            "refuses it: fix the file before the next plan"
        )
    if result.problems:
        warned = len({p.location.path for p in result.problems})
        files = "1 imported file has" if warned == 1 else f"{warned} imported files have"
        click.echo(f"shiftctl: {files} warnings (they do not block plan)", err=True)
    if result.written and not result.schema_found:
        click.echo(
            f"shiftctl: the files' $schema comment points at {result.schema_ref}, which does not "
            "exist: `shiftctl init` writes the schema there (or `shiftctl schema > FILE`)",
            err=True,
        )
