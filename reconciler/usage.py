"""Which attendance groups use the shifts a plan updates or deletes, read from the tenant once.

Reading costs ⌈G/50⌉ list pages and one get per group (G groups); a group's
members are its ``bind_user_ids`` unless it binds departments, when one
``list_user`` page per 50 members expands them (only for groups that use a
changed shift, or are rota groups); each rota group adds one
``user_daily_shifts/query`` per 50 members and 30 days of look-ahead.
``attach_usage`` then puts the answer on the plan (pure) and blocks deleting
a shift in use.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reconciler.blast import HOW, GroupUse, How, UsageInfo
from reconciler.errors import RemoteError
from reconciler.feishu.errors import FeishuError
from reconciler.feishu.group_types import ROTA, DailyShift, Group, GroupMember, GroupMeta
from reconciler.feishu.groups import GROUP_ENDPOINTS, SCHEDULE_DAYS
from reconciler.feishu.limits import USER_BATCH, chunked
from reconciler.feishu.stats import EndpointStats
from reconciler.plan import Delete, GuardFinding, Plan, Update

__all__ = [
    "DEFAULT_LOOK_AHEAD_DAYS",
    "GroupReader",
    "Usage",
    "UsageSource",
    "UsageUnreadable",
    "attach_usage",
    "changed_shift_ids",
    "read_usage",
]

log = logging.getLogger(__name__)

DEFAULT_LOOK_AHEAD_DAYS = 30
_FALLBACK_ZONE = "Asia/Shanghai"  # the contract's default group zone
_T = TypeVar("_T")
_R = TypeVar("_R")


class GroupReader(Protocol):
    """The group reads of ``reconciler.feishu.groups.GroupCalls``."""

    def list_groups(self) -> Iterator[GroupMeta]: ...

    def get_group(self, group_id: str) -> Group: ...

    def list_group_users(self, group_id: str) -> Iterator[GroupMember]: ...

    def query_daily_shifts(
        self, user_ids: Sequence[str], date_from: datetime.date, date_to: datetime.date
    ) -> list[DailyShift]: ...


class UsageSource(Protocol):
    """A client with group reads and per-endpoint request counts (``FeishuClient``)."""

    @property
    def groups(self) -> GroupReader: ...

    @property
    def stats(self) -> Mapping[str, EndpointStats]: ...


class UsageUnreadable(RemoteError):
    """The attendance groups could not be read; the plan stops rather than under-count."""


@dataclass(frozen=True, slots=True)
class Usage:
    """The groups using each shift id asked about, and what reading them cost."""

    by_shift: Mapping[str, tuple[GroupUse, ...]]
    info: UsageInfo


def changed_shift_ids(plan: Plan) -> frozenset[str]:
    """The shifts whose users a reviewer must see: every update and delete."""
    return frozenset(c.shift_id for c in plan.changes if isinstance(c, Update | Delete))


def read_usage(
    client: UsageSource,
    shift_ids: Collection[str],
    *,
    look_ahead_days: int = DEFAULT_LOOK_AHEAD_DAYS,
    concurrency: int = 8,
    now: datetime.datetime | None = None,
) -> Usage:
    """Read every group once; a failed call raises ``UsageUnreadable`` (an incomplete
    answer would hide people)."""
    try:
        return _read(client, shift_ids, look_ahead_days, concurrency, now)
    except FeishuError as error:
        raise UsageUnreadable(
            f"cannot read the attendance groups that use the changed shifts: {error}; "
            "plan with --no-usage to go on without them"
        ) from None


def _read(
    client: UsageSource,
    shift_ids: Collection[str],
    look_ahead_days: int,
    concurrency: int,
    now: datetime.datetime | None,
) -> Usage:
    if not shift_ids:
        return Usage({}, UsageInfo(groups=0, calls=0, look_ahead_days=look_ahead_days))
    moment = now or datetime.datetime.now(datetime.UTC)
    before = _requests(client.stats)
    reader = client.groups
    metas = list(reader.list_groups())
    pool = ThreadPoolExecutor(max(1, concurrency), thread_name_prefix="shiftctl-usage")
    try:
        groups = _map(pool, reader.get_group, [m.group_id for m in metas])
        rota = [g for g in groups if g.group_type == ROTA]
        members = _by_group(pool, _members(reader), rota)
        schedule = _map(pool, _schedule(reader, moment, look_ahead_days, members), rota)
        uses = {g.group_id: _fixed_uses(g, shift_ids, moment) for g in groups}
        for group, days in zip(rota, schedule, strict=True):
            for day in days:
                if day.shift_id in shift_ids:
                    uses[group.group_id].setdefault(day.shift_id, set()).add("rota")
        counted = [g for g in groups if uses[g.group_id] and g.group_id not in members]
        members |= _by_group(pool, _members(reader), counted)
    finally:
        # A failed read (or Ctrl-C) starts no further call: each one costs quota.
        pool.shutdown(wait=True, cancel_futures=True)
    calls = _requests(client.stats) - before
    log.info("attendance groups: %d read in %d calls", len(groups), calls)
    info = UsageInfo(groups=len(groups), calls=calls, look_ahead_days=look_ahead_days)
    return Usage(_by_shift(groups, uses, members), info)


def _by_shift(
    groups: Sequence[Group],
    uses: Mapping[str, Mapping[str, set[How]]],
    members: Mapping[str, list[str]],
) -> dict[str, tuple[GroupUse, ...]]:
    """Shift id → the groups using it, in listing order, each with its member count."""
    found: dict[str, list[GroupUse]] = {}
    for group in groups:
        for shift_id, how in sorted(uses[group.group_id].items()):
            count = len(members[group.group_id])
            use = GroupUse(
                group.group_id, group.group_name, count, tuple(h for h in HOW if h in how)
            )
            found.setdefault(shift_id, []).append(use)
    return {shift_id: tuple(found_uses) for shift_id, found_uses in found.items()}


def attach_usage(plan: Plan, usage: Usage | None) -> Plan:
    """The plan with ``used_by`` on each update and delete, and deletes in use blocked.

    With ``usage`` None (not read) nothing changes: the plan says usage is unknown.
    """
    if usage is None:
        return plan
    changes = tuple(
        dataclasses.replace(c, used_by=usage.by_shift.get(c.shift_id, ()))
        if isinstance(c, Update | Delete)
        else c
        for c in plan.changes
    )
    in_use = [
        GuardFinding("in_use", _in_use_message(c), overridden=False)
        for c in changes
        if isinstance(c, Delete) and c.used_by
    ]
    return dataclasses.replace(
        plan, changes=changes, guards=(*plan.guards, *in_use), usage=usage.info
    )


def _in_use_message(change: Delete) -> str:
    uses = change.used_by or ()
    count = len(uses)
    names = ", ".join(f"{u.group_name} ({u.group_id})" for u in uses[:10])
    names += f", … and {count - 10} more" if count > 10 else ""
    return (
        f"{change.name!r} is used by {count} attendance group{'s' if count != 1 else ''}: "
        f"{names}; move those groups to another shift first (Feishu refuses to delete a "
        "shift in use; --allow-delete and --force do not override this)"
    )


def _fixed_uses(
    group: Group, shift_ids: Collection[str], now: datetime.datetime
) -> dict[str, set[How]]:
    found: dict[str, set[How]] = {}
    for shift_id in group.weekly_shift_ids():
        if shift_id in shift_ids:
            found.setdefault(shift_id, set()).add("fixed")
    today = _today(group, now)
    for special in group.need_punch_special_days:
        if special.shift_id in shift_ids and special.day >= today:
            found.setdefault(special.shift_id, set()).add("special_day")
    return found


def _members(reader: GroupReader) -> Callable[[Group], list[str]]:
    """The members' user ids: the group names them, unless it binds departments."""

    def read(group: Group) -> list[str]:
        if not group.bind_dept_ids:
            return list(group.bind_user_ids)
        return [m.user_id for m in reader.list_group_users(group.group_id)]

    return read


