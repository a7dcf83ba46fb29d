"""``shiftctl init``: the files a company's shift repository starts from.

The configuration with every key at its default, ``shifts/``, the JSON Schemas of
this shiftctl version where the files' ``$schema`` comments point (``schema/``),
pre-commit hooks and the pull-request workflow. Existing files are never
overwritten unless asked; nothing is written when one would be.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reconciler import __version__
from reconciler.errors import InputError

__all__ = [
    "OWNER_PLACEHOLDER",
    "SCHEMAS",
    "ScaffoldFile",
    "ScaffoldResult",
    "scaffold_files",
    "write_scaffold",
]

DATA = Path(__file__).resolve().parent / "data"
TEMPLATES = DATA / "scaffold"
#: The schemas written to ``schema/``, each from the package's data folder. A new one
#: (the configuration's, say) is one more name here.
SCHEMAS: tuple[str, ...] = ("shift.schema.json", "config.schema.json")
#: Which written file names which schema in its ``$schema`` comment.
_SCHEMA_OF = {"shiftctl.yaml": "config.schema.json"}
OWNER_PLACEHOLDER = "OWNER"
# Template file → where it goes in the repository.
_LAYOUT = {
    "shiftctl.yaml": "shiftctl.yaml",
    "shifts-README.md": "shifts/README.md",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "shifts.yml": ".github/workflows/shifts.yml",
}


@dataclass(frozen=True, slots=True)
class ScaffoldFile:
    path: str  # relative to the repository, with /
    text: str


@dataclass(frozen=True, slots=True)
class ScaffoldResult:
    """What ``write_scaffold`` did, each path relative to the repository."""

    written: tuple[str, ...]
    unchanged: tuple[str, ...]  # already there with exactly this content


def scaffold_files(owner: str | None = None) -> list[ScaffoldFile]:
    """The repository's files; ``owner`` is the GitHub owner of the shiftctl repository
    (its action and hooks). Without it a placeholder is written and marked."""
    if owner is not None and not _is_owner(owner):
        raise InputError(f"--owner {owner!r}: not a GitHub user or organisation name")
    name = owner or OWNER_PLACEHOLDER
    note = (
        f"the action and hooks come from github.com/{owner}/shiftctl."
        if owner
        else f"replace {OWNER_PLACEHOLDER} with the GitHub owner of the shiftctl repository "
        "(or run shiftctl init --owner NAME)."
    )
    files: list[ScaffoldFile] = []
    for template, target in _LAYOUT.items():
        text = (TEMPLATES / template).read_text(encoding="utf-8")
        text = text.replace("__OWNER_NOTE__", note).replace("__OWNER__", name)
        text = text.replace("__VERSION__", __version__)
        schema = _SCHEMA_OF.get(target)
        if schema in SCHEMAS:
            text = f"# yaml-language-server: $schema=schema/{schema}\n{text}"
        files.append(ScaffoldFile(target, text))
    for schema in SCHEMAS:
        files.append(ScaffoldFile(f"schema/{schema}", (DATA / schema).read_text(encoding="utf-8")))
    return files


def _is_owner(name: str) -> bool:
    # GitHub: letters, digits and single hyphens, 1-39 characters, no hyphen at the ends.
    return (
        0 < len(name) <= 39
        and name.isascii()
        and all(c.isalnum() or c == "-" for c in name)
        and not name.startswith("-")
        and not name.endswith("-")
        and "--" not in name
    )


def write_scaffold(root: Path, files: Sequence[ScaffoldFile], *, force: bool) -> ScaffoldResult:
    """Write ``files`` under ``root``; refuses (writing nothing) to replace a different file.

    A file already there with the same content is left as it is; ``force`` replaces
    the others.
    """
    if root.exists() and not root.is_dir():
        raise InputError(f"{root}: exists and is not a folder")
    written: list[str] = []
    unchanged: list[str] = []
    conflicts: list[str] = []
    for file in files:
        target = root / file.path
        current = _read(target)
        if current == file.text:
            unchanged.append(file.path)
        elif current is not None and not force:
            conflicts.append(file.path)
    if conflicts:
        listed = ", ".join(conflicts)
        raise InputError(
            f"{root}: already has {listed}, which init would change; nothing was written "
            "(--force replaces them)"
        )
    for file in files:
        if file.path not in unchanged:
            _write(root / file.path, file.text)
            written.append(file.path)
    return ScaffoldResult(tuple(written), tuple(unchanged))


def _read(path: Path) -> str | None:
    if path.is_dir():
        raise InputError(f"{path}: is a folder where init writes a file")
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        # Unreadable is not "absent": refuse rather than risk replacing it.
        reason = getattr(exc, "strerror", None) or exc
        raise InputError(f"{path}: cannot read it to compare: {reason}") from None


def _write(path: Path, text: str) -> None:
    """Beside the target, then renamed: never half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None
