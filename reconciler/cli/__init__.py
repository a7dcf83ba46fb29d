"""The command line: click lives only in this package.

``main(argv) -> int`` parses, runs the command and maps every error to the
fixed exit codes of ``reconciler.errors``; nothing below it exits.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence

import click

from reconciler import __version__
from reconciler.cli._state import DEFAULT_EMULATOR_DB, GlobalOptions
from reconciler.cli.definitions import fmt_command, schema_command, validate_command
from reconciler.cli.doctor import doctor_command
from reconciler.cli.emulator import emulator_group
from reconciler.cli.engine import apply_command, import_command, plan_command, show_command
from reconciler.cli.flows import flows_group, tasks_command
from reconciler.cli.shifts import shifts_group
from reconciler.errors import EXIT_ERROR, ShiftctlError, ValidationFailed

__all__ = ["cli", "main"]


class _RootGroup(click.Group):
    """Lets ``--emulator`` stand without its value right before a command name."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        args = list(args)
        for index, arg in enumerate(args[:-1]):
            if arg == "--emulator" and args[index + 1] in self.commands:
                args.insert(index + 1, DEFAULT_EMULATOR_DB)
                break
            if arg in self.commands:
                break
        return super().parse_args(ctx, args)


@click.group(cls=_RootGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="shiftctl")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Configuration file (default: shiftctl.yaml in the current directory, if present).",
)
@click.option("--endpoint", default=None, help="Feishu base URL (or FEISHU_ENDPOINT).")
@click.option(
    "--emulator",
    "emulator_db",
    is_flag=False,
    flag_value=DEFAULT_EMULATOR_DB,
    default=None,
    metavar="[DB]",
    help=f"Use the embedded emulator in-process, state in DB (default {DEFAULT_EMULATOR_DB}).",
)
@click.option("--no-color", is_flag=True, help="Never colour the output (NO_COLOR works too).")
@click.option("-v", "--verbose", count=True, help="More logging on stderr (-vv for debug).")
@click.pass_context
def cli(
    ctx: click.Context,
    config_path: str | None,
    endpoint: str | None,
    emulator_db: str | None,
    no_color: bool,
    verbose: int,
) -> None:
    """Feishu (Lark) attendance shifts as code."""
    if endpoint and emulator_db:
        raise click.UsageError("--endpoint and --emulator exclude each other")
    ctx.obj = GlobalOptions(
        config_path=config_path,
        endpoint=endpoint,
        emulator_db=emulator_db,
        no_color=no_color,
        verbosity=verbose,
    )
    ctx.call_on_close(_setup_logging(verbose))


for _command in (
    validate_command,
    fmt_command,
    schema_command,
    plan_command,
    show_command,
    apply_command,
    import_command,
    shifts_group,
    flows_group,
    tasks_command,
    emulator_group,
    doctor_command,
):
    cli.add_command(_command)


def _setup_logging(verbosity: int) -> Callable[[], None]:
    """Log to stderr for this run; returns what puts the logger back as it was.

    Restoring matters when ``main`` runs in-process (tests, other programs).
    """
    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("reconciler")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False

    def restore() -> None:
        logger.handlers[:] = saved[0]
        logger.setLevel(saved[1])
        logger.propagate = saved[2]

    return restore


def main(argv: Sequence[str] | None = None) -> int:
    """Run shiftctl; returns the exit code instead of exiting."""
    try:
        result = cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except ValidationFailed as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"shiftctl: {exc}", err=True)
        return exc.exit_code
    except ShiftctlError as exc:
        click.echo(f"shiftctl: {exc}", err=True)
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.Abort as exc:
        # click turns Ctrl-C into Abort; say which of the two happened.
        interrupted = isinstance(exc.__cause__, KeyboardInterrupt)
        click.echo(f"shiftctl: {'interrupted' if interrupted else 'aborted'}", err=True)
        return EXIT_ERROR
    except click.ClickException as exc:
        exc.show()
        return EXIT_ERROR
    except KeyboardInterrupt:
        click.echo("shiftctl: interrupted", err=True)
        return EXIT_ERROR
    return result if isinstance(result, int) else 0
