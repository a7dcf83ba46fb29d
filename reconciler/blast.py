"""The blast radius of a change: the attendance groups (and their people) that use a shift.

Plain values carried by the plan; ``reconciler.usage`` reads them from the tenant.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = ["HOW", "GroupUse", "How", "UsageInfo", "people"]

How = Literal["fixed", "special_day", "rota"]
#: How a group uses a shift: its weekly schedule, a special day, or a rota day ahead.
HOW: tuple[How, ...] = ("fixed", "special_day", "rota")


@dataclass(frozen=True, slots=True)
class GroupUse:
    """One attendance group that uses a shift, its member count, and how it uses it."""

    group_id: str
    group_name: str
    members: int
    how: tuple[How, ...]


@dataclass(frozen=True, slots=True)
class UsageInfo:
    """How usage was read: groups read, API calls made, and the rota look-ahead in days."""

    groups: int
    calls: int
    look_ahead_days: int


def people(uses: Iterable[GroupUse]) -> int:
    """Members of the distinct groups (a person belongs to one attendance group)."""
    return sum({use.group_id: use.members for use in uses}.values())
