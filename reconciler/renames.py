"""Renames: a desired shift found in the tenant under one of its ``previous_names``, and the
delete + create pairs that look like a rename nobody declared. Pure, like the plan.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from reconciler.errors import InputError
from reconciler.model import CurrentShift, Shift, normalize_name

__all__ = ["RenameHint", "match_renames", "rename_hints"]


@dataclass(frozen=True, slots=True)
class RenameHint:
    """A delete and a create with the same rules: probably a rename without ``previous_names``."""

    old: str
    new: str

    @property
    def message(self) -> str:
        return (
            f"deleting {self.old!r} and creating {self.new!r} looks like a rename: add "
            f"previous_names: [{self.old}] to {self.new!r} to rename it in place "
            "(same shift_id, the attendance groups that use it keep it)"
        )


def match_renames(
    desired: Mapping[str, Shift], current: Mapping[str, CurrentShift]
) -> dict[str, CurrentShift]:
    """Desired name → the remote shift it renames.

    A desired shift renames a remote one when the tenant has no shift under its
    name but one under a previous name that no desired shift claims as its own
    name. Two remote shifts under previous names of one file, or one remote shift
    claimed by two files, is an error rather than a guess.
    """
    found: dict[str, CurrentShift] = {}
    claimed_by: dict[str, str] = {}
    for name in sorted(desired):
        if name in current:
            continue
        # Both maps are keyed by the normalised name (NFC, trimmed); so are previous names.
        olds = dict.fromkeys(normalize_name(old) for old in desired[name].previous_names)
        candidates = [current[old] for old in olds if old in current and old not in desired]
        if len(candidates) > 1:
            listed = ", ".join(f"{r.name!r} (id {r.shift_id})" for r in candidates)
            raise InputError(
                f"{name!r} lists previous names that are several shifts in the tenant: {listed}; "
                "delete or rename all but one in Feishu, or drop the others from previous_names"
            )
        if candidates:
            old = normalize_name(candidates[0].name)
            if old in claimed_by:
                raise InputError(
                    f"{old!r} is a previous name of both {claimed_by[old]!r} and {name!r}"
                )
            claimed_by[old] = name
            found[name] = candidates[0]
    return found


def rename_hints(creates: Iterable[Shift], deletes: Iterable[Shift]) -> tuple[RenameHint, ...]:
    """A deleted and a created shift whose rules are the same, names aside.

    Only a one-to-one match is a hint: among several shifts with the same rules
    (a tenant of identical store shifts, say) any pairing would be a guess.
    """
    gone: dict[Shift, list[str]] = {}
    for shift in deletes:
        gone.setdefault(_rules(shift), []).append(shift.shift_name)
    new: dict[Shift, list[str]] = {}
    for shift in creates:
        new.setdefault(_rules(shift), []).append(shift.shift_name)
    hints = [
        RenameHint(gone[rules][0], names[0])
        for rules, names in new.items()
        if len(names) == 1 and len(gone.get(rules, ())) == 1
    ]
    return tuple(sorted(hints, key=lambda h: (h.old, h.new)))


def _rules(shift: Shift) -> Shift:
    # Equality and hashing ignore the file-only fields, so only the name is blanked.
    return dataclasses.replace(shift, shift_name="-", previous_names=())
