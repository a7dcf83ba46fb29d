"""Punch records (user flows) in and out of Feishu, and the results it computes (user tasks).

An import reads its file twice, streaming: every row is checked first, then
the good rows go out 50 to a batch with a deterministic ``idempotent_id``.
"""

from reconciler.feishu.types import UserFlow
from reconciler.flows.checking import (
    BadRows,
    FileCheck,
    InputFile,
    check_file,
    good_rows,
    open_input,
    refuse_bad,
    unknown_users,
    with_unknown_users,
)
from reconciler.flows.interrupt import stop_on_interrupt
from reconciler.flows.outcomes import PersonSummary, due_off_time, is_exception, summarize
from reconciler.flows.reading import (
    DeleteOutcome,
    delete_flows,
    distinct,
    names_of,
    query_flows,
    query_tasks,
    read_shifts,
    shift_names,
)
from reconciler.flows.render import OutputFormat, dumps, render_flow, render_flows, render_tasks
from reconciler.flows.render_summary import render_summary
from reconciler.flows.report import (
    delete_json,
    delete_lines,
    import_failures,
    import_line,
    logged_progress,
)
from reconciler.flows.rows import PunchRow, check_row, identity_key
from reconciler.flows.send import FailedBatch, ImportIncomplete, ImportSummary, send_rows
from reconciler.flows.sources import FORMATS, Format, RowProblem, infer_format
from reconciler.flows.times import DEFAULT_TZ, parse_day, parse_when, zone
from reconciler.flows.zones import GroupZones, by_zone, reading_zones, task_zones, user_zones

__all__ = [
    "DEFAULT_TZ",
    "FORMATS",
    "BadRows",
    "DeleteOutcome",
    "FailedBatch",
    "FileCheck",
    "Format",
    "GroupZones",
    "ImportIncomplete",
    "ImportSummary",
    "InputFile",
    "OutputFormat",
    "PersonSummary",
    "PunchRow",
    "RowProblem",
    "UserFlow",
    "by_zone",
    "check_file",
    "check_row",
    "delete_flows",
    "delete_json",
    "delete_lines",
    "distinct",
    "due_off_time",
    "dumps",
    "good_rows",
    "identity_key",
    "import_failures",
    "import_line",
    "infer_format",
    "is_exception",
    "logged_progress",
    "names_of",
    "open_input",
    "parse_day",
    "parse_when",
    "query_flows",
    "query_tasks",
    "read_shifts",
    "reading_zones",
    "refuse_bad",
    "render_flow",
    "render_flows",
    "render_summary",
    "render_tasks",
    "send_rows",
    "shift_names",
    "stop_on_interrupt",
    "summarize",
    "task_zones",
    "unknown_users",
    "user_zones",
    "with_unknown_users",
    "zone",
]
