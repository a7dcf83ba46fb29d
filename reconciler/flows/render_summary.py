"""``tasks --summary``: one row per person, as a table, CSV or JSON; formatting only."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import asdict

from reconciler.flows.outcomes import PersonSummary
from reconciler.flows.render import csv_text, dumps
from reconciler.table import fit_table

__all__ = ["SUMMARY_COLUMNS", "render_summary"]

SUMMARY_COLUMNS = (
    "user_id",
    "employee_name",
    "days",
    "late",
    "early",
    "lack",
    "no_punch",
    "todo",
    "exception_days",
)
_HEADERS = ("USER", "NAME", "DAYS", "LATE", "EARLY", "LACK", "NO_PUNCH", "TODO", "EXC_DAYS")


def render_summary(
    people: Sequence[PersonSummary],
    fmt: str,
    *,
    first: datetime.date,
    last: datetime.date,
    invalid_user_ids: Sequence[str] = (),
    unauthorized_user_ids: Sequence[str] = (),
    width: int = 100,
    csv_raw: bool = False,
) -> str:
    """Per-person counts; JSON is ``{"from", "to", "people", "invalid_user_ids", …}``.

    Names and ids are the tenant's: escaped, and CSV cells neutralised, as every output.
    """
    records = [asdict(person) for person in people]
    if fmt == "json":
        document = {
            "from": first.isoformat(),
            "to": last.isoformat(),
            "people": records,
            "invalid_user_ids": list(invalid_user_ids),
            "unauthorized_user_ids": list(unauthorized_user_ids),
        }
        return dumps(document)
    if fmt == "csv":
        return csv_text(SUMMARY_COLUMNS, records, raw=csv_raw)
    cells = [tuple(str(record[name]) for name in SUMMARY_COLUMNS) for record in records]
    table = fit_table(_HEADERS, cells, width, flexible=(0, 1), empty="no results")
    flagged = sum(1 for person in people if person.has_exceptions)
    noun = "person" if len(people) == 1 else "people"
    return f"{table}\n{len(people)} {noun}, {flagged} with exceptions, {first} to {last}"
