"""``FeishuClient``: the ten attendance calls as typed methods over one paced, retrying transport.

Thread-safe: apply runs operations from several threads through one client.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Self

import httpx

from reconciler.feishu.auth import Secret
from reconciler.feishu.calls import Call, Endpoint
from reconciler.feishu.errors import FeishuError, NotFound
from reconciler.feishu.limits import DELETE_BATCH, FLOW_BATCH, PAGE_SIZE, USER_BATCH
from reconciler.feishu.retry import RetryPolicy
from reconciler.feishu.stats import EndpointStats
from reconciler.feishu.transport import Transport
from reconciler.feishu.types import BatchDelResult, TaskQueryResult, UserFlow, day_to_wire
from reconciler.feishu.wire import shift_from_wire, shift_to_wire
from reconciler.model import RemoteShift, Shift, normalize_name

__all__ = ["FeishuClient"]

_V1 = "/open-apis/attendance/v1"
SHIFT_CREATE = Endpoint("shift.create", "POST", f"{_V1}/shifts")
SHIFT_DELETE = Endpoint("shift.delete", "DELETE", f"{_V1}/shifts/{{shift_id}}")
SHIFT_GET = Endpoint("shift.get", "GET", f"{_V1}/shifts/{{shift_id}}")
SHIFT_QUERY = Endpoint("shift.query", "POST", f"{_V1}/shifts/query")
SHIFT_LIST = Endpoint("shift.list", "GET", f"{_V1}/shifts")
FLOW_CREATE = Endpoint("user_flow.batch_create", "POST", f"{_V1}/user_flows/batch_create")
FLOW_GET = Endpoint("user_flow.get", "GET", f"{_V1}/user_flows/{{user_flow_id}}")
FLOW_QUERY = Endpoint("user_flow.query", "POST", f"{_V1}/user_flows/query")
FLOW_DELETE = Endpoint("user_flow.batch_del", "POST", f"{_V1}/user_flows/batch_del")
TASK_QUERY = Endpoint("user_task.query", "POST", f"{_V1}/user_tasks/query")


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _at_most(items: Sequence[Any], limit: int, what: str) -> None:
    if not items:
        raise ValueError(f"at least one {what} is needed")
    if len(items) > limit:
        raise ValueError(f"at most {limit} {what}s per call, got {len(items)}")


class FeishuClient:
    """Typed calls to the Feishu attendance API; ``http`` carries the endpoint as ``base_url``."""

    def __init__(
        self,
        http: httpx.Client,
        *,
        app_id: str,
        app_secret: str,
        rate_limit: float = 50.0,
        max_retry_seconds: float = 120.0,
        backoff_base: float = 0.25,
        backoff_cap: float = 20.0,
        token_refresh_margin: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        retry = RetryPolicy(max_retry_seconds, backoff_base, backoff_cap)
        self._t = Transport(
            http,
            app_id=app_id,
            app_secret=Secret(app_secret),
            rate_limit=rate_limit,
            retry=retry,
            token_margin=token_refresh_margin,
            clock=clock,
            sleep=sleep,
            rng=rng,
        )

    def __repr__(self) -> str:
        return f"FeishuClient(base_url={str(self._t.http.base_url)!r}, app_id={self._t.app_id!r})"

    @property
    def stats(self) -> Mapping[str, EndpointStats]:
        """HTTP requests so far per endpoint, by the SDK's names (``shift.list`` …)."""
        return self._t.stats.snapshot()

    # -- shifts ---------------------------------------------------------------

    def list_shifts(self, page_size: int = PAGE_SIZE) -> Iterator[RemoteShift]:
        """Every shift, following ``page_token`` to the end; a failed page raises."""
        token: str | None = None
        seen: set[str] = set()
        while True:
            params = {"page_size": str(page_size)}
            if token:
                params["page_token"] = token
            page, token, has_more = self._t.call(Call(SHIFT_LIST, params=params), _page)
            yield from page
            if not has_more:
                return
            # An incomplete listing would look like deletions to the plan: fail instead.
            if not token or token in seen:
                problem = "gives no page_token" if not token else "repeats a page_token"
                raise FeishuError(f"the shift list {problem}", path=SHIFT_LIST.route)
            seen.add(token)

    def get_shift(self, shift_id: str) -> RemoteShift:
        call = Call(SHIFT_GET, path_params={"shift_id": shift_id})
        return self._t.call(call, shift_from_wire)

    def query_shift(self, name: str) -> RemoteShift | None:
        """The shift called ``name``, or None when Feishu has none (1226003)."""
        call = Call(SHIFT_QUERY, params={"shift_name": name})
        try:
            found = self._t.call(call, shift_from_wire)
        except NotFound:
            return None
        # Feishu may match loosely; only the same name (after NFC and trimming) is this shift.
        return found if found.key == normalize_name(name) else None

    def create_shift(self, shift: Shift) -> RemoteShift:
        """Create ``shift``; an unknown outcome is checked by name, so no duplicate appears."""
        return self._write_shift(shift, shift_id=None)

    def update_shift(self, shift_id: str, shift: Shift) -> RemoteShift:
        """Replace ``shift_id``'s definition in place (create with ``id``); the id is kept."""
        return self._write_shift(shift, shift_id=shift_id)

    def _write_shift(self, shift: Shift, *, shift_id: str | None) -> RemoteShift:
        call = Call(
            SHIFT_CREATE,
            params={"employee_type": "employee_id"},
            body=shift_to_wire(shift, shift_id=shift_id),
            shift_name=shift.shift_name,
        )

        def verify() -> RemoteShift | None:
            found = self.query_shift(shift.shift_name)
            if found is None or found.shift != shift:
                return None
            return found if shift_id is None or found.shift_id == shift_id else None

        return self._t.call(
            call, lambda d: shift_from_wire(d["shift"]), idempotent=False, verify=verify
        )

    def delete_shift(self, shift_id: str) -> None:
        """Delete; when an earlier attempt's answer was lost, "not found" means done."""
        call = Call(SHIFT_DELETE, path_params={"shift_id": shift_id})

        def verify() -> bool | None:
            try:
                self.get_shift(shift_id)
            except NotFound:
                return True
            return None

        self._t.call(call, lambda _: True, verify=verify)

    # -- punch records and results -------------------------------------------

    def create_flows(
        self, flows: Sequence[UserFlow], *, employee_type: str = "employee_id"
    ) -> list[UserFlow]:
        """Import up to 50 records; resent after an unknown outcome only with idempotent_ids."""
        _at_most(flows, FLOW_BATCH, "record")
        call = Call(
            FLOW_CREATE,
            params={"employee_type": employee_type},
            body={"flow_records": [flow.to_wire() for flow in flows]},
        )
        idempotent = all(flow.idempotent_id for flow in flows)
        return self._t.call(call, _flows("flow_records"), idempotent=idempotent)

    def get_flow(self, record_id: str, *, employee_type: str = "employee_id") -> UserFlow:
        call = Call(
            FLOW_GET,
            path_params={"user_flow_id": record_id},
            params={"employee_type": employee_type},
        )
        return self._t.call(call, UserFlow.from_wire)

    def query_flows(
        self,
        user_ids: Sequence[str],
        check_time_from: int,
        check_time_to: int,
        *,
        employee_type: str = "employee_id",
        include_terminated: bool = False,
    ) -> list[UserFlow]:
        """Every punch of up to 50 users with ``check_time_from <= check_time < check_time_to``."""
        _at_most(user_ids, USER_BATCH, "user")
        call = Call(
            FLOW_QUERY,
            params={
                "employee_type": employee_type,
                "include_terminated_user": _flag(include_terminated),
            },
            body={
                "user_ids": list(user_ids),
                "check_time_from": str(check_time_from),
                "check_time_to": str(check_time_to),
            },
        )
        return self._t.call(call, _flows("user_flow_results"))

    def delete_flows(self, record_ids: Sequence[str]) -> BatchDelResult:
        """Delete 1–10 imported records; ids a lost earlier attempt deleted count as deleted."""
        _at_most(record_ids, DELETE_BATCH, "record id")
        call = Call(FLOW_DELETE, body={"record_ids": list(record_ids)})
        uncertain = False

        def note_uncertain() -> BatchDelResult | None:
            nonlocal uncertain
            uncertain = True
            return None  # resending is harmless; the answer is fixed up below

        result = self._t.call(call, BatchDelResult.from_wire, verify=note_uncertain)
        return self._recheck_failed(result) if uncertain and result.fail_record_ids else result

    def _recheck_failed(self, result: BatchDelResult) -> BatchDelResult:
        gone, kept = list(result.success_record_ids), []
        for record_id in result.fail_record_ids:
            try:
                self.get_flow(record_id)
            except FeishuError as error:
                if error.code != 1220001:  # the emulator's and Feishu's "no such record"
                    raise
                gone.append(record_id)
            else:
                kept.append(record_id)
        return BatchDelResult(success_record_ids=tuple(gone), fail_record_ids=tuple(kept))

    def query_tasks(
        self,
        user_ids: Sequence[str],
        date_from: datetime.date,
        date_to: datetime.date,
        *,
        employee_type: str = "employee_id",
        ignore_invalid_users: bool = True,
        include_terminated: bool = False,
        need_overtime_result: bool = False,
    ) -> TaskQueryResult:
        """Results of up to 50 users for each day from ``date_from`` to ``date_to`` inclusive."""
        _at_most(user_ids, USER_BATCH, "user")
        call = Call(
            TASK_QUERY,
            params={
                "employee_type": employee_type,
                "ignore_invalid_users": _flag(ignore_invalid_users),
                "include_terminated_user": _flag(include_terminated),
            },
            body={
                "user_ids": list(user_ids),
                "check_date_from": day_to_wire(date_from),
                "check_date_to": day_to_wire(date_to),
                "need_overtime_result": need_overtime_result,
            },
        )
        return self._t.call(call, TaskQueryResult.from_wire)

    # -- lifetime ------------------------------------------------------------

    def close(self) -> None:
        self._t.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _page(data: Mapping[str, Any]) -> tuple[list[RemoteShift], str | None, bool]:
    shifts = [shift_from_wire(item) for item in data.get("shift_list") or ()]
    token = data.get("page_token") or None
    if token is not None and not isinstance(token, str):
        raise TypeError("page_token is not a string")
    return shifts, token, bool(data.get("has_more"))


def _flows(key: str) -> Callable[[Mapping[str, Any]], list[UserFlow]]:
    return lambda data: [UserFlow.from_wire(item) for item in data.get(key) or ()]
