"""YAML anchors, aliases and merge keys: what an anchor holds, the expansion budget, and
problems of a value used through an alias said once, where the value is written.

An anchor (``&base``) remembers its value and the places inside it; an alias (``*base``)
or a merge key (``<<: *base``) puts that value at a new path with the same places, so a
problem points at the line that has to change. Aliases share values (nothing is copied),
but every use still costs its size from a budget, so an "alias bomb" (each level twice
the one before) is refused at the alias where the budget runs out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reconciler.definitions._document import Document, JsonPath, Through, dotted
from reconciler.errors import Problem

__all__ = [
    "MAX_ALIAS_VALUES",
    "MAX_ALIAS_VALUES_PER_FILE",
    "Anchored",
    "Entry",
    "said_once",
]

#: Values that aliases and merge keys may add to one document, and to one file. A shift
#: is about fifty values; a chain's shared thresholds used in every segment, a few hundred.
MAX_ALIAS_VALUES = 10_000
MAX_ALIAS_VALUES_PER_FILE = 100_000

Place = tuple[int, int]
Entry = tuple[JsonPath, Place]


@dataclass(frozen=True, slots=True)
class Anchored:
    """The value an anchor names, with every place inside it relative to the anchor."""

    name: str
    value: object
    values: tuple[Entry, ...]  # (relative path, place); the anchor's own value first
    keys: tuple[Entry, ...]
    broken: tuple[JsonPath, ...]
    through: tuple[tuple[JsonPath, Through], ...]
    height: int  # container levels: 0 for a scalar, 1 for a mapping of scalars

    @property
    def size(self) -> int:
        return len(self.values)

    @classmethod
    def scalar(cls, name: str, value: object, place: Place, refused: bool) -> Anchored:
        return cls(name, value, (((), place),), (), ((),) if refused else (), (), 0)


def said_once(document: Document, problems: Sequence[Problem]) -> list[Problem]:
    """Problems of values brought by aliases: each names the alias, and one written value
    used in several places is one problem, not one per use."""
    if not document.through:
        return list(problems)
    roots = sorted(document.through.items(), key=lambda item: -len(item[0]))
    groups: dict[tuple[object, str], list[tuple[Problem, Through | None]]] = {}
    for problem in problems:
        groups.setdefault((problem.location, problem.message), []).append(
            (problem, _via(roots, problem.field))
        )
    out: list[Problem] = []
    for members in groups.values():
        uses = [via for _, via in members if via is not None]
        if not uses:
            out.extend(problem for problem, _ in members)
            continue
        written = [problem for problem, via in members if via is None]
        first = written[0] if written else members[0][0]
        said = _uses(uses, also=bool(written))
        out.append(Problem(first.location, first.field, f"{first.message} ({said})"))
    return out


def _via(roots: list[tuple[JsonPath, Through]], field: str) -> Through | None:
    for root, through in roots:
        prefix = dotted(root)
        if field == prefix or field.startswith((prefix + ".", prefix + "[")):
            return through
    return None


def _uses(uses: list[Through], *, also: bool) -> str:
    places = sorted({(use.line, use.column, use.how, use.anchor) for use in uses})
    said = [
        f"{'<<: ' if how == 'merge' else ''}*{anchor} at line {line}"
        for line, _, how, anchor in places
    ]
    return f"{'also used' if also else 'used'} through {', '.join(said)}"
