"""The one error hierarchy users can cause, each class with its exit code.

Only ``reconciler.cli`` turns these into exit codes; library code raises them.

    ShiftctlError                     exit 1  (root: every user-facing error)
    ├── InputError                    exit 1  bad files, flags or rows, with locations
    │   └── ValidationFailed          exit 1  carries every Problem found in one run
    ├── ConfigError                   exit 1  shiftctl.yaml, flags, environment, credentials
    │   └── ConfigInvalid             exit 1  carries every Problem of shiftctl.yaml
    ├── RemoteError                   exit 1  Feishu said no or could not be reached
    │   (the Feishu-specific classes live in ``reconciler.feishu.errors``)
    ├── OutputClosed                  exit 1  standard output closed early; the command stopped
    ├── GuardError                    exit 3  a safety guard blocked the plan
    ├── StalePlanError                exit 4  the saved plan no longer matches; nothing changed
    └── PartialApplyError             exit 5  some operations failed; a re-run converges
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from reconciler._compact import CompactPickle
from reconciler.safetext import escape

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2
EXIT_GUARD = 3
EXIT_STALE = 4
EXIT_PARTIAL = 5


@dataclass(frozen=True, slots=True, order=True)
class SourceLocation(CompactPickle):
    """Where a value came from: file, 1-based line and column."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        # A file name is text from outside: a crafted one must not forge a line.
        if self.line:
            return f"{escape(self.path)}:{self.line}:{self.column}"
        return escape(self.path)


Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True, order=True)
class Problem(CompactPickle):
    """One problem in the input, rendered as ``path:line:col: field.path: message``.

    An ``error`` is something Feishu refuses (or the plan cannot work with); a
    ``warning`` is suspicious but allowed, and blocks only in strict mode. Warnings
    read ``path:line:col: warning: field.path: message``. The rendering is one line
    whatever the parts hold: they are escaped.
    """

    location: SourceLocation
    field: str
    message: str
    severity: Severity = "error"

    @property
    def is_warning(self) -> bool:
        return self.severity == "warning"

    def __str__(self) -> str:
        field = f" {escape(self.field)}:" if self.field else ""
        kind = " warning:" if self.is_warning else ""
        return f"{self.location}:{kind}{field} {escape(self.message)}"


def blocking(problems: Iterable[Problem], *, strict: bool) -> list[Problem]:
    """The problems that stop a command: errors, and warnings too when ``strict`` (as errors)."""
    if strict:
        return [replace(p, severity="error") if p.is_warning else p for p in problems]
    return [p for p in problems if not p.is_warning]


class ShiftctlError(Exception):
    """Root of every error a user can cause or meet; reads well as one line."""

    exit_code = EXIT_ERROR


class InputError(ShiftctlError):
    """Bad input: a file, a flag, a row."""


class ValidationFailed(InputError):
    """Every problem found in one run of validation, sorted."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(sorted(problems))
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} found")


class ConfigError(ShiftctlError):
    """Bad configuration, flags or environment (missing credentials included)."""


class ConfigInvalid(ConfigError):
    """Every problem of one configuration file, found in one read, sorted."""

    def __init__(self, path: str, problems: Sequence[Problem]) -> None:
        self.problems = tuple(sorted(problems))
        count = len(self.problems)
        super().__init__(f"{path}: {count} problem{'s' if count != 1 else ''} in the configuration")


class RemoteError(ShiftctlError):
    """The remote API refused a call or could not be reached."""


class GuardError(ShiftctlError):
    """A safety guard blocked the plan; overrides are named or explicit."""

    exit_code = EXIT_GUARD


class StalePlanError(ShiftctlError):
    """The saved plan differs from a fresh one; nothing was changed."""

    exit_code = EXIT_STALE


class OutputClosed(ShiftctlError):
    """Standard output was closed before the command finished (``shiftctl … | head``).

    The command stops at its next line of output, as one killed by SIGPIPE would;
    what it had already changed stays changed.
    """

    def __init__(self) -> None:
        super().__init__(
            "standard output was closed before the command finished (broken pipe), so it "
            "stopped there; whatever it had already changed in the tenant stays changed "
            "(shiftctl plan shows what is left)"
        )


class PartialApplyError(ShiftctlError):
    """Some operations of an apply failed; the report says which."""

    exit_code = EXIT_PARTIAL
