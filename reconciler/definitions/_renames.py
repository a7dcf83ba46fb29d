"""``previous_names``: the rules that keep a rename unambiguous, within a file and across files.

A previous name is compared as names are (NFC, trimmed). It may not be the shift's
own name, be listed twice, be another shift's ``shift_name``, or be claimed by two
shifts: any of those would let the plan guess which remote shift a file means.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from reconciler.definitions._yaml import Document, JsonPath
from reconciler.errors import Problem, SourceLocation
from reconciler.model import Shift, normalize_name

__all__ = ["Claim", "claims_of", "own_findings", "rename_problems"]

_FIELD = "previous_names"


@dataclass(frozen=True, slots=True)
class Claim:
    """A previous name a shift claims, and where it is written."""

    name: str
    shift_name: str
    where: SourceLocation


def own_findings(document: Document, shift: Shift) -> Iterator[tuple[JsonPath, str]]:
    """Problems one document shows alone: its own name, or a name listed twice."""
    raw = document.data.get(_FIELD) if isinstance(document.data, dict) else None
    seen: dict[str, int] = {}
    for index, value in enumerate(raw if isinstance(raw, list) else ()):
        if not isinstance(value, str):
            continue  # the schema reports it
        name = normalize_name(value)
        if name == shift.shift_name:
            yield (_FIELD, index), f"{name!r} is this shift's own shift_name"
        elif name in seen:
            yield (_FIELD, index), f"{name!r} is listed twice (also at [{seen[name]}])"
        seen.setdefault(name, index)


def claims_of(document: Document, shift: Shift) -> tuple[Claim, ...]:
    """Each previous name of ``shift`` with the place it is written."""
    raw = document.data.get(_FIELD) if isinstance(document.data, dict) else None
    found: list[Claim] = []
    for index, value in enumerate(raw if isinstance(raw, list) else ()):
        if isinstance(value, str):
            name = normalize_name(value)
            found.append(Claim(name, shift.shift_name, document.locate((_FIELD, index))))
    return tuple(found)


def rename_problems(claims: Sequence[Claim], names: dict[str, SourceLocation]) -> list[Problem]:
    """Across files: a previous name that is another shift's name, or claimed twice.

    ``names`` maps every defined ``shift_name`` (normalised: NFC, trimmed) to where it
    is written; names are matched the same way.
    """
    problems: list[Problem] = []
    first: dict[str, Claim] = {}
    for claim in claims:
        key = normalize_name(claim.name)
        if key == normalize_name(claim.shift_name):
            continue  # reported with the document
        owner = names.get(key)
        if owner is not None:
            message = (
                f"{claim.name!r} is the shift_name of another shift, defined at {owner}; "
                "a shift cannot be renamed from a name still in use"
            )
            problems.append(Problem(claim.where, _FIELD, message))
            continue
        earlier = first.get(key)
        if earlier is not None and earlier.shift_name != claim.shift_name:
            message = (
                f"{claim.name!r} is also a previous name of {earlier.shift_name!r} at "
                f"{earlier.where}; one old name can become one shift only"
            )
            problems.append(Problem(claim.where, _FIELD, message))
            continue
        first.setdefault(key, claim)
    return problems
