"""The command line: click lives only in this package.

``main(argv) -> int`` parses, runs the command and maps every error to the
fixed exit codes of ``reconciler.errors``; nothing below it exits. ``run()`` is the
process: the ``shiftctl`` console script and ``python -m reconciler``.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

import click

from reconciler import __version__
from reconciler.cli._anywhere import GlobalSpec, hoist_global_options
from reconciler.cli._lazy import LazyGroup
from reconciler.cli._state import DEFAULT_EMULATOR_DB, GlobalOptions
from reconciler.cli.console import Console

__all__ = ["Console", "cli", "main", "run"]

GLOBAL_OPTIONS_NOTE = (
    "Global options (shiftctl --help) may stand before or after the command: "
    "-C DIR, --config FILE, --endpoint URL, --emulator[=DB], --no-color, -v."
)


class _RootGroup(LazyGroup):
    """Global options anywhere, and ``--emulator`` without its value before a command name."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        args = hoist_global_options(args, GlobalSpec.of(self), self, _resolve(ctx))
        names = set(self.list_commands(ctx))
        for index, arg in enumerate(args[:-1]):
            if arg == "--emulator" and args[index + 1] in names:
                args.insert(index + 1, DEFAULT_EMULATOR_DB)
                break
            if arg in names:
                break
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> object:
        """The command; output closed under it (``| head``) becomes ``OutputClosed``.

        Caught here, before click's own handler, which would exit 1 without a word.
        """
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            if not _stdout_closed():
                raise  # another pipe or socket: not ours to explain
            from reconciler.errors import OutputClosed

            raise OutputClosed() from None

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _note_global_options(command)
        return command


def _buffered_stdout() -> None:
    """Standard output with a buffer under it, line by line, even with ``PYTHONUNBUFFERED``.

    Unbuffered (``-u``, ``PYTHONUNBUFFERED``, common in containers and CI), a text stream
    writes straight to the file and drops what a short write leaves out: a reader that
    leaves during a long write (``| head``) would cut the output without an error. Over a
    buffer the next write meets the broken pipe; line buffering keeps output as prompt.
    """
    import io

    out = sys.stdout
    if not isinstance(out, io.TextIOWrapper) or not isinstance(out.buffer, io.RawIOBase):
        return
    encoding, errors = out.encoding, out.errors
    raw = out.detach()  # the old wrapper lets go of the file instead of closing it
    sys.stdout = io.TextIOWrapper(
        io.BufferedWriter(raw), encoding=encoding, errors=errors, line_buffering=True
    )


def _stdout_closed() -> bool:
    """Whether standard output is a pipe whose reader has gone (as ``poll`` tells).

    Without ``poll`` (Windows) a broken pipe met by a command is taken to be it.
    """
    import select

    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # replaced by a test or a host program
        return False
    if not hasattr(select, "poll"):
        return True
    watch = select.poll()
    watch.register(fd, select.POLLOUT)
    gone = select.POLLERR | select.POLLHUP  # Linux says POLLERR, the BSDs POLLHUP
    return any(events & gone for _, events in watch.poll(0))


def _resolve(ctx: click.Context) -> Callable[[click.Command, str], click.Command | None]:
    def resolve(group: click.Command, name: str) -> click.Command | None:
        return group.get_command(ctx, name) if isinstance(group, click.Group) else None

    return resolve


def _note_global_options(command: click.Command) -> None:
    """Every command's --help says the global options work there too."""
    if command.epilog is None:
        command.epilog = GLOBAL_OPTIONS_NOTE
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _note_global_options(sub)


