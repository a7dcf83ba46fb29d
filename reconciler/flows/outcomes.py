"""What attendance results mean for an admin: exceptions, the off time a flexible day
slid to, and per-person counts for ``tasks --summary``.

No I/O: results and shifts in, plain values out. The flexible rule is Feishu's own
field documentation (``flexible_rule``: "arrive up to N late, then leave that much
later; arrive early, leave that much earlier"), the same rule docs/results.md follows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from reconciler.feishu.types import TaskResult, UserTask
from reconciler.model import Shift

__all__ = [
    "EXCEPTION_RESULTS",
    "PersonSummary",
    "due_off_time",
    "is_exception",
    "side_exceptions",
    "summarize",
]

#: Results that ask for an admin's attention (when no supplement explains them).
EXCEPTION_RESULTS = frozenset({"Late", "Early", "Lack"})
NO_CHECK = "NoNeedCheck"


def _explained(supplement: str | None) -> bool:
    """Leave, travel, a correction…: Feishu already knows why."""
    return bool(supplement) and supplement != "None"


def side_exceptions(result: TaskResult) -> tuple[str | None, str | None]:
    """The check-in and check-out exception (``Late``, ``Early``, ``Lack``), or None each."""
    check_in = result.check_in_result
    check_out = result.check_out_result
    return (
        check_in
        if check_in in EXCEPTION_RESULTS and not _explained(result.check_in_result_supplement)
        else None,
        check_out
        if check_out in EXCEPTION_RESULTS and not _explained(result.check_out_result_supplement)
        else None,
    )


def is_exception(result: TaskResult | None) -> bool:
    return result is not None and any(side_exceptions(result))


def due_off_time(result: TaskResult, shift: Shift | None) -> int | None:
    """The off time (Unix seconds) a flexible segment slid to, or None when it did not slide.

    The check-in's distance from on time, up to the allowance, moves the off time by
    as much. Overtime segments never slide.
    """
    if shift is None or not shift.is_flexible or result.task_shift_type == 1:
        return None
    on, off = result.check_in_shift_time, result.check_out_shift_time
    punch = result.check_in_record.check_time if result.check_in_record else None
    if not on or not off or not punch:
        return None
    late, early = _allowance(shift)
    slide = max(-early, min(punch - on, late))
    return off + slide if slide else None


def _allowance(shift: Shift) -> tuple[int, int]:
    """(late, early) seconds; with several rules the most generous one (as the emulator)."""
    if not shift.flexible_rule:
        return 60 * shift.flexible_minutes, 60 * shift.flexible_minutes
    late = max(rule.flexible_late_minutes for rule in shift.flexible_rule)
    early = max(rule.flexible_early_minutes for rule in shift.flexible_rule)
    return 60 * late, 60 * early


@dataclass(frozen=True, slots=True)
class PersonSummary:
    """One person's days over a range.

    ``days``: days with a shift that asks for punches; ``late``/``early``: check-ins
    and check-outs judged so; ``lack``: punches so late or early they count as
    missing; ``no_punch``: sides that needed a punch and have none; ``todo``: sides
    still open; ``exception_days``: days with any of late, early, lack or no punch.
    """

    user_id: str
    employee_name: str
    days: int = 0
    late: int = 0
    early: int = 0
    lack: int = 0
    no_punch: int = 0
    todo: int = 0
    exception_days: int = 0

    @property
    def has_exceptions(self) -> bool:
        return self.exception_days > 0


def summarize(tasks: Iterable[UserTask]) -> list[PersonSummary]:
    """Per person (by user id, in first-seen order), counted from every segment's result."""
    counts: dict[str, dict[str, int]] = {}
    names: dict[str, str] = {}
    for task in tasks:
        names.setdefault(task.user_id, task.employee_name)
        tally = counts.setdefault(task.user_id, dict.fromkeys(_FIELDS, 0))
        _count_day(task, tally)
    return [PersonSummary(user, names[user], **tally) for user, tally in counts.items()]


_FIELDS = ("days", "late", "early", "lack", "no_punch", "todo", "exception_days")


def _count_day(task: UserTask, tally: dict[str, int]) -> None:
    checked = False
    exceptional = False
    for result in task.records:
        sides = (
            (result.check_in_result, result.check_in_record_id, side_exceptions(result)[0]),
            (result.check_out_result, result.check_out_record_id, side_exceptions(result)[1]),
        )
        for outcome, record_id, exception in sides:
            checked = checked or (outcome not in (None, "", NO_CHECK))
            if outcome == "Todo":
                tally["todo"] += 1
            if exception is None:
                continue
            exceptional = True
            if exception == "Lack":
                tally["lack" if record_id else "no_punch"] += 1
            else:
                tally[exception.lower()] += 1
    tally["days"] += checked
    tally["exception_days"] += exceptional
