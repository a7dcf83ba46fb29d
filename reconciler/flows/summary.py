"""What pass two of an import did: the counts, the failed batches, the exit-5 error.

Every row pass two reads ends in exactly one count: imported, already present,
failed or not sent, so a summary can prove no row was dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from reconciler.errors import PartialApplyError, ShiftctlError
from reconciler.flows.rows import PunchRow

__all__ = ["MAX_FAILED_IN_A_ROW", "FailedBatch", "ImportIncomplete", "ImportSummary", "Tally"]

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
    """What pass two did; ``not_sent_from`` is the first line left unsent after a stop.

    ``interrupted``: the stop was asked for (Ctrl-C), not forced by repeated failures.
    """

    imported: int = 0
    present: int = 0
    failed: tuple[FailedBatch, ...] = ()
    not_sent: int = 0
    not_sent_from: int | None = None
    batches: int = 0
    dry_run: bool = False
    interrupted: bool = False

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
        """Exit-5 errors: rows not imported, or a file that changed between the passes.

        A dry run changes nothing, so its incomplete checks are a plain error (exit 1).
        """
        if self.dry_run and not self.complete:
            why = "was interrupted" if self.interrupted else "could not look up every row"
            raise ShiftctlError(
                f"the dry run {why}: {self.failed_rows + self.not_sent} of {checked} rows "
                "not checked against Feishu; nothing was sent"
            )
        if self.handled != checked:
            raise PartialApplyError(
                f"{name} changed while it was imported: {checked} good rows were checked, "
                f"{self.handled} read the second time; run the import again"
            )
        if not self.complete:
            raise ImportIncomplete(self)


class ImportIncomplete(PartialApplyError):
    """Some rows were not imported; a re-run sends them and stores nothing twice."""

    def __init__(self, summary: ImportSummary) -> None:
        self.summary = summary
        failed, unsent = summary.failed_rows, summary.not_sent
        parts = [f"{failed} failed"] if failed else []
        if unsent:
            parts.append(f"{unsent} not sent")
        stop = "interrupted: " if summary.interrupted else ""
        super().__init__(
            f"{stop}{failed + unsent} row{'s' if failed + unsent != 1 else ''} not imported "
            f"({', '.join(parts)}); "
            "run the same import again: what is stored already is not sent twice"
        )


@dataclass(slots=True)
class Tally:
    """The running counts of pass two, turned into an :class:`ImportSummary` at the end."""

    dry_run: bool
    imported: int = 0
    present: int = 0
    failed: list[FailedBatch] = field(default_factory=list)
    failed_in_a_row: int = 0
    not_sent: int = 0
    not_sent_from: int | None = None
    batches: int = 0
    stopped: bool = False
    interrupted: bool = False

    def fail(self, batch: Sequence[PunchRow], reason: str, *, in_a_row: bool = True) -> None:
        """``batch`` was not imported; ``in_a_row``: it counts towards stopping the import."""
        self.failed.append(FailedBatch(tuple(r.line for r in batch), reason))
        if in_a_row:
            self.count_failure(failed=True)

    def count_failure(self, *, failed: bool) -> None:
        """One more batch failed (or one succeeded); too many failures in a row stop the rest."""
        self.failed_in_a_row = self.failed_in_a_row + 1 if failed else 0
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
            interrupted=self.interrupted,
        )
