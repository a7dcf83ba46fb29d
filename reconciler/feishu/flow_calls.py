"""The punch-record and result calls of :class:`~reconciler.feishu.FeishuClient`.

Imports settle a replayed ``idempotent_id`` that Feishu answers with an error
("the object already exists … 请检查业务幂等id是否重复"): the records already
stored are looked up and counted as present, the rest are sent again.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from reconciler.feishu.calls import Call
from reconciler.feishu.codes import PARAM_INVALID
from reconciler.feishu.endpoints import FLOW_CREATE, FLOW_DELETE, FLOW_GET, FLOW_QUERY, TASK_QUERY
from reconciler.feishu.envelope import Envelope, data_of
from reconciler.feishu.errors import AlreadyExists, FeishuError, NotFound
from reconciler.feishu.limits import DELETE_BATCH, FLOW_BATCH, USER_BATCH
from reconciler.feishu.transport import Transport
from reconciler.feishu.types import (
    BatchDelResult,
    FlowImport,
    TaskQueryResult,
    UserFlow,
    day_to_wire,
)

__all__ = ["FlowCalls"]

# The code the emulator and older tenants answer for a record id they do not have.


def _flag(value: bool) -> str:
    return "true" if value else "false"


def at_most(items: Sequence[Any], limit: int, what: str) -> None:
    if not items:
        raise ValueError(f"at least one {what} is needed")
    if len(items) > limit:
        raise ValueError(f"at most {limit} {what}s per call, got {len(items)}")


class FlowCalls:
    """user_flows batch_create / get / query / batch_del and user_tasks query."""

    _t: Transport

    def create_flows(
        self, flows: Sequence[UserFlow], *, employee_type: str = "employee_id"
    ) -> list[UserFlow]:
        """Import up to 50 records; the stored records, those already there included."""
        return list(self.import_flows(flows, employee_type=employee_type).records)

    def import_flows(
        self, flows: Sequence[UserFlow], *, employee_type: str = "employee_id"
    ) -> FlowImport:
        """Import up to 50 records, resent after an unknown outcome only with idempotent_ids.

        A replay refused as "already exists" is looked up: records found stored
        are ``present``; if the look-up cannot see them (Feishu's query returns
        valid punches only), each record goes alone, so the refusal names it.
        """
        at_most(flows, FLOW_BATCH, "record")
        pending: list[UserFlow] = list(flows)
        present: list[UserFlow] = []
        while pending:
            try:
                return FlowImport(tuple(self._send_flows(pending, employee_type)), tuple(present))
            except AlreadyExists:
                if not all(flow.idempotent_id for flow in pending):
                    raise  # not a replay we can settle: the error is the answer
                found = self._stored(pending, employee_type)
                if not found:
                    return self._one_by_one(pending, present, employee_type)
                present += found.values()
                pending = [f for f in pending if f.idempotent_id not in found]
        return FlowImport((), tuple(present))

    def _send_flows(self, flows: Sequence[UserFlow], employee_type: str) -> list[UserFlow]:
        call = Call(
            FLOW_CREATE,
            params={"employee_type": employee_type},
            body={"flow_records": [flow.to_wire() for flow in flows]},
        )
        idempotent = all(flow.idempotent_id for flow in flows)
        return self._t.call(call, _flows("flow_records"), idempotent=idempotent)

    def _stored(self, flows: Sequence[UserFlow], employee_type: str) -> dict[str, UserFlow]:
        """The records of ``flows`` Feishu has already, by idempotent_id (or identity)."""
        users = sorted({f.user_id for f in flows})[:USER_BATCH]
        start = min(f.check_time for f in flows)
        end = max(f.check_time for f in flows) + 1
        stored = self.query_flows(
            users, start, end, employee_type=employee_type, include_terminated=True
        )
        by_key = {f.idempotent_id: f for f in stored if f.idempotent_id}
        by_identity = {_identity(f): f for f in stored}
        found: dict[str, UserFlow] = {}
        for flow in flows:
            key = str(flow.idempotent_id)
            match = by_key.get(key) or by_identity.get(_identity(flow))
            if match is not None:
                found[key] = match
        return found

    def _one_by_one(
        self, flows: Sequence[UserFlow], present: list[UserFlow], employee_type: str
    ) -> FlowImport:
        created: list[UserFlow] = []
        for flow in flows:
            try:
                created += self._send_flows([flow], employee_type)
            except AlreadyExists:
                present.append(flow)  # alone, the refusal can only be about this record
        return FlowImport(tuple(created), tuple(present))

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
        """Punches of up to 50 users with ``check_time_from <= check_time < check_time_to``."""
        at_most(user_ids, USER_BATCH, "user")
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
        at_most(record_ids, DELETE_BATCH, "record id")
        call = Call(FLOW_DELETE, body={"record_ids": list(record_ids)}, flat=True)
        uncertain = False

        def note_uncertain() -> BatchDelResult | None:
            nonlocal uncertain
            uncertain = True
            return None  # resending is harmless; the answer is fixed up below

        result = self._t.call(call, _deleted, verify=note_uncertain)
        return self._recheck_failed(result) if uncertain and result.fail_record_ids else result

    def _recheck_failed(self, result: BatchDelResult) -> BatchDelResult:
        gone, kept = list(result.success_record_ids), []
        for record_id in result.fail_record_ids:
            try:
                self.get_flow(record_id)
            except FeishuError as error:
                if not isinstance(error, NotFound) and error.code != PARAM_INVALID:
                    raise
                gone.append(record_id)
            else:
                kept.append(record_id)
        reasons = tuple((r, why) for r, why in result.reasons if r in kept)
        return BatchDelResult(tuple(gone), tuple(kept), reasons)

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
        at_most(user_ids, USER_BATCH, "user")
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


def _identity(flow: UserFlow) -> tuple[str, int, str, str]:
    return (flow.user_id, flow.check_time, flow.location_name, flow.external_id or "")


def _deleted(envelope: Envelope) -> BatchDelResult:
    return BatchDelResult.from_wire(data_of(envelope), str(envelope.get("msg") or ""))


def _flows(key: str) -> Callable[[Mapping[str, Any]], list[UserFlow]]:
    return lambda data: [UserFlow.from_wire(item) for item in data.get(key) or ()]
