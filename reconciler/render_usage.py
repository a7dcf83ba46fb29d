"""The blast-radius lines of a rendered plan: who uses each changed shift, the total,
how usage was read, and the rename hints. Formats only; ``render`` places them.
"""

from __future__ import annotations

from collections.abc import Callable

from reconciler.blast import GroupUse, people
from reconciler.plan import Change, Delete, Plan, Update
from reconciler.safetext import escape

__all__ = ["NAMES_SHOWN", "blast_total", "hint_lines", "usage_line", "used_by_text"]

NAMES_SHOWN = 10  # group names listed per change; the rest are counted


def used_by_text(change: Change, name: Callable[[str], str] = escape) -> str | None:
    """``used by 3 groups (1,240 people): 研发, 门店A, 门店B`` for an update or delete.

    ``name`` makes each group name safe for the output (``safetext.markdown`` in a PR
    comment); the rest of the line is our own text.
    """
    if not isinstance(change, Update | Delete):
        return None
    uses = change.used_by
    if uses is None:
        return "used by: unknown (attendance groups not read)"
    if not uses:
        return "used by no attendance group"
    return f"used by {_groups(uses)}: {_names(uses, name)}"


def blast_total(plan: Plan) -> str | None:
    """One line for the top of a PR comment: the groups and people the plan touches."""
    touched = [c for c in plan.changes if isinstance(c, Update | Delete)]
    if not touched:
        return None
    if plan.usage is None:
        return "Attendance groups not read (--no-usage): who uses the changed shifts is unknown."
    uses = {u.group_id: u for c in touched for u in c.used_by or ()}
    if not uses:
        return "No attendance group uses the shifts this plan updates or deletes."
    return f"The shifts this plan updates or deletes are used by {_groups(list(uses.values()))}."


def usage_line(plan: Plan) -> str | None:
    """How usage was read and what it cost (a plan with no update or delete reads nothing)."""
    if not any(isinstance(c, Update | Delete) for c in plan.changes):
        return None
    usage = plan.usage
    if usage is None:
        return "Attendance groups: not read (--no-usage); who uses each changed shift is unknown."
    return (
        f"Attendance groups: {usage.groups} read in {usage.calls} API "
        f"call{'s' if usage.calls != 1 else ''} (rota schedules {usage.look_ahead_days} "
        "days ahead)."
    )


def hint_lines(plan: Plan, text: Callable[[str], str] = escape) -> list[str]:
    return [f"Hint: {text(hint.message)}" for hint in plan.hints]


def _groups(uses: list[GroupUse] | tuple[GroupUse, ...]) -> str:
    count, total = len(uses), people(uses)
    return (
        f"{count} group{'s' if count != 1 else ''} "
        f"({total:,} {'person' if total == 1 else 'people'})"
    )


def _names(uses: tuple[GroupUse, ...], name: Callable[[str], str]) -> str:
    names = ", ".join(name(use.group_name or use.group_id) for use in uses[:NAMES_SHOWN])
    extra = len(uses) - NAMES_SHOWN
    return names + (f", … and {extra} more" if extra > 0 else "")
