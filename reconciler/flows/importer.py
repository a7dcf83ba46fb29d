"""The second pass of an import: good rows sent in batches of 50, each punch stored once.

Before a batch goes out, the punches already stored for its users and time
span are looked up (the next batch's look-up runs while this one is sent): a
row whose ``idempotent_id`` or identity is there counts as already present and
is not sent again. The ``idempotent_id`` covers what a look-up cannot: retries
after a lost answer and imports running at the same time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from reconciler.errors import PartialApplyError
from reconciler.feishu.client import FeishuClient
from reconciler.feishu.errors import AuthError, FeishuError, PermissionDenied
from reconciler.feishu.limits import FLOW_BATCH, chunked
from reconciler.flows.rows import PunchRow, identity_key

__all__ = ["FailedBatch", "ImportIncomplete", "ImportSummary", "send_rows"]

# After this many failed batches in a row the rest are not sent: the remote is
# down, not one batch bad, and each failure already waited out its retries.
MAX_FAILED_IN_A_ROW = 3


@dataclass(frozen=True, slots=True)
class FailedBatch:
    """A batch Feishu did not take: every row's line, and why."""

    lines: tuple[int, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What pass two did; ``not_sent_from`` is the first line left unsent after a stop."""

    imported: int = 0
    present: int = 0
    failed: tuple[FailedBatch, ...] = ()
    not_sent: int = 0
    not_sent_from: int | None = None
    batches: int = 0
    dry_run: bool = False

    @property
    def failed_rows(self) -> int:
        return sum(len(batch.lines) for batch in self.failed)

    @property
    def complete(self) -> bool:
        return not self.failed and not self.not_sent

    @property
    def handled(self) -> int:
        """Rows pass two read: every one is imported, present, failed or not sent."""
        return self.imported + self.present + self.failed_rows + self.not_sent

    def raise_if_incomplete(self, *, checked: int, name: str) -> None:
        """Exit-5 errors: rows not imported, or a file that changed between the passes."""
        if self.handled != checked:
            raise PartialApplyError(
                f"{name} changed while it was imported: {checked} good rows were checked, "
                f"{self.handled} read the second time; run the import again"
            )
        if not self.complete:
            raise ImportIncomplete(self)


Progress = Callable[[int], None]


class ImportIncomplete(PartialApplyError):
    """Some rows were not imported; a re-run sends them and stores nothing twice."""

    def __init__(self, summary: ImportSummary) -> None:
        self.summary = summary
        failed, unsent = summary.failed_rows, summary.not_sent
        parts = [f"{failed} failed"] if failed else []
        if unsent:
            parts.append(f"{unsent} not sent")
        super().__init__(
            f"{failed + unsent} rows not imported ({', '.join(parts)}); "
            "run the same import again: what is stored already is not sent twice"
        )


def send_rows(
    client: FeishuClient,
    rows: Iterable[PunchRow],
    *,
    employee_type: str,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import ``rows`` (pass two); with ``dry_run`` only the look-ups run.

    Raises the remote error when the credentials or permissions are refused
    before anything was stored.
    """
    tally = _Tally(dry_run=dry_run)
    batches = chunked(rows, FLOW_BATCH)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="flows-lookup") as pool:

        def look_up(batch: list[PunchRow] | None) -> Future[frozenset[str]] | None:
            if batch is None or tally.stopped:
                return None
            return pool.submit(_stored_ids, client, batch, employee_type)

        current = next(batches, None)
        pending = look_up(current)
        while current is not None:
            following = next(batches, None)
            ahead = look_up(following)
            if pending is None or tally.stopped:
                tally.skip(current)
            else:
                _handle(client, current, pending, employee_type, tally)
            if progress is not None:
                progress(len(current))
            current, pending = following, ahead
    return tally.summary()


def _handle(
    client: FeishuClient,
    batch: list[PunchRow],
    lookup: Future[frozenset[str]],
    employee_type: str,
    tally: _Tally,
) -> None:
    try:
        stored = lookup.result()
    except FeishuError as error:
        _failed(batch, error, tally, "could not look up the stored punches: ")
        return
    fresh = _fresh_rows(batch, stored, tally, employee_type)
    if not fresh:
        return
    if tally.dry_run:
        tally.imported += len(fresh)
        return
    tally.batches += 1
    flows = [row.to_flow(employee_type) for row in fresh]
    try:
        client.create_flows(flows, employee_type=employee_type)
    except FeishuError as error:
        _failed(fresh, error, tally, "")
    else:
        tally.imported += len(fresh)
        tally.failed_in_a_row = 0


def _failed(rows: Sequence[PunchRow], error: FeishuError, tally: _Tally, prefix: str) -> None:
    if isinstance(error, AuthError | PermissionDenied):
        if not tally.imported and not tally.failed:
            raise error  # nothing stored yet: a plain error, not a partial import
        tally.stopped = True
    tally.fail(rows, prefix + str(error))


@dataclass(slots=True)
class _Tally:
    dry_run: bool
    imported: int = 0
    present: int = 0
    failed: list[FailedBatch] = field(default_factory=list)
    failed_in_a_row: int = 0
    not_sent: int = 0
    not_sent_from: int | None = None
    batches: int = 0
    stopped: bool = False
    previous: frozenset[str] = frozenset()

    def fail(self, batch: Sequence[PunchRow], reason: str) -> None:
        self.failed.append(FailedBatch(tuple(r.line for r in batch), reason))
        self.previous = frozenset()  # nothing of this batch was stored
        self.failed_in_a_row += 1
        self.stopped = self.stopped or self.failed_in_a_row >= MAX_FAILED_IN_A_ROW

    def skip(self, batch: Sequence[PunchRow]) -> None:
        if self.not_sent_from is None:
            self.not_sent_from = batch[0].line
        self.not_sent += len(batch)

    def summary(self) -> ImportSummary:
        return ImportSummary(
            imported=self.imported,
            present=self.present,
            failed=tuple(self.failed),
            not_sent=self.not_sent,
            not_sent_from=self.not_sent_from,
            batches=self.batches,
            dry_run=self.dry_run,
        )


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


def _fresh_rows(
    batch: Sequence[PunchRow], stored: frozenset[str], tally: _Tally, employee_type: str
) -> list[PunchRow]:
    """Rows not stored yet; a row repeated in the file, or sent in the batch before, counts once."""
    fresh: list[PunchRow] = []
    seen: set[str] = set(tally.previous)
    for row in batch:
        key = row.idempotent_id(employee_type)
        if key in stored or key in seen:
            tally.present += 1
        else:
            seen.add(key)
            fresh.append(row)
    # The next batch's look-up ran while this batch was sent: remember what it may miss.
    tally.previous = frozenset(row.idempotent_id(employee_type) for row in fresh)
    return fresh
