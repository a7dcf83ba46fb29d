"""Did the apply converge? Read from the tenant's own answers to the writes, not a new listing.

Every create and update is answered with the shift as the tenant stored it;
comparing that with what was sent shows a change that did not take (a tenant
that merges an update, say) without spending another listing of the tenant.
Shifts the plan left alone were equal in the listing the plan came from.
"""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.apply import ApplyReport
from reconciler.diff import field_changes
from reconciler.model import Shift
from reconciler.plan import Change, Create, Plan, Update

__all__ = ["Unsettled", "unsettled"]


@dataclass(frozen=True, slots=True)
class Unsettled:
    """An applied change whose answer differs from what was sent: the fields that differ."""

    action: str
    shift_name: str
    fields: tuple[str, ...]

    def __str__(self) -> str:
        return (
            f"{self.action} {self.shift_name!r}: the tenant answered with other values for "
            f"{', '.join(self.fields)}"
        )


def unsettled(plan: Plan, report: ApplyReport) -> tuple[Unsettled, ...]:
    """Applied creates and updates whose answer is not the intended shift."""
    found: list[Unsettled] = []
    for change, outcome in zip(plan.changes, report.outcomes, strict=True):
        intended = _intended(change)
        if outcome.status != "applied" or intended is None or outcome.answer is None:
            continue
        if outcome.answer.shift != intended:
            paths = tuple(c.path for c in field_changes(intended, outcome.answer.shift))
            found.append(Unsettled(change.action, change.name, paths or ("(the definition)",)))
    return tuple(found)


def _intended(change: Change) -> Shift | None:
    if isinstance(change, Create):
        return change.shift
    if isinstance(change, Update):
        return change.after
    return None
