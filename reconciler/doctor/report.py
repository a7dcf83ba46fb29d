"""What one doctor run found: checks with a status, the facts learned, the calls spent.

``render_text`` and ``render_json`` only format; nothing here calls Feishu.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Check", "DoctorReport", "Status", "render_json", "render_text"]

Status = Literal["ok", "problem", "warning", "skipped", "learned"]
FORMAT_VERSION = 1
_LABEL = {
    "ok": "ok",
    "problem": "PROBLEM",
    "warning": "warning",
    "skipped": "skipped",
    "learned": "learned",
}


@dataclass(frozen=True, slots=True)
class Check:
    """One thing checked: ``name`` (e.g. ``scope attendance:rule``), a status, one line each."""

    name: str
    status: Status
    detail: str
    hint: str = ""

    def document(self) -> dict[str, str]:
        return {"check": self.name, "status": self.status, "detail": self.detail, "hint": self.hint}


@dataclass(frozen=True, slots=True)
class DoctorReport:
    """The whole run: where it looked, what it found, what it learned and spent."""

    endpoint: str
    region: str
    app_id: str
    checks: tuple[Check, ...]
    learned: Mapping[str, Any] = field(default_factory=dict)
    calls: Mapping[str, Any] = field(default_factory=dict)
    calls_line: str = ""
    saved_to: str | None = None

    @property
    def problems(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.status == "problem")

    @property
    def ok(self) -> bool:
        return not self.problems

    def document(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "endpoint": self.endpoint,
            "region": self.region,
            "app_id": self.app_id,
            "checks": [c.document() for c in self.checks],
            "learned": dict(self.learned),
            "calls": dict(self.calls),
            "saved_to": self.saved_to,
            "problems": len(self.problems),
        }


def render_text(report: DoctorReport) -> str:
    lines = [f"shiftctl doctor: {report.endpoint} ({report.region}), app {report.app_id}"]
    for check in report.checks:
        hint = f"; {check.hint}" if check.hint else ""
        lines.append(f"  {_LABEL[check.status]:<8} {check.name}: {check.detail}{hint}")
    lines.append(f"API calls: {report.calls_line}.")
    if report.saved_to:
        lines.append(
            f"Saved what was learned to {report.saved_to} "
            "(tenant settings set to auto in shiftctl.yaml use it)."
        )
    count = len(report.problems)
    lines.append(
        "No problem found." if not count else f"{count} problem{'s' if count != 1 else ''} found."
    )
    return "\n".join(lines) + "\n"


def render_json(report: DoctorReport) -> str:
    return json.dumps(report.document(), ensure_ascii=False, indent=2) + "\n"
