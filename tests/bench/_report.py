"""The engine benchmarks' output: a plain-text table on stdout and one JSON report file.

Each benchmark adds its own section to the report, so a full run leaves every number in one
file: ``.cache/bench/engine.json`` under the repository, or the path in ``SHIFTCTL_BENCH_REPORT``.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parents[2]
REPORT_ENV = "SHIFTCTL_BENCH_REPORT"


def report_path() -> Path:
    configured = os.environ.get(REPORT_ENV)
    return Path(configured) if configured else ROOT / ".cache" / "bench" / "engine.json"


def machine() -> dict[str, Any]:
    """What the numbers were measured on; the load average shows how shared the machine was."""
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def record(section: str, data: Mapping[str, Any]) -> Path:
    """Store ``data`` as ``section`` of the report, keeping the other sections of earlier runs."""
    path = report_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        report = {}
    if not isinstance(report, dict):
        report = {}
    report.setdefault("benchmarks", {})[section] = {
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        **data,
    }
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


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