@click.group(
    cls=_RootGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Global options may also be written after the command, as in kubectl: "
    "shiftctl plan --emulator -v is shiftctl --emulator -v plan. After the command, "
    "--emulator takes a database only as --emulator=DB. Exit codes: 0 ok, 1 error, "
    "2 changes present (--detailed-exitcode), 3 guard, 4 stale plan, 5 partial failure.",
)
@click.version_option(__version__, prog_name="shiftctl")
@click.option(
    "-C",
    "--chdir",
    type=click.Path(exists=True, file_okay=False),
    default=None,
    metavar="DIR",
    help="Run as if started in DIR (like git -C); before anything else is read.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Configuration file (else SHIFTCTL_CONFIG, else the nearest shiftctl.yaml from "
    "here up to the repository root).",
)
@click.option(
    "--endpoint", default=None, metavar="URL", help="Feishu base URL (or FEISHU_ENDPOINT)."
)
@click.option(
    "--emulator",
    "emulator_db",
    is_flag=False,
    flag_value=DEFAULT_EMULATOR_DB,
    default=None,
    metavar="[DB]",
    help="Use the embedded emulator in-process, state in DB (default "
    f"{DEFAULT_EMULATOR_DB} beside shiftctl.yaml); after the command: --emulator=DB.",
)
@click.option("--no-color", is_flag=True, help="Never colour the output (NO_COLOR works too).")
@click.option("-v", "--verbose", count=True, help="More logging on stderr (-vv for debug).")
@click.pass_context
def cli(
    ctx: click.Context,
    chdir: str | None,
    config_path: str | None,
    endpoint: str | None,
    emulator_db: str | None,
    no_color: bool,
    verbose: int,
) -> None:
    """Feishu (Lark) attendance shifts as code."""
    if chdir:
        previous = os.getcwd()
        os.chdir(chdir)
        ctx.call_on_close(lambda: os.chdir(previous))  # main() may run in-process
    if endpoint and emulator_db:
        raise click.UsageError("--endpoint and --emulator exclude each other")
    # A Console handed in (``main(argv, console=…)``, tests) replaces the detection.
    given = ctx.obj if isinstance(ctx.obj, Console) else Console.detect()
    console = given.without_color() if no_color else given
    ctx.color = console.color  # click keeps or strips styles by the same policy
    ctx.obj = GlobalOptions(
        config_path=config_path,
        endpoint=endpoint,
        emulator_db=emulator_db,
        verbosity=verbose,
        console=console,
    )
    from reconciler.cli._logging import setup_logging  # not needed for --help

    ctx.call_on_close(setup_logging(verbose))


def main(argv: Sequence[str] | None = None, *, console: Console | None = None) -> int:
    """Run shiftctl; returns the exit code instead of exiting.

    ``console`` replaces what the terminal and the environment say (colour, prompts,
    progress bars); ``--no-color`` still turns its colour off.
    """
    try:
        result = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="shiftctl",
            standalone_mode=False,
            obj=console,
        )
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.Abort as exc:
        # click turns Ctrl-C into Abort; say which of the two happened.
        interrupted = isinstance(exc.__cause__, KeyboardInterrupt)
        click.echo(f"shiftctl: {'interrupted' if interrupted else 'aborted'}", err=True)
        return _exit_error()
    except click.ClickException as exc:
        exc.show()
        return _exit_error()
    except KeyboardInterrupt:
        click.echo("shiftctl: interrupted", err=True)
        return _exit_error()
    except Exception as exc:
        return _report(exc)
    return result if isinstance(result, int) else 0


def run() -> NoReturn:
    """Run shiftctl as the process and exit with its code.

    What the command imported lives until the process ends, so it is frozen out of
    the garbage collector first: the collection at interpreter exit would otherwise
    walk every module, class and function, ~15 ms of a 0.3 s plan. Only the process
    does this; ``main`` run in-process (tests, other programs) leaves the collector alone.
    """
    _buffered_stdout()
    code = main()
    try:
        if sys.stdout is not None:  # None under pythonw
            sys.stdout.flush()
    except BrokenPipeError:
        # What is still buffered has nowhere to go; without this, the interpreter's
        # last flush would print its own traceback and exit 120.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    gc.freeze()
    raise SystemExit(code)


def _report(exc: Exception) -> int:
    """A shiftctl error as its lines on stderr and its exit code; anything else is a bug."""
    # Imported here: `shiftctl --help` never needs the error tree.
    from reconciler.errors import ConfigInvalid, ShiftctlError, ValidationFailed
    from reconciler.safetext import escape

    if isinstance(exc, ValidationFailed | ConfigInvalid):
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"shiftctl: {exc}", err=True)
        return exc.exit_code
    if isinstance(exc, ShiftctlError):
        # Messages quote files and the tenant; only their own line breaks stay.
        click.echo(f"shiftctl: {escape(str(exc), keep_newlines=True)}", err=True)
        return exc.exit_code
    raise exc


def _exit_error() -> int:
    from reconciler.errors import EXIT_ERROR

    return EXIT_ERROR
