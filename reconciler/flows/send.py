"""The second pass of an import: good rows sent in batches of 50, each punch stored once.

Before a batch goes out, the punches already stored for its users and time
span are looked up: a row whose ``idempotent_id`` or identity is there counts
as already present and is not sent again. Look-ups run ahead and two batches
may be in flight, so the client's pacing, not round trips, sets the speed; the
``idempotent_id`` covers what a look-up cannot see (retries after a lost
answer, imports running at the same time). A replay Feishu refuses ("the
object already exists") is settled by the client and counted as already present.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from reconciler.feishu.client import FeishuClient
from reconciler.feishu.codes import USER_REFUSED
from reconciler.feishu.errors import AuthError, FeishuError, PermissionDenied
from reconciler.feishu.limits import FLOW_BATCH, chunked
from reconciler.feishu.types import FlowImport
from reconciler.flows.rows import PunchRow, identity_key
from reconciler.flows.summary import FailedBatch, ImportIncomplete, ImportSummary, Tally

__all__ = ["FailedBatch", "ImportIncomplete", "ImportSummary", "send_rows"]

# Creates in flight at once: enough to hide a round trip behind the pacing.
IN_FLIGHT = 2
# A look-up may not see batches still in flight when it started: the rows of
# this many recent batches are remembered to catch repeats across them.
RECENT = IN_FLIGHT + 1


Progress = Callable[[int], None]


def send_rows(
    client: FeishuClient,
    rows: Iterable[PunchRow],
    *,
    employee_type: str,
    dry_run: bool = False,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> ImportSummary:
    """Import ``rows`` (pass two); with ``dry_run`` only the look-ups run.

    Once ``stop`` is set, no new batch starts: the batches in flight finish and
    every later row is counted as not sent. Raises the remote error when the
    credentials or permissions are refused before anything was stored.
    """
    with ThreadPoolExecutor(max_workers=1 + IN_FLIGHT, thread_name_prefix="flows") as pool:
        pipeline = _Pipeline(client, pool, employee_type, dry_run, progress, stop)
        batches = chunked(rows, FLOW_BATCH)
        current = next(batches, None)
        pending = pipeline.look_up(current)
        while current is not None:
            following = next(batches, None)
            ahead = pipeline.look_up(following)
            pipeline.handle(current, pending)
            current, pending = following, ahead
        pipeline.drain()
    return pipeline.tally.summary()


class _Pipeline:
    """Look-ups one batch ahead, up to IN_FLIGHT creates outstanding, results in order."""

    def __init__(
        self,
        client: FeishuClient,
        pool: ThreadPoolExecutor,
        employee_type: str,
        dry_run: bool,
        progress: Progress | None,
        stop: threading.Event | None,
    ) -> None:
        self.client = client
        self.pool = pool
        self.employee_type = employee_type
        self.progress = progress or (lambda _: None)
        self.stop = stop or threading.Event()
        self.tally = Tally(dry_run=dry_run)
        self.in_flight: deque[tuple[list[PunchRow], int, Future[FlowImport]]] = deque()
        self.recent: deque[frozenset[str]] = deque(maxlen=RECENT)

    def look_up(self, batch: list[PunchRow] | None) -> Future[frozenset[str]] | None:
        if batch is None or self._stopped():
            return None
        return self.pool.submit(_stored_ids, self.client, batch, self.employee_type)

    def _stopped(self) -> bool:
        if self.stop.is_set() and not self.tally.stopped:
            self.tally.stopped = self.tally.interrupted = True
        return self.tally.stopped

    def handle(self, batch: list[PunchRow], lookup: Future[frozenset[str]] | None) -> None:
        if lookup is None or self._stopped():
            self.tally.skip(batch)
            self.progress(len(batch))
            return
        try:
            stored = lookup.result()
        except FeishuError as error:
            self._failed(batch, error, "could not look up the stored punches: ")
            self.progress(len(batch))
            return
        fresh = self._fresh(batch, stored)
        if not fresh or self.tally.dry_run:
            self.tally.imported += len(fresh)
            self.progress(len(batch))
            return
        if self._make_room():
            self.tally.skip(fresh)
            self.progress(len(batch))
            return
        flows = [row.to_flow(self.employee_type) for row in fresh]
        sent = self.pool.submit(self.client.import_flows, flows, employee_type=self.employee_type)
        self.in_flight.append((fresh, len(batch), sent))
        self.tally.batches += 1

    def _make_room(self) -> bool:
        """Wait until a create may start; True when a failure meanwhile stopped the import."""
        while len(self.in_flight) >= IN_FLIGHT:
            self._collect()
        return self._stopped()

    def drain(self) -> None:
        while self.in_flight:
            self._collect()

    def _collect(self) -> None:
        fresh, size, sent = self.in_flight.popleft()
        try:
            result = sent.result()
        except FeishuError as error:
            if error.code == USER_REFUSED and len({row.user_id for row in fresh}) > 1:
                self._user_by_user(fresh)
            else:
                self._failed(fresh, error, "")
        else:
            self._stored(len(fresh), result)
            self.tally.failed_in_a_row = 0
        self.progress(size)

    def _stored(self, rows: int, result: FlowImport) -> None:
        self.tally.present += len(result.present)
        self.tally.imported += rows - len(result.present)

    def _user_by_user(self, rows: Sequence[PunchRow]) -> None:
        """A batch refused for a user (one who left, say): each user's rows again on their
        own, so only the refused user's rows fail. Their idempotent_ids make resending safe."""
        by_user: dict[str, list[PunchRow]] = {}
        for row in rows:
            by_user.setdefault(row.user_id, []).append(row)
        stored = False
        for group in by_user.values():
            flows = [row.to_flow(self.employee_type) for row in group]
            self.tally.batches += 1
            try:
                result = self.client.import_flows(flows, employee_type=self.employee_type)
            except FeishuError as error:
                self.tally.fail(group, str(error), in_a_row=False)
            else:
                self._stored(len(group), result)
                stored = True
        # One bad user is not the remote being down; a batch with nothing stored still is.
        self.tally.count_failure(failed=not stored)

    def _fresh(self, batch: Sequence[PunchRow], stored: frozenset[str]) -> list[PunchRow]:
        """Rows not stored yet; a row repeated in the file counts once."""
        fresh: list[PunchRow] = []
        seen: set[str] = set().union(*self.recent)
        for row in batch:
            key = row.idempotent_id(self.employee_type)
            if key in stored or key in seen:
                self.tally.present += 1
            else:
                seen.add(key)
                fresh.append(row)
        self.recent.append(frozenset(row.idempotent_id(self.employee_type) for row in fresh))
        return fresh

    def _failed(self, rows: Sequence[PunchRow], error: FeishuError, prefix: str) -> None:
        tally = self.tally
        if isinstance(error, AuthError | PermissionDenied):
            if not tally.imported and not tally.failed:
                raise error  # nothing stored yet: a plain error, not a partial import
            tally.stopped = True
        tally.fail(rows, prefix + str(error))


def _stored_ids(
    client: FeishuClient, batch: Sequence[PunchRow], employee_type: str
) -> frozenset[str]:
    """The idempotent ids (stored or recomputed) of punches already there for this batch."""
    users = sorted({row.user_id for row in batch})
    start = min(row.check_time for row in batch)
    end = max(row.check_time for row in batch) + 1
    stored = client.query_flows(
        users, start, end, employee_type=employee_type, include_terminated=False
    )
    found: set[str] = set()
    for flow in stored:
        if flow.idempotent_id:
            found.add(flow.idempotent_id)
        found.add(
            identity_key(
                employee_type, flow.user_id, flow.check_time, flow.location_name, flow.external_id
            )
        )
    return frozenset(found)