def _schedule(
    reader: GroupReader,
    now: datetime.datetime,
    look_ahead_days: int,
    members: Mapping[str, list[str]],
) -> Callable[[Group], list[DailyShift]]:
    """A rota group's days from today (its zone) for ``look_ahead_days`` days."""

    def read(group: Group) -> list[DailyShift]:
        first = _today(group, now)
        last = first + datetime.timedelta(days=look_ahead_days - 1)
        found: list[DailyShift] = []
        for users in chunked(members[group.group_id], USER_BATCH):
            start = first
            while start <= last:
                end = min(last, start + datetime.timedelta(days=SCHEDULE_DAYS - 1))
                found += reader.query_daily_shifts(users, start, end)
                start = end + datetime.timedelta(days=1)
        return found

    return read


def _today(group: Group, now: datetime.datetime) -> datetime.date:
    try:
        zone = ZoneInfo(group.time_zone or _FALLBACK_ZONE)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        log.warning("group %s: unknown time zone %r", group.group_id, group.time_zone)
        zone = ZoneInfo(_FALLBACK_ZONE)
    return now.astimezone(zone).date()


def _map(pool: ThreadPoolExecutor, call: Callable[[_T], _R], items: Sequence[_T]) -> list[_R]:
    return list(pool.map(call, items))


def _by_group(
    pool: ThreadPoolExecutor, call: Callable[[Group], _R], groups: Sequence[Group]
) -> dict[str, _R]:
    return dict(zip((g.group_id for g in groups), _map(pool, call, groups), strict=True))


def _requests(stats: Mapping[str, EndpointStats]) -> int:
    names = {endpoint.name for endpoint in GROUP_ENDPOINTS}
    return sum(s.requests for name, s in stats.items() if name in names)
