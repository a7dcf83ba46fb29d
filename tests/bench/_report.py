"""The benchmarks' output: a plain-text table on stdout and one JSON report file.

Each benchmark adds its own section to the report, so a full run leaves every number in one
file: ``.cache/bench/engine.json`` under the repository, or the path in ``SHIFTCTL_BENCH_REPORT``.
docs/benchmarks.md is generated from that file (``python -m tests.bench.render_doc``).

A section is the benchmark's own numbers plus ``measured_at``, ``benchmark`` (the test) and
``machine``. Passing
``table=`` to ``record`` also stores the printed table (``title``, ``headers``, ``rows``),
and ``checks=`` the targets with their measured values; the document shows both as they
are. A section without a table is shown as its numbers, one row per key.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parents[2]
REPORT_ENV = "SHIFTCTL_BENCH_REPORT"


@dataclass(frozen=True, slots=True)
class Table:
    """What a benchmark prints, kept in the report so the document can show the same rows."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]

    def text(self) -> str:
        return table(self.title, self.headers, self.rows)

    def as_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "headers": list(self.headers),
            "rows": [[_plain(value) for value in row] for row in self.rows],
        }


@dataclass(frozen=True, slots=True)
class Check:
    """One target: what is measured, its value, the limit and whether it was met."""

    what: str
    value: float
    target: str
    met: bool

    def as_json(self) -> dict[str, Any]:
        return {"what": self.what, "value": self.value, "target": self.target, "met": self.met}


def report_path() -> Path:
    configured = os.environ.get(REPORT_ENV)
    return Path(configured) if configured else ROOT / ".cache" / "bench" / "engine.json"


def machine() -> dict[str, Any]:
    """What the numbers were measured on; the load average shows how shared the machine was."""
    one, five, _ = os.getloadavg()
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "load_average_1m": round(one, 2),
        "load_average_5m": round(five, 2),
    }


def record(
    section: str,
    data: Mapping[str, Any],
    *,
    table: Table | None = None,
    checks: Sequence[Check] = (),
) -> Path:
    """Store ``data`` as ``section`` of the report, keeping the other sections of earlier runs."""
    path = report_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        report = {}
    if not isinstance(report, dict):
        report = {}
    extra: dict[str, Any] = {}
    if table is not None:
        extra["table"] = table.as_json()
    if checks:
        extra["checks"] = [check.as_json() for check in checks]
    report.setdefault("benchmarks", {})[section] = {
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "benchmark": _current_test(),
        "machine": machine(),
        **data,
        **extra,
    }
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _current_test() -> str | None:
    """The pytest test that measured the section (``PYTEST_CURRENT_TEST``, without its phase)."""
    current = os.environ.get("PYTEST_CURRENT_TEST")
    return current.rsplit(" ", 1)[0] if current else None


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A fixed-width table: the first column left-aligned, the rest right-aligned."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        first = values[0].ljust(widths[0])
        rest = (v.rjust(w) for v, w in zip(values[1:], widths[1:], strict=True))
        return "  ".join([first, *rest])

    rule = "-" * (sum(widths) + 2 * (len(widths) - 1))
    return "\n".join([title, line(headers), rule, *(line(r) for r in cells)])


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _plain(value: Any) -> Any:
    """A cell as JSON keeps it: numbers and text as they are, floats to the printed precision."""
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, int | str | bool) or value is None:
        return value
    return str(value)


def beside(run: dict[str, Any]) -> str:
    """How a paced run was measured: on a quiet machine or beside CPU-bound processes."""
    return "beside 2 CPU-bound processes" if run["cpu_bound_processes_beside"] else "quiet"


def pacing_checks(label: str, runs: Sequence[dict[str, Any]], share: float) -> list[Check]:
    """The checks of a paced bulk run: its share of the rate limit and zero 429s."""
    checks = []
    for run in runs:
        ratio, limited = run["share_of_rate_limit"], run["rate_limited_429"]
        where = f"{label}, {beside(run)}"
        checks.append(
            Check(f"{where}: share of the rate limit", ratio, f"≥ {share}", ratio >= share)
        )
        checks.append(Check(f"{where}: 429s", limited, "0", limited == 0))
    return checks
