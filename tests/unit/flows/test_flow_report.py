"""The import and delete reports, from hand-built outcomes."""

from __future__ import annotations

import dataclasses
import json

from reconciler.flows.checking import FileCheck
from reconciler.flows.reading import DeleteOutcome
from reconciler.flows.report import delete_json, delete_lines, import_failures, import_line
from reconciler.flows.send import FailedBatch, ImportSummary
from reconciler.flows.sources import RowProblem

CLEAN = FileCheck(good=3, problems=(), users=frozenset({"u1"}))


def test_the_import_line_counts_each_kind_of_row() -> None:
    summary = ImportSummary(imported=2, present=1, batches=1)
    assert import_line("w.csv", CLEAN, summary) == (
        "w.csv: imported 2, already present 1, failed 0 (1 batch)"
    )
    dry = ImportSummary(imported=3, dry_run=True)
    assert import_line("w.csv", CLEAN, dry) == (
        "w.csv: would import 3, already present 0, failed 0; nothing was sent"
    )


def test_the_import_line_says_what_the_run_spent() -> None:
    summary = ImportSummary(imported=2, present=1, batches=1)
    assert import_line("w.csv", CLEAN, summary, calls=5) == (
        "w.csv: imported 2, already present 1, failed 0 (1 batch, 5 API calls)"
    )
    dry = ImportSummary(imported=3, dry_run=True)
    assert import_line("w.csv", CLEAN, dry, calls=1) == (
        "w.csv: would import 3, already present 0, failed 0; nothing was sent (1 API call)"
    )


def test_skipped_and_failed_rows_are_counted_and_listed_by_line() -> None:
    check = FileCheck(good=5, problems=(RowProblem("w.csv", 9, "bad"),), users=frozenset())
    summary = ImportSummary(
        imported=1,
        failed=(FailedBatch((2, 3), "internal server error (code 1225000)"),),
        not_sent=2,
        not_sent_from=7,
        batches=2,
    )
    assert import_line("w.csv", check, summary) == (
        "w.csv: imported 1, already present 0, failed 2, not sent 2, skipped as invalid 1 "
        "(2 batches)"
    )
    assert import_failures("w.csv", summary) == [
        "w.csv:2: not imported: internal server error (code 1225000)",
        "w.csv:3: not imported: internal server error (code 1225000)",
        "w.csv:7: this row and 1 after it were not sent (stopped after repeated failures)",
    ]
    stopped = dataclasses.replace(summary, interrupted=True)
    assert import_failures("w.csv", stopped)[-1] == (
        "w.csv:7: this row and 1 after it were not sent (interrupted)"
    )


def test_the_delete_report_lists_each_id_in_text_and_json() -> None:
    outcome = DeleteOutcome(deleted=("1", "2"), failed=(("3", "not deleted"),))
    out, err = delete_lines(outcome)
    assert out == ["deleted 1", "deleted 2", "2 deleted, 1 failed"]
    assert err == ["failed 3: not deleted"]
    assert json.loads(delete_json(outcome)) == {
        "deleted": ["1", "2"],
        "failed": [{"record_id": "3", "reason": "not deleted"}],
    }
