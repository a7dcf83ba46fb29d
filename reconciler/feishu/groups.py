"""Attendance-group reads: list, get, search, members and rota schedules, over the one transport.

Every call goes through the same paced, retried, counted path as the shift
calls (``Transport.call``), so it meets the same rate limits and quota.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from reconciler.feishu.calls import Call, Endpoint
from reconciler.feishu.errors import FeishuError
from reconciler.feishu.group_types import DailyShift, Group, GroupMember, GroupMeta
from reconciler.feishu.limits import PAGE_SIZE, USER_BATCH
from reconciler.feishu.transport import Transport
from reconciler.feishu.types import day_to_wire

__all__ = [
    "GROUP_ENDPOINTS",
    "MEMBER_PAGE_SIZE",
    "SCHEDULE_DAYS",
    "SEARCH_LIMIT",
    "GroupCalls",
]

_V1 = "/open-apis/attendance/v1"
GROUP_LIST = Endpoint("group.list", "GET", f"{_V1}/groups")
GROUP_GET = Endpoint("group.get", "GET", f"{_V1}/groups/{{group_id}}")
GROUP_SEARCH = Endpoint("group.search", "POST", f"{_V1}/groups/search")
GROUP_LIST_USER = Endpoint("group.list_user", "GET", f"{_V1}/groups/{{group_id}}/list_user")
DAILY_SHIFT_QUERY = Endpoint("user_daily_shift.query", "POST", f"{_V1}/user_daily_shifts/query")
GROUP_ENDPOINTS = (GROUP_LIST, GROUP_GET, GROUP_SEARCH, GROUP_LIST_USER, DAILY_SHIFT_QUERY)

MEMBER_PAGE_SIZE = 50
"""The largest ``page_size`` of ``list_user`` (a larger one is refused)."""
SCHEDULE_DAYS = 30
"""Days per ``user_daily_shifts/query`` (the documented span limit)."""
SEARCH_LIMIT = 10
"""At most this many groups come back from a search."""
# Query values the group pages document: ids as user IDs, departments as open ids,
# and every member whatever their punch type (0; 1 = must punch, 2 = need not).
_IDS = {"employee_type": "employee_id", "dept_type": "od"}
_ALL_MEMBERS = "0"

T = TypeVar("T")


class GroupCalls:
    """The five group reads; reached as ``FeishuClient.groups``."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def list_groups(self, page_size: int = PAGE_SIZE) -> Iterator[GroupMeta]:
        """Every group ``{group_id, group_name}``, following ``page_token`` to the end."""
        yield from self._pages(GROUP_LIST, {}, "group_list", GroupMeta.from_wire, page_size)

    def get_group(self, group_id: str) -> Group:
        """One group's schedule, special days, time zone and bound ids."""
        call = Call(GROUP_GET, path_params={"group_id": group_id}, params=_IDS)
        return self._t.call(call, Group.from_wire)

    def search_groups(self, group_name: str, *, exactly: bool = False) -> list[GroupMeta]:
        """Groups whose name contains ``group_name`` (at most ten; Feishu's index lags writes)."""
        body: dict[str, Any] = {"group_name": group_name}
        if exactly:
            body["exactly_matched"] = True
        call = Call(GROUP_SEARCH, body=body)
        return self._t.call(
            call, lambda d: [GroupMeta.from_wire(g) for g in _list(d, "group_list")]
        )

    def list_group_users(
        self, group_id: str, page_size: int = MEMBER_PAGE_SIZE
    ) -> Iterator[GroupMember]:
        """Every member of a group, departments expanded into people by Feishu."""
        params = {**_IDS, "member_clock_type": _ALL_MEMBERS}
        yield from self._pages(
            GROUP_LIST_USER,
            params,
            "users",
            GroupMember.from_wire,
            page_size,
            path_params={"group_id": group_id},
        )

    def query_daily_shifts(
        self,
        user_ids: Sequence[str],
        date_from: datetime.date,
        date_to: datetime.date,
        *,
        employee_type: str = "employee_id",
    ) -> list[DailyShift]:
        """The rota days of up to 50 users from ``date_from`` to ``date_to`` (≤ 30 days)."""
        if not user_ids or len(user_ids) > USER_BATCH:
            raise ValueError(f"1 to {USER_BATCH} users per call, got {len(user_ids)}")
        if not 0 <= (date_to - date_from).days < SCHEDULE_DAYS:
            raise ValueError(f"1 to {SCHEDULE_DAYS} days per call, from {date_from} to {date_to}")
        call = Call(
            DAILY_SHIFT_QUERY,
            params={"employee_type": employee_type},
            body={
                "user_ids": list(user_ids),
                "check_date_from": day_to_wire(date_from),
                "check_date_to": day_to_wire(date_to),
            },
        )
        return self._t.call(call, _daily_shifts)

    def _pages(
        self,
        endpoint: Endpoint,
        params: Mapping[str, str],
        key: str,
        item: Callable[[Mapping[str, Any]], T],
        page_size: int,
        *,
        path_params: Mapping[str, str] | None = None,
    ) -> Iterator[T]:
        token: str | None = None
        seen: set[str] = set()
        while True:
            query = {**params, "page_size": str(page_size)}
            if token:
                query["page_token"] = token
            call = Call(endpoint, path_params=dict(path_params or {}), params=query)
            items, token, has_more = self._t.call(call, _page(key, item))
            yield from items
            if not has_more:
                return
            # A listing cut short would under-count the people a change touches.
            if not token or token in seen:
                problem = "gives no page_token" if not token else "repeats a page_token"
                raise FeishuError(f"{endpoint.name} {problem}", path=call.path)
            seen.add(token)


def _list(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise TypeError(f"{key} is not a list of objects")
    return value


def _page(
    key: str, item: Callable[[Mapping[str, Any]], T]
) -> Callable[[Mapping[str, Any]], tuple[list[T], str | None, bool]]:
    def parse(data: Mapping[str, Any]) -> tuple[list[T], str | None, bool]:
        token = data.get("page_token") or None
        if token is not None and not isinstance(token, str):
            raise TypeError("page_token is not a string")
        return [item(entry) for entry in _list(data, key)], token, bool(data.get("has_more"))

    return parse


def _daily_shifts(data: Mapping[str, Any]) -> list[DailyShift]:
    # lark-oapi and the documentation's field list call it user_daily_shifts; some
    # third-party descriptions say user_daily_shift_list. Either is read.
    key = "user_daily_shifts" if "user_daily_shifts" in data else "user_daily_shift_list"
    return [DailyShift.from_wire(entry) for entry in _list(data, key)]
