"""The desired state: shift files found, loaded, checked and turned into ``Shift`` values."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reconciler._compact import CompactPickle
from reconciler.definitions._anchors import said_once
from reconciler.definitions._pool import in_file_order, worker_count
from reconciler.definitions._readahead import ReadAhead
from reconciler.definitions._renames import Claim, claims_of, rename_problems
from reconciler.definitions._schema import schema_problems
from reconciler.definitions._semantic import semantic_problems
from reconciler.definitions._walk import collect_files, read_regular
from reconciler.definitions._yaml import MAX_FILE_BYTES, Document, LoadedFile, Reader, load_file
from reconciler.errors import InputError, Problem, SourceLocation, ValidationFailed, blocking
from reconciler.model import Shift, normalize_name

__all__ = [
    "CheckedFile",
    "DesiredShift",
    "DesiredState",
    "FileFindings",
    "NameIndex",
    "check",
    "check_file",
    "collect_files",
    "find_shift_files",
    "load_desired",
]

# A hostile file can hold thousands of broken documents; a person reads the first ones.
MAX_PROBLEMS_PER_FILE = 500


@dataclass(frozen=True, slots=True)
class DesiredShift(CompactPickle):
    """A shift as a file defines it, and where its document starts."""

    shift: Shift
    location: SourceLocation


@dataclass(frozen=True, slots=True)
class DesiredState:
    """Every shift the files define, sorted by ``shift_name``, and the files' warnings."""

    shifts: tuple[DesiredShift, ...]
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True)
class CheckedFile:
    """One file after loading and checking: its shifts and its own problems."""

    loaded: LoadedFile
    shifts: tuple[DesiredShift, ...]
    name_locations: tuple[SourceLocation, ...]  # where each shift's name is written
    problems: tuple[Problem, ...]
    claims: tuple[Claim, ...] = ()  # the previous_names of its shifts, located


@dataclass(frozen=True, slots=True)
class FileFindings(CompactPickle):
    """What ``check`` keeps of one file: small enough to come back from another process."""

    shifts: tuple[DesiredShift, ...]
    name_locations: tuple[SourceLocation, ...]
    problems: tuple[Problem, ...]
    claims: tuple[Claim, ...]

    @classmethod
    def of(cls, path: Path, read: Reader = read_regular) -> FileFindings:
        checked = check_file(path, read)
        return cls(checked.shifts, checked.name_locations, checked.problems, checked.claims)


def find_shift_files(paths: Sequence[str | Path]) -> list[Path]:
    """Files named directly, plus ``*.yaml``/``*.yml`` under directories, sorted.

    Raises ``InputError`` for a path that does not exist, a directory without
    shift files or an entry that cannot be read; ``check`` reports those as problems.
    """
    files, problems = collect_files(paths)
    if problems:
        raise InputError("; ".join(str(problem) for problem in problems))
    return files


def check_file(path: Path, read: Reader = read_regular) -> CheckedFile:
    """Load one file and check each of its documents (schema and semantic rules)."""
    loaded = load_file(path, str(path), read)
    problems = list(loaded.problems)
    shifts: list[DesiredShift] = []
    names: list[SourceLocation] = []
    claims: list[Claim] = []
    for document in loaded.documents:
        if len(problems) > MAX_PROBLEMS_PER_FILE:
            break  # the cap below says there is more
        shift, found = _check_document(document)
        problems.extend(found)
        if shift is not None:
            shifts.append(DesiredShift(shift, document.start))
            names.append(document.locate(("shift_name",)))
            claims.extend(claims_of(document, shift))
    if len(problems) > MAX_PROBLEMS_PER_FILE:
        problems.sort()
        message = f"more than {MAX_PROBLEMS_PER_FILE} problems; the rest are not shown"
        problems[MAX_PROBLEMS_PER_FILE:] = [
            Problem(problems[MAX_PROBLEMS_PER_FILE].location, "", message)
        ]
    return CheckedFile(loaded, tuple(shifts), tuple(names), tuple(problems), tuple(claims))


