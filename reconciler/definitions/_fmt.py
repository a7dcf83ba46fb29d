"""Shift files rewritten into canonical form; files with problems are never touched.

Comments are kept: those at the top of the file stay there (after the ``$schema``
line), the others move with the key they annotate. A file that uses YAML anchors,
aliases or merge keys is left as it is: the canonical form would write every shared
value out in full, undoing what the author chose.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reconciler.definitions._check import CheckedFile, NameIndex, check_file, collect_files
from reconciler.definitions._comments import collect_notes
from reconciler.definitions._render import SCHEMA_COMMENT, render_document
from reconciler.errors import Problem, SourceLocation

__all__ = [
    "LEFT_ALONE",
    "FormatResult",
    "default_schema_ref",
    "format_file",
    "format_files",
    "format_text",
]

LEFT_ALONE = "uses YAML anchors, aliases or merge keys, which fmt would write out in full"
_SCHEMA_FILE = Path("schema") / "shift.schema.json"
_FALLBACK_REF = "../schema/shift.schema.json"


@dataclass(frozen=True, slots=True)
class FormatResult:
    """One file: its canonical text, or the problems that kept it unformatted."""

    path: Path
    original: str | None
    formatted: str | None
    problems: tuple[Problem, ...]
    left_alone: str | None = None  # why a valid file was not formatted

    @property
    def changed(self) -> bool:
        return self.formatted is not None and self.formatted != self.original


def format_files(
    paths: Sequence[str | Path], *, write: bool
) -> tuple[list[FormatResult], list[Problem]]:
    """Canonical text for every shift file under ``paths``; ``write`` saves changed ones.

    As in ``validate``, a shift name defined twice across the files is a problem, and
    the file with the later one is left alone.
    """
    files, problems = collect_files(paths)
    names = NameIndex()
    results = [_format_checked(check_file(path), names) for path in files]
    if write:
        results = [_save(result) for result in results]
    return results, problems


def _save(result: FormatResult) -> FormatResult:
    if not result.changed or result.formatted is None:
        return result
    if result.path.is_symlink():
        # Writing through it would change a file elsewhere; replacing it would drop the link.
        message = "not rewritten: it is a symlink, and fmt never writes through one"
        problem = Problem(SourceLocation(str(result.path)), "", message)
        return FormatResult(result.path, result.original, None, (problem,))
    try:
        _replace(result.path, result.formatted)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        problem = Problem(SourceLocation(str(result.path)), "", f"cannot write: {reason}")
        return FormatResult(result.path, result.original, None, (problem,))
    return result


def format_file(path: Path) -> FormatResult:
    """Canonical text for one file, or the errors that prevent it (nothing is written).

    Warnings do not prevent formatting (``validate`` reports them).
    """
    return _format_checked(check_file(path), NameIndex())


def _format_checked(checked: CheckedFile, names: NameIndex) -> FormatResult:
    path = Path(checked.loaded.path)
    text = checked.loaded.text
    errors = [p for p in checked.problems if not p.is_warning]
    for desired, where in zip(checked.shifts, checked.name_locations, strict=True):
        duplicate = names.add(desired.shift.shift_name, where)
        if duplicate is not None:
            errors.append(duplicate)
    if errors or text is None:
        return FormatResult(path, text, None, tuple(errors))
    if any(document.anchored for document in checked.loaded.documents):
        return FormatResult(path, text, None, (), LEFT_ALONE)
    _, _, header_lines = _leading_comments(text)
    notes = collect_notes(text, checked.loaded.documents, header_lines)
    bodies = [
        render_document(desired.shift, note)
        for desired, note in zip(checked.shifts, notes, strict=True)
    ]
    return FormatResult(path, text, format_text(text, bodies, path.parent), ())


def format_text(original: str, bodies: Sequence[str], directory: Path) -> str:
    """The schema comment, the file's other leading comments, then each document."""
    ref, comments, _ = _leading_comments(original)
    header = [f"{SCHEMA_COMMENT}{ref or default_schema_ref(directory)}\n"]
    header.extend(line + "\n" for line in comments)
    return "".join(header) + "---\n".join(bodies)


def _leading_comments(text: str) -> tuple[str | None, list[str], int]:
    """The ``$schema`` reference, the other top comments, and how many lines they span."""
    ref: str | None = None
    comments: list[str] = []
    count = 0
    for count, raw in enumerate(text.splitlines()):
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("#"):
            return ref, comments, count
        if line.startswith(SCHEMA_COMMENT):
            ref = ref or line[len(SCHEMA_COMMENT) :].strip() or None  # the first one counts
        else:
            comments.append(line)
    return ref, comments, count + 1


def default_schema_ref(directory: Path) -> str:
    """The ``$schema`` reference for a file in ``directory``.

    Relative to the nearest enclosing folder that holds ``schema/shift.schema.json``
    (the repository layout), so editors find the schema in any checkout.
    """
    start = directory.resolve()
    for folder in (start, *start.parents):
        if (folder / _SCHEMA_FILE).is_file():
            return Path(os.path.relpath(folder / _SCHEMA_FILE, start)).as_posix()
    return _FALLBACK_REF


def _replace(path: Path, text: str) -> None:
    # Write beside the target and rename, so an interrupted fmt never leaves half a file.
    target = path
    # A short temporary name: the target's own name may already be as long as allowed.
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".shiftctl-fmt-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        shutil.copymode(target, temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
