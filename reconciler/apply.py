"""Execute a ``Plan`` through the client: creates, then updates, then deletes.

Operations within a phase run concurrently (bounded); the client paces each endpoint.
No delete runs once anything has failed. Every operation ends in the report.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from reconciler.errors import ShiftctlError
from reconciler.model import CurrentShift, Shift
from reconciler.plan import Change, Create, Delete, Plan, Update

log = logging.getLogger(__name__)

__all__ = ["ApplyReport", "Outcome", "ShiftWriter", "apply_plan"]

Status = Literal["applied", "failed", "skipped"]
SKIPPED_AFTER_FAILURE = "not run: an earlier operation failed, and no delete runs after a failure"


class ShiftWriter(Protocol):
    """The three client calls apply needs (``reconciler.feishu.FeishuClient`` has them)."""

    def create_shift(self, shift: Shift) -> CurrentShift: ...

    def update_shift(self, shift_id: str, shift: Shift) -> CurrentShift: ...

    def delete_shift(self, shift_id: str) -> None: ...


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one operation; Feishu's ``code``/``msg``/``log_id`` on failure."""

    action: str
    shift_name: str
    status: Status
    shift_id: str | None = None
    code: int | None = None
    msg: str | None = None
    http_status: int | None = None
    log_id: str | None = None
    reason: str | None = None
    seconds: float = 0.0
    hint: str | None = None
    #: The shift as the tenant answered the write (not in the report; for verification).
    answer: CurrentShift | None = field(default=None, compare=False, repr=False)

    def document(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "shift_name": self.shift_name,
            "shift_id": self.shift_id,
            "status": self.status,
            "code": self.code,
            "msg": self.msg,
            "http_status": self.http_status,
            "log_id": self.log_id,
            "reason": self.reason,
            "hint": self.hint,
            "seconds": round(self.seconds, 6),
        }


@dataclass(frozen=True, slots=True)
class ApplyReport:
    """Every operation of one apply, in plan order, and how long the whole run took."""

    outcomes: tuple[Outcome, ...]
    seconds: float = 0.0

    def count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.status == "failed")

    @property
    def ok(self) -> bool:
        return not any(o.status != "applied" for o in self.outcomes)

    def document(self) -> dict[str, Any]:
        return {
            "format_version": 1,
            "summary": {s: self.count(s) for s in ("applied", "failed", "skipped")},
            "seconds": round(self.seconds, 6),
            "operations": [o.document() for o in self.outcomes],
        }


def apply_plan(
    plan: Plan,
    client: ShiftWriter,
    *,
    concurrency: int = 8,
    on_done: Callable[[Outcome], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> ApplyReport:
    """Run ``plan``; refuses a plan a guard blocks. ``on_done`` sees each outcome as it lands.

    ``on_done`` is called from worker threads; callers that draw must hold their own lock.
    No delete starts once any operation has failed (it is reported as skipped).
    """
    plan.raise_if_blocked()
    started = clock()
    outcomes: list[Outcome] = []
    run = _Runner(client, on_done, clock, threading.Event())
    for phase in (plan.creates, plan.updates, plan.deletes):
        outcomes += _run_phase(phase, run, concurrency)
    return ApplyReport(tuple(outcomes), clock() - started)


@dataclass(frozen=True, slots=True)
class _Runner:
    """Runs one operation; once any has failed, deletes not yet started are skipped."""

    client: ShiftWriter
    on_done: Callable[[Outcome], None] | None
    clock: Callable[[], float]
    failed: threading.Event

    def __call__(self, change: Change) -> Outcome:
        if isinstance(change, Delete) and self.failed.is_set():
            outcome = _skipped(change, SKIPPED_AFTER_FAILURE)
        else:
            outcome = _execute(change, self.client, self.clock)
            if outcome.status == "failed":
                self.failed.set()
        log.debug("%s %s %r: %s", outcome.status, change.action, change.name, outcome.msg or "")
        if self.on_done is not None:
            self.on_done(outcome)
        return outcome


def _run_phase(phase: Sequence[Change], run: _Runner, concurrency: int) -> list[Outcome]:
    workers = max(1, min(concurrency, len(phase)))
    if workers == 1:
        return [run(change) for change in phase]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="shiftctl-apply") as pool:
        futures = [pool.submit(run, change) for change in phase]
        try:
            return [future.result() for future in futures]
        except BaseException:
            # Interrupted (Ctrl-C): start nothing new; a re-run converges.
            for future in futures:
                future.cancel()
            raise


def _execute(change: Change, client: ShiftWriter, clock: Callable[[], float]) -> Outcome:
    started = clock()
    shift_id = None if isinstance(change, Create) else change.shift_id
    answer = None
    try:
        if isinstance(change, Create):
            answer = client.create_shift(change.shift)
            shift_id = answer.shift_id
        elif isinstance(change, Update):
            answer = client.update_shift(change.shift_id, change.after)
        else:
            client.delete_shift(change.shift_id)
    except ShiftctlError as exc:
        return Outcome(
            change.action,
            change.name,
            "failed",
            shift_id=shift_id,
            code=getattr(exc, "code", None),
            msg=getattr(exc, "msg", None) or str(exc),
            http_status=getattr(exc, "http_status", None),
            log_id=getattr(exc, "log_id", None),
            seconds=clock() - started,
            hint=getattr(exc, "hint", None) or None,
        )
    seconds = clock() - started
    return Outcome(change.action, change.name, "applied", shift_id, seconds=seconds, answer=answer)


def _skipped(change: Change, reason: str) -> Outcome:
    shift_id = None if isinstance(change, Create) else change.shift_id
    return Outcome(change.action, change.name, "skipped", shift_id, reason=reason)