def _check_document(document: Document) -> tuple[Shift | None, list[Problem]]:
    """Schema and semantic rules in one pass: every problem of the document at once."""
    problems = schema_problems(document)
    if problems or document.broken or document.incomplete:
        # Not a usable shift; the semantic rules still run on the fields that are sound.
        partial = _sound_part(document, problems)
        if partial is not None:
            shift, unsound = partial
            problems += semantic_problems(document, shift, skip=unsound)
        return None, said_once(document, problems)
    try:
        shift = Shift.from_mapping(document.data)
    except (TypeError, ValueError) as exc:  # the schema should make this unreachable
        return None, [Problem(document.start, "", f"not a valid shift: {exc}")]
    problems = said_once(document, semantic_problems(document, shift))
    return (shift if all(p.is_warning for p in problems) else None), problems


# Placeholders for a required field that is unsound: the rules reading it are skipped.
_STAND_INS = {"shift_name": "", "punch_times": 0, "punch_time_rule": ()}


def _sound_part(
    document: Document, problems: Sequence[Problem]
) -> tuple[Shift, frozenset[str]] | None:
    """A shift of the top-level fields no problem touches, and the names of the others;
    None when the whole document is unsound (not a mapping, an error at its root)."""
    data = document.data
    unsound = {path[0] for path in (*document.broken, *document.incomplete) if path}
    unsound |= {_top(problem.field) for problem in problems}
    if not isinstance(data, dict) or "" in unsound or () in document.broken:
        return None
    kept = {key: value for key, value in data.items() if key not in unsound}
    try:
        shift = Shift.from_mapping({**_STAND_INS, **kept})
    except (TypeError, ValueError, AttributeError):  # a value past the schema: skip them all
        return None
    missing = {name for name in _STAND_INS if name not in kept}
    return shift, frozenset(str(key) for key in unsound | missing)


def _top(field: str) -> str:
    """The top-level field of a dotted path (``punch_time_rule[0].on_time`` → its list)."""
    return field.partition(".")[0].partition("[")[0]


def check(
    paths: Sequence[str | Path], *, workers: int | None = None
) -> tuple[DesiredState, list[Problem]]:
    """Check every file under ``paths``; returns the usable shifts and every problem, sorted.

    A shift with warnings only is usable; the state carries those warnings too.
    ``workers`` processes check the files (default: every CPU past a few hundred files);
    the result does not depend on it.
    """
    files, problems = collect_files(paths)
    names = NameIndex()
    first_seen: dict[str, SourceLocation] = {}  # by normalised name, for the renames
    shifts: list[DesiredShift] = []
    claims: list[Claim] = []
    # One file at a time (thousands of files stay small), on every core when there are many;
    # in one process the reads come in batches (``ReadAhead``: a listing thread beside it).
    count = worker_count(len(files)) if workers is None else workers
    of = FileFindings.of
    if count < 2:
        of = functools.partial(FileFindings.of, read=ReadAhead(files, MAX_FILE_BYTES + 1).read)
    for checked in in_file_order(of, files, count):
        problems.extend(checked.problems)
        claims.extend(checked.claims)
        for desired, where in zip(checked.shifts, checked.name_locations, strict=True):
            duplicate = names.add(desired.shift.shift_name, where)
            if duplicate is None:
                shifts.append(desired)
                first_seen[normalize_name(desired.shift.shift_name)] = where
            else:
                problems.append(duplicate)
    problems.extend(rename_problems(claims, first_seen))
    shifts.sort(key=lambda desired: desired.shift.shift_name)
    problems.sort()
    warnings = tuple(p for p in problems if p.is_warning)
    return DesiredState(tuple(shifts), warnings), problems


class NameIndex:
    """Shift names seen so far, matched after NFC and trimming, and where each is written.

    Feishu refuses a second shift of one name, and the plan could not tell two apart.
    """

    def __init__(self) -> None:
        self._seen: dict[str, tuple[str, SourceLocation]] = {}

    def add(self, name: str, where: SourceLocation) -> Problem | None:
        """None the first time a name is seen; after that the duplicate problem."""
        key = normalize_name(name)
        if key not in self._seen:
            self._seen[key] = (name, where)
            return None
        other, at = self._seen[key]
        same = "" if other == name else f" (as {other!r})"
        return Problem(
            where, "shift_name", f"duplicate shift_name {name!r}, also defined at {at}{same}"
        )


def load_desired(paths: Sequence[str | Path], *, strict: bool = False) -> DesiredState:
    """The desired state, or ``ValidationFailed`` carrying every error found.

    Warnings do not stop it (they are in the state) unless ``strict``.
    """
    state, problems = check(paths)
    stopping = blocking(problems, strict=strict)
    if stopping:
        raise ValidationFailed(stopping)
    return state
