"""Each user's time zone from their attendance group's ``time_zone``, for when no --tz is given.

Results name their group per day (``group_id``); punch records do not, so a user's
group is today's (one ``user_tasks/query`` day per 50 users). Each group costs one
``groups/:group_id`` read. Anyone in no group (``"1"``) gets the default zone.
"""

from __future__ import annotations

import datetime
import logging
import zoneinfo
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from reconciler.feishu.client import FeishuClient
from reconciler.feishu.errors import FeishuError
from reconciler.feishu.limits import USER_BATCH, chunked
from reconciler.feishu.types import TaskQueryResult
from reconciler.flows.checking import unknown_users
from reconciler.flows.times import DEFAULT_TZ

__all__ = ["NO_GROUP_ID", "GroupZones", "by_zone", "reading_zones", "task_zones", "user_zones"]

log = logging.getLogger(__name__)

NO_GROUP_ID = "1"  # what results say for someone in no attendance group


@dataclass(frozen=True, slots=True)
class GroupZones:
    """Time zones by attendance group, and which group each user is in."""

    by_group: Mapping[str, datetime.tzinfo] = field(default_factory=dict)
    group_of: Mapping[str, str] = field(default_factory=dict)
    default: datetime.tzinfo = field(default_factory=lambda: zoneinfo.ZoneInfo(DEFAULT_TZ))

    def of_group(self, group_id: str) -> datetime.tzinfo:
        return self.by_group.get(group_id, self.default)

    def of_user(self, user_id: str) -> datetime.tzinfo:
        return self.of_group(self.group_of.get(user_id, NO_GROUP_ID))

    def names(self, group_ids: Iterable[str]) -> list[str]:
        """The distinct zone names of ``group_ids``, sorted."""
        return sorted({str(self.of_group(g)) for g in group_ids})


def task_zones(client: FeishuClient, result: TaskQueryResult) -> GroupZones:
    """The zone of every group the results name (results carry each day's group)."""
    return GroupZones(by_group=_group_zones(client, {t.group_id for t in result.tasks}))


def user_zones(
    client: FeishuClient, users: Collection[str], *, employee_type: str
) -> tuple[GroupZones, frozenset[str]]:
    """Each user's group today and its zone, and the ids Feishu does not know."""
    day = datetime.date.today()
    group_of: dict[str, str] = {}
    unknown: set[str] = set()
    for chunk in chunked(sorted(users), USER_BATCH):
        result = client.query_tasks(
            chunk, day, day, employee_type=employee_type, include_terminated=True
        )
        for task in result.tasks:
            group_of.setdefault(task.user_id, task.group_id)
        unknown.update(result.invalid_user_ids, result.unauthorized_user_ids)
    zones = _group_zones(client, set(group_of.values()))
    return GroupZones(by_group=zones, group_of=group_of), frozenset(unknown)


def reading_zones(
    client: FeishuClient,
    users: Collection[str],
    tz: datetime.tzinfo | None,
    *,
    employee_type: str,
) -> tuple[datetime.tzinfo | GroupZones, frozenset[str]]:
    """``tz``, or each user's group zone; and the ids Feishu does not know (its punch
    query answers an unknown id with nothing, so they are asked for here)."""
    if tz is None:
        return user_zones(client, users, employee_type=employee_type)
    return tz, unknown_users(client, users, employee_type=employee_type)


def _group_zones(client: FeishuClient, group_ids: Iterable[str]) -> dict[str, datetime.tzinfo]:
    """One group read per group; a group that cannot be read keeps the default, said aloud."""
    zones: dict[str, datetime.tzinfo] = {}
    for group_id in sorted(set(group_ids) - {NO_GROUP_ID, ""}):
        try:
            name = client.groups.get_group(group_id).time_zone
        except FeishuError as error:
            log.warning(
                "attendance group %s: its time zone cannot be read (%s); times in %s",
                group_id,
                error,
                DEFAULT_TZ,
            )
            continue
        try:
            zones[group_id] = zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            log.warning(
                "attendance group %s: unknown time zone %r; times in %s", group_id, name, DEFAULT_TZ
            )
    return zones


def by_zone(
    users: Sequence[str], zones: datetime.tzinfo | GroupZones
) -> list[tuple[datetime.tzinfo, list[str]]]:
    """Users grouped by the zone their --from/--to are read in (one group with --tz)."""
    if not isinstance(zones, GroupZones):
        return [(zones, list(users))]
    grouped: dict[str, tuple[datetime.tzinfo, list[str]]] = {}
    for user in users:
        zone = zones.of_user(user)
        grouped.setdefault(str(zone), (zone, []))[1].append(user)
    return list(grouped.values())
