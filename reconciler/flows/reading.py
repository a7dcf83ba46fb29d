"""Reading and deleting punch records and reading results, cut into the API's batch sizes.

Users go 50 to a call and record ids 10 to a delete; the answers are merged
into one sorted result so the output does not depend on how they were cut.
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from reconciler.errors import InputError
from reconciler.feishu.client import FeishuClient
from reconciler.feishu.errors import AuthError, FeishuError, PermissionDenied
from reconciler.feishu.limits import DELETE_BATCH, USER_BATCH, chunked
from reconciler.feishu.types import TaskQueryResult, UserFlow
from reconciler.model import Shift

log = logging.getLogger(__name__)

# Feishu documents no span limit for user_tasks/query, but its other attendance
# reads stop at 31 days; asking a month at a time keeps every answer small.
DAYS_PER_CALL = 31
# The shift_id results carry for a day without a shift of its own (contract §5).
DEFAULT_SHIFT_ID = "9"
DEFAULT_SHIFT_NAME = "(default shift)"

__all__ = [
    "DeleteOutcome",
    "delete_flows",
    "distinct",
    "names_of",
    "query_flows",
    "query_tasks",
    "read_shifts",
    "shift_names",
]


def distinct(values: Iterable[str]) -> list[str]:
    """Ids in first-seen order without repeats; ``a,b`` counts as two ids."""
    seen: dict[str, None] = {}
    for value in values:
        for part in value.split(","):
            if part.strip():
                seen.setdefault(part.strip(), None)
    return list(seen)


def query_flows(
    client: FeishuClient,
    users: Sequence[str],
    start: int,
    end: int,
    *,
    employee_type: str,
    include_terminated: bool = False,
) -> list[UserFlow]:
    """Every punch of ``users`` with ``start <= check_time < end``, by user, time and id."""
    if not users:
        raise InputError("give at least one --user")
    if start >= end:
        raise InputError("--from must be before --to (the range is [from, to))")
    found: list[UserFlow] = []
    for chunk in chunked(users, USER_BATCH):
        found.extend(
            client.query_flows(
                chunk,
                start,
                end,
                employee_type=employee_type,
                include_terminated=include_terminated,
            )
        )
    return sorted(found, key=lambda f: (f.user_id, f.check_time, f.record_id or ""))


def query_tasks(
    client: FeishuClient,
    users: Sequence[str],
    first: datetime.date,
    last: datetime.date,
    *,
    employee_type: str,
    ignore_invalid_users: bool = True,
    include_terminated: bool = False,
    need_overtime: bool = False,
) -> TaskQueryResult:
    """Results of ``users`` for each day from ``first`` to ``last``, by user and day.

    Users go 50 and days 31 to a call; the answers are merged.
    """
    if not users:
        raise InputError("give at least one --user")
    if first > last:
        raise InputError(f"--from {first} is after --to {last}")
    parts = [
        client.query_tasks(
            chunk,
            start,
            end,
            employee_type=employee_type,
            ignore_invalid_users=ignore_invalid_users,
            include_terminated=include_terminated,
            need_overtime_result=need_overtime,
        )
        for chunk in chunked(users, USER_BATCH)
        for start, end in _windows(first, last)
    ]
    tasks = sorted((t for part in parts for t in part.tasks), key=lambda t: (t.user_id, t.day))
    return TaskQueryResult(
        tasks=tuple(tasks),
        invalid_user_ids=tuple(distinct(i for part in parts for i in part.invalid_user_ids)),
        unauthorized_user_ids=tuple(
            distinct(i for part in parts for i in part.unauthorized_user_ids)
        ),
    )


def shift_names(client: FeishuClient, result: TaskQueryResult) -> Mapping[str, str]:
    """The name of each shift the results use: one shift get per distinct id."""
    return names_of(read_shifts(client, result))


def read_shifts(client: FeishuClient, result: TaskQueryResult) -> dict[str, Shift]:
    """Each shift the results use, by id: one shift get per distinct id.

    A shift that cannot be read (deleted since, no permission) is left out: its
    id still identifies it, and the results matter more than its name.
    """
    shifts: dict[str, Shift] = {}
    for shift_id in sorted({t.shift_id for t in result.tasks} - {DEFAULT_SHIFT_ID, ""}):
        try:
            shifts[shift_id] = client.get_shift(shift_id).shift
        except FeishuError as error:
            log.warning("shift %s: it cannot be read: %s", shift_id, error)
    return shifts


def names_of(shifts: Mapping[str, Shift]) -> dict[str, str]:
    """Shift ids to names (exactly as the tenant spells them), the default shift named."""
    return {DEFAULT_SHIFT_ID: DEFAULT_SHIFT_NAME, **{i: s.shift_name for i, s in shifts.items()}}


def _windows(
    first: datetime.date, last: datetime.date
) -> Iterator[tuple[datetime.date, datetime.date]]:
    """``[first, last]`` cut into spans of at most DAYS_PER_CALL days."""
    while first <= last:
        end = min(last, first + datetime.timedelta(days=DAYS_PER_CALL - 1))
        yield first, end
        first = end + datetime.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class DeleteOutcome:
    """Which ids were deleted, and which were not with the reason."""

    deleted: tuple[str, ...]
    failed: tuple[tuple[str, str], ...]


# What an id in fail_record_ids means when Feishu's msg gives no reason of its own.
NOT_DELETED = "not deleted (unknown id, or not imported through the open platform)"
NO_ANSWER = "Feishu's answer did not mention this id"
NOT_TRIED = "not tried (interrupted)"


def delete_flows(
    client: FeishuClient, record_ids: Sequence[str], *, stop: threading.Event | None = None
) -> DeleteOutcome:
    """Delete ``record_ids`` ten at a time; a refused batch fails its ids, the rest go on.

    Once ``stop`` is set no further call starts; the ids left are failed as not tried.
    """
    if not record_ids:
        raise InputError("give at least one RECORD_ID")
    deleted: list[str] = []
    failed: list[tuple[str, str]] = []
    for chunk in chunked(record_ids, DELETE_BATCH):
        if stop is not None and stop.is_set():
            failed.extend((record_id, NOT_TRIED) for record_id in chunk)
            continue
        try:
            result = client.delete_flows(chunk)
        except FeishuError as error:
            if isinstance(error, AuthError | PermissionDenied) and not deleted:
                raise  # nothing changed yet: a plain error
            failed.extend((record_id, str(error)) for record_id in chunk)
            continue
        deleted.extend(result.success_record_ids)
        failed.extend(
            (record_id, result.reason(record_id) or NOT_DELETED)
            for record_id in result.fail_record_ids
        )
        answered = {*result.success_record_ids, *result.fail_record_ids}
        failed.extend((r, NO_ANSWER) for r in chunk if r not in answered)
    return DeleteOutcome(tuple(deleted), tuple(failed))
