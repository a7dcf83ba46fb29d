"""Finding and reading shift files on disk; what cannot be read is a problem, never skipped.

A skipped file would look like a deleted shift to ``plan``. So every entry named like a
shift file (``*.yaml``, ``*.yml``) that is not a readable regular file, every broken or
looping symlink and every folder that cannot be listed is a ``Problem`` with its path.
Symlinks are followed only to targets inside the repository (``repository_of``).
Hidden files and folders (``.git``, editor swap files) are never shift files.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from reconciler.errors import Problem, SourceLocation

__all__ = [
    "NO_SHIFT_FILES",
    "SUFFIXES",
    "NotRegular",
    "collect_files",
    "file_kind",
    "read_regular",
    "repository_of",
]

SUFFIXES = frozenset({".yaml", ".yml"})
NO_SHIFT_FILES = "no shift files (*.yaml, *.yml) in this directory"
_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)
_Identity = tuple[int, int]


def collect_files(paths: Sequence[str | Path]) -> tuple[list[Path], list[Problem]]:
    """The shift files under ``paths`` (sorted) and every entry that could not be read.

    A path named directly is read whatever its name; a folder is searched recursively.
    """
    found: set[Path] = set()
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():  # a folder named by the user is trusted, symlinked or not
            walk = _Walk(path)
            walk.run()
            if not walk.found and not walk.problems:
                problems.append(_problem(path, NO_SHIFT_FILES))
            found.update(walk.found)
            problems.extend(walk.problems)
        elif path.is_symlink() or path.exists():
            trouble = _check_link(path, repository_of(path.parent)) if path.is_symlink() else None
            trouble = trouble or _not_regular(path)
            if trouble:
                problems.append(_problem(path, trouble))
            else:
                found.add(path)
        else:
            problems.append(_problem(path, "no such file or directory"))
    return sorted(found, key=str), problems


def repository_of(folder: Path) -> Path:
    """Where symlinks under ``folder`` may point: the git work tree holding it; outside
    git, the nearest folder with ``shiftctl.yaml``; failing both, ``folder`` itself."""
    start = folder.resolve()
    for marker in (".git", "shiftctl.yaml"):
        for candidate in (start, *start.parents):
            if (candidate / marker).exists():
                return candidate
    return start


class NotRegular(Exception):
    """A FIFO, a device, a folder: never read (opening a FIFO would block)."""


def read_regular(path: Path, limit: int) -> bytes:
    """At most ``limit`` bytes of a regular file; nothing else is ever read.

    The caller found ``path`` through ``collect_files``, which already saw it as a
    regular file (from the folder listing, or a stat of a path named directly). It is
    opened non-blocking and without becoming a controlling terminal, in case it was
    swapped for a FIFO or a device since, and the open file's one ``fstat`` decides.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegular(f"not a regular file: {file_kind(mode)}")
        chunks: list[bytes] = []
        size = 0
        while size < limit:
            chunk = os.read(fd, limit - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def file_kind(mode: int) -> str:
    """``a named pipe (FIFO)``: what a non-regular file is, for a message."""
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return "not a regular file"


class _Walk:
    """One folder searched depth-first in name order; every folder is read once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.boundary = repository_of(root)
        self.found: list[Path] = []
        self.problems: list[Problem] = []
        self.seen: set[_Identity] = set()

    def run(self) -> None:
        try:
            self.seen.add(_identity(os.stat(self.root)))
        except OSError as exc:
            self.problems.append(_problem(self.root, f"cannot read this folder: {_reason(exc)}"))
            return
        stack = [self.root]
        while stack:
            stack.extend(reversed(self._list(stack.pop())))

    def _list(self, folder: Path) -> list[Path]:
        """The shift files of ``folder`` recorded; returns its subfolders to read."""
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError as exc:
            self.problems.append(_problem(folder, f"cannot read this folder: {_reason(exc)}"))
            return []
        subfolders: list[Path] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(folder, entry.name)
            try:
                if self._entry(entry, path):
                    subfolders.append(path)
            except OSError as exc:  # vanished or unreadable between listing and looking
                self.problems.append(_problem(path, f"cannot read: {_reason(exc)}"))
        return subfolders

    def _entry(self, entry: os.DirEntry[str], path: Path) -> bool:
        """Record ``entry`` (a file or a problem); True when it is a folder to read."""
        if entry.is_symlink():
            trouble = _check_link(path, self.boundary)
            if trouble:
                self.problems.append(_problem(path, trouble))
                return False
            info = os.stat(path)
        elif entry.is_file(follow_symlinks=False):  # the common case, from d_type: no stat
            if Path(entry.name).suffix.lower() in SUFFIXES:
                self.found.append(path)
            return False
        else:
            info = entry.stat(follow_symlinks=False)
        if stat.S_ISDIR(info.st_mode):
            return self._first_visit(path, info)
        if Path(entry.name).suffix.lower() not in SUFFIXES:
            return False
        if stat.S_ISREG(info.st_mode):
            self.found.append(path)
        else:
            self.problems.append(_problem(path, f"not a regular file: {file_kind(info.st_mode)}"))
        return False

    def _first_visit(self, path: Path, info: os.stat_result) -> bool:
        identity = _identity(info)
        if identity in self.seen:
            message = "symlink loop: this folder is already read by another path"
            self.problems.append(_problem(path, message))
            return False
        self.seen.add(identity)
        return True


def _check_link(path: Path, boundary: Path) -> str | None:
    """Why the symlink ``path`` is not followed, or None. Its target is never read here."""
    try:
        os.stat(path)
    except FileNotFoundError:
        return "broken symlink: its target does not exist"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop"
        return f"symlink cannot be followed: {_reason(exc)}"
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # a loop that stat did not see
        return "symlink loop"
    if not target.is_relative_to(boundary):
        return (
            f"symlink to a target outside the repository ({boundary}); shiftctl follows "
            "symlinks only inside it"
        )
    return None


def _not_regular(path: Path) -> str | None:
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return f"cannot read: {_reason(exc)}"
    return None if stat.S_ISREG(mode) else f"not a regular file: {file_kind(mode)}"


def _identity(info: os.stat_result) -> _Identity:
    return info.st_dev, info.st_ino


def _problem(path: Path, message: str) -> Problem:
    return Problem(SourceLocation(str(path)), "", message)


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__
