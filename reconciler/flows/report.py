"""What an import or a delete did, as the lines a person reads and the JSON a script reads."""

from __future__ import annotations

import logging
from collections.abc import Callable

from reconciler.flows.checking import FileCheck
from reconciler.flows.reading import DeleteOutcome
from reconciler.flows.render import dumps
from reconciler.flows.send import ImportSummary
from reconciler.safetext import escape

__all__ = ["delete_json", "delete_lines", "import_failures", "import_line", "logged_progress"]

log = logging.getLogger(__name__)


def logged_progress(total: int) -> Callable[[int], None]:
    """Progress without a terminal: a log line (shown with -v) per tenth of ``total`` rows."""
    done = 0

    def note(count: int) -> None:
        nonlocal done
        before, done = done, done + count
        if before * 10 // max(total, 1) != done * 10 // max(total, 1):
            log.info("%d of %d rows handled", done, total)

    return note


def import_failures(name: str, summary: ImportSummary) -> list[str]:
    """One ``FILE:LINE: not imported: reason`` per failed row, then where sending stopped."""
    lines = [
        f"{escape(name)}:{line}: not imported: {escape(batch.reason)}"
        for batch in summary.failed
        for line in batch.lines
    ]
    if summary.not_sent:
        why = "interrupted" if summary.interrupted else "stopped after repeated failures"
        lines.append(
            f"{escape(name)}:{summary.not_sent_from}: this row and {summary.not_sent - 1} after it "
            f"were not sent ({why})"
        )
    return lines


def import_line(
    name: str, check: FileCheck, summary: ImportSummary, calls: int | None = None
) -> str:
    """``week.csv: imported 120, already present 30, failed 0 (3 batches, 8 API calls)``."""
    verb = "would import" if summary.dry_run else "imported"
    parts = [
        f"{verb} {summary.imported}",
        f"already present {summary.present}",
        f"failed {summary.failed_rows}",
    ]
    if summary.not_sent:
        parts.append(f"not sent {summary.not_sent}")
    if check.problems:
        parts.append(f"skipped as invalid {len(check.problems)}")
    batches = f"{summary.batches} batch{'es' if summary.batches != 1 else ''}"
    spent = "" if calls is None else f"{calls} API call{'s' if calls != 1 else ''}"
    if summary.dry_run:
        tail = f"; nothing was sent ({spent})" if spent else "; nothing was sent"
    else:
        tail = f" ({batches}, {spent})" if spent else f" ({batches})"
    return f"{escape(name)}: {', '.join(parts)}{tail}"


def delete_lines(outcome: DeleteOutcome) -> tuple[list[str], list[str]]:
    """(standard output, standard error): each deleted id, each failure, a count."""
    out = [f"deleted {escape(record_id)}" for record_id in outcome.deleted]
    err = [f"failed {escape(record_id)}: {escape(why)}" for record_id, why in outcome.failed]
    out.append(f"{len(outcome.deleted)} deleted, {len(outcome.failed)} failed")
    return out, err


def delete_json(outcome: DeleteOutcome) -> str:
    failed = [{"record_id": record_id, "reason": why} for record_id, why in outcome.failed]
    return dumps({"deleted": list(outcome.deleted), "failed": failed})
