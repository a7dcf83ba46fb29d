"""The first pass of an import: every row checked before anything is sent.

Rows are checked locally while streaming; then the distinct users are asked
about once (in chunks of 50), so a row for an unknown user is a row problem too.
"""

from __future__ import annotations

import contextlib
import datetime
import shutil
import tempfile
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from reconciler.errors import InputError
from reconciler.feishu.client import FeishuClient
from reconciler.feishu.limits import USER_BATCH, chunked
from reconciler.flows.rows import COLUMNS, REQUIRED, PunchRow, check_row
from reconciler.flows.sources import BrokenFile, Format, RowProblem, infer_format, read_rows

__all__ = [
    "BadRows",
    "FileCheck",
    "InputFile",
    "check_file",
    "good_rows",
    "open_input",
    "refuse_bad",
    "unknown_users",
    "with_unknown_users",
]


@dataclass(frozen=True, slots=True)
class InputFile:
    """A rows file on disk; ``name`` is what problems call it (``<stdin>`` for a spool)."""

    path: Path
    format: Format
    name: str


@dataclass(frozen=True, slots=True)
class FileCheck:
    """What the first pass found: good rows, bad rows and the distinct users."""

    good: int
    problems: tuple[RowProblem, ...]
    users: frozenset[str]
    broken: bool = False
    invalid_users: frozenset[str] = field(default_factory=frozenset)


@contextlib.contextmanager
def open_input(file: str, fmt: str | None, *, stdin: BinaryIO) -> Iterator[InputFile]:
    """The file to read twice; ``-`` spools ``stdin`` to a temporary file first."""
    if file != "-":
        path = Path(file)
        if not path.is_file():
            raise InputError(f"{file}: no such file")
        yield InputFile(path, infer_format(file, fmt), file)
        return
    if not fmt:
        raise InputError("reading stdin needs --format csv|json|ndjson")
    with tempfile.TemporaryDirectory(prefix="shiftctl-") as folder:
        spool = Path(folder) / "stdin"
        with spool.open("wb") as out:
            shutil.copyfileobj(stdin, out)
        yield InputFile(spool, infer_format(file, fmt), "<stdin>")


def rows_of(source: InputFile) -> Iterator[PunchRow | RowProblem]:
    """Every row of the file, checked; a broken file ends with its problem."""
    try:
        for raw in read_rows(
            source.path, source.format, name=source.name, columns=COLUMNS, required=REQUIRED
        ):
            yield raw if isinstance(raw, RowProblem) else check_row(raw, source.name)
    except BrokenFile as exc:
        yield exc.problem


def check_file(source: InputFile) -> FileCheck:
    """Pass one: check every row, streaming; nothing but problems and user ids is kept."""
    good = 0
    problems: list[RowProblem] = []
    users: set[str] = set()
    broken = False
    for item in rows_of(source):
        if isinstance(item, RowProblem):
            problems.append(item)
            broken = broken or item.fatal
        else:
            good += 1
            users.add(item.user_id)
    return FileCheck(good, tuple(problems), frozenset(users), broken)


def unknown_users(
    client: FeishuClient, users: Collection[str], *, employee_type: str
) -> frozenset[str]:
    """The ids Feishu does not know (or may not be read), asked 50 at a time."""
    invalid: set[str] = set()
    day = datetime.date.today()
    for chunk in chunked(sorted(users), USER_BATCH):
        result = client.query_tasks(
            chunk,
            day,
            day,
            employee_type=employee_type,
            ignore_invalid_users=True,
            include_terminated=True,
        )
        invalid.update(result.invalid_user_ids)
        invalid.update(result.unauthorized_user_ids)
    return frozenset(invalid)


def with_unknown_users(source: InputFile, check: FileCheck, invalid: frozenset[str]) -> FileCheck:
    """``check`` plus one problem per row of an unknown user (a short extra pass)."""
    if not invalid:
        return check
    extra = [
        RowProblem(source.name, row.line, f"user_id: {row.user_id!r} is not a known user")
        for row in good_rows(source, frozenset())
        if row.user_id in invalid
    ]
    return FileCheck(
        good=check.good - len(extra),
        problems=tuple(sorted([*check.problems, *extra], key=lambda p: p.line)),
        users=check.users - invalid,
        broken=check.broken,
        invalid_users=invalid,
    )


def good_rows(source: InputFile, invalid_users: frozenset[str]) -> Iterator[PunchRow]:
    """Pass two's input: the rows that passed, skipping those of ``invalid_users``."""
    for item in rows_of(source):
        if isinstance(item, PunchRow) and item.user_id not in invalid_users:
            yield item


class BadRows(InputError):
    """Rows failed their checks and nothing was sent; ``problems`` lists each one."""

    def __init__(self, problems: Sequence[RowProblem], *, broken: bool) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        rows = f"{count} bad row{'s' if count != 1 else ''}"
        hint = "" if broken else "; --skip-invalid imports the good ones"
        super().__init__(f"{rows}: nothing was sent{hint}")


def refuse_bad(check: FileCheck, source: InputFile, *, skip_invalid: bool) -> None:
    """Raise unless the rows that passed may go: a broken file never does."""
    if check.broken or (check.problems and not skip_invalid):
        raise BadRows(check.problems, broken=check.broken)
    if not check.good:
        what = "no good rows" if check.problems else "no rows"
        raise InputError(f"{source.name}: {what} to import")
