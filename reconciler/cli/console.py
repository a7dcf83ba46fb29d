"""One terminal policy for every command: colour, prompts, progress bars, table width.

Decided once, when the root command starts, from the streams and the environment;
carried to each command in ``GlobalOptions.console``. Tests pass a ``Console`` in
(``main(argv, console=…)``, or ``obj=`` of click's runner) instead of patching.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Protocol

__all__ = ["Console", "Stream"]


class Stream(Protocol):
    def isatty(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Console:
    """What the output may do here; the default is a pipe: plain, no prompt, no bar."""

    #: ANSI colour in the output (and click keeps styles it would strip off a terminal).
    color: bool = False
    #: A person can answer a prompt: stdin and stdout are terminals.
    interactive: bool = False
    #: A person watches: progress bars on stderr instead of one line (or log) per step.
    progress: bool = False
    #: Columns a table may take (the terminal's, else ``COLUMNS``, else 120).
    width: int = 120

    @classmethod
    def detect(
        cls,
        *,
        no_color: bool = False,
        environ: Mapping[str, str] | None = None,
        stdin: Stream | None = None,
        stdout: Stream | None = None,
        stderr: Stream | None = None,
    ) -> Console:
        """The policy for these streams and this environment (default: the process's).

        Colour: never with ``--no-color`` or ``NO_COLOR``; always with ``FORCE_COLOR``;
        never with ``TERM=dumb``; else when stdout is a terminal. A progress bar only
        when stdout and stderr are both terminals, outside CI (``CI`` set) and not
        with ``TERM=dumb``. A prompt only when stdin and stdout are terminals. Tables
        fit the terminal's width (``COLUMNS`` when set).
        """
        env = os.environ if environ is None else environ
        tty_in = _tty(sys.stdin if stdin is None else stdin)
        tty_out = _tty(sys.stdout if stdout is None else stdout)
        tty_err = _tty(sys.stderr if stderr is None else stderr)
        dumb = env.get("TERM") == "dumb"
        if no_color or env.get("NO_COLOR"):
            color = False
        elif env.get("FORCE_COLOR"):
            color = True
        else:
            color = tty_out and not dumb
        return cls(
            color=color,
            interactive=tty_in and tty_out,
            progress=tty_out and tty_err and not dumb and not env.get("CI"),
            width=shutil.get_terminal_size((120, 24)).columns,
        )

    def without_color(self) -> Console:
        return replace(self, color=False)


def _tty(stream: Stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False
