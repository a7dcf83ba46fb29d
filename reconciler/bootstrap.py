"""Bootstrap: one canonical YAML file per remote shift, so ``plan`` right after shows no change.

Shifts the output folder already defines are left alone, and no file is overwritten.
"""

from __future__ import annotations

import fnmatch
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reconciler.config import Settings
from reconciler.definitions import (
    NO_SHIFT_FILES,
    check,
    collect_files,
    default_schema_ref,
    render_shift_yaml,
)
from reconciler.errors import InputError, Problem, ValidationFailed
from reconciler.model import CurrentShift, normalize_name
from reconciler.plan import AmbiguousCurrentError

__all__ = ["ImportResult", "Imported", "Skipped", "import_shifts", "safe_file_stem"]

_UNSAFE = re.compile(r"[^\w.-]+")
_MAX_STEM = 80
# Names Windows refuses as files, whatever the extension.
_RESERVED = frozenset(
    {
        "con",
        "prn",
        "aux",
        "nul",
        *(f"com{i}" for i in range(1, 10)),
        *(f"lpt{i}" for i in range(1, 10)),
    }
)


@dataclass(frozen=True, slots=True)
class Imported:
    shift_name: str
    shift_id: str
    path: Path


@dataclass(frozen=True, slots=True)
class Skipped:
    shift_name: str
    reason: str


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What was written and skipped, and the problems of the written files.

    A shift made in Feishu's console can break a rule the files check (say,
    ``punch_times`` not matching its segments, a warning); its file is written all
    the same and its problems listed. ``schema_ref`` is the files' ``$schema``
    comment, and ``schema_found`` whether it names an existing file.
    """

    written: tuple[Imported, ...]
    skipped: tuple[Skipped, ...]
    problems: tuple[Problem, ...] = ()
    schema_ref: str = ""
    schema_found: bool = True


def import_shifts(
    current: Iterable[CurrentShift],
    settings: Settings,
    out_dir: Path,
    names: Sequence[str] = (),
) -> ImportResult:
    """Write the in-scope remote shifts matching any of ``names`` (all when empty)."""
    chosen = _select(current, settings, names)
    defined = _already_defined(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        taken = {p.name.lower() for p in out_dir.iterdir()}
    except OSError as exc:
        raise InputError(f"{out_dir}: cannot write there: {exc.strerror or exc}") from None
    schema_ref = default_schema_ref(out_dir)
    written: list[Imported] = []
    skipped: list[Skipped] = []
    for shift in chosen:
        if shift.key in defined:
            skipped.append(Skipped(shift.name, f"already defined at {defined[shift.key]}"))
            continue
        path = out_dir / _free_name(safe_file_stem(shift.name), taken)
        _write_new(path, render_shift_yaml(shift.shift, schema_ref))
        written.append(Imported(shift.name, shift.shift_id, path))
    _, problems = check([imported.path for imported in written]) if written else ((), [])
    found = (out_dir / schema_ref).is_file()
    return ImportResult(tuple(written), tuple(skipped), tuple(problems), schema_ref, found)


def _write_new(path: Path, text: str) -> None:
    try:
        # "x": never overwrite a file that appeared meanwhile.
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None


def _select(
    current: Iterable[CurrentShift], settings: Settings, names: Sequence[str]
) -> list[CurrentShift]:
    chosen: dict[str, CurrentShift] = {}
    for shift in current:
        if not settings.in_scope(shift.name):
            continue
        spellings = (shift.name, shift.key)
        if names and not any(fnmatch.fnmatchcase(n, g) for g in names for n in spellings):
            continue
        if shift.key in chosen:
            ids = ", ".join(_spelled(r) for r in (chosen[shift.key], shift))
            raise AmbiguousCurrentError(
                f"several remote shifts are named {shift.key!r} (ids {ids}); rename or delete "
                "all but one in Feishu first"
            )
        chosen[shift.key] = shift
    return [chosen[key] for key in sorted(chosen)]


def _spelled(shift: CurrentShift) -> str:
    return shift.shift_id if shift.name == shift.key else f"{shift.shift_id} {shift.name!r}"


def _already_defined(out_dir: Path) -> dict[str, str]:
    if not out_dir.is_dir():
        return {}
    # An entry that cannot be read may define any shift: importing it again would
    # make a second definition, so nothing is written until it can be read.
    unreadable = [p for p in collect_files([out_dir])[1] if p.message != NO_SHIFT_FILES]
    if unreadable:
        raise ValidationFailed(unreadable)
    # Invalid files are the user's to fix; what parses still counts as defined.
    state, _ = check([out_dir])
    return {normalize_name(d.shift.shift_name): str(d.location) for d in state.shifts}


def safe_file_stem(name: str) -> str:
    """A portable file name from a shift name: letters (any script), digits, ``. _ -``."""
    text = unicodedata.normalize("NFKC", name).strip()
    stem = _UNSAFE.sub("-", text).strip(".-_")[:_MAX_STEM].rstrip(".-_")
    if not stem or stem.lower() in _RESERVED:
        stem = f"shift-{stem}" if stem else "shift"
    return stem


def _free_name(stem: str, taken: set[str]) -> str:
    # Case-insensitive, since two names differing only by case collide on macOS and Windows.
    candidate, number = f"{stem}.yaml", 1
    while candidate.lower() in taken:
        number += 1
        candidate = f"{stem}-{number}.yaml"
    taken.add(candidate.lower())
    return candidate
