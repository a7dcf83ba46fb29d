"""Doctor's report formats and the region names, from hand-built values."""

from __future__ import annotations

import json

import pytest

from reconciler.config import Settings
from reconciler.doctor import Check, DoctorReport, region_of, render_json, render_text


@pytest.mark.parametrize(
    ("endpoint", "region"),
    [
        ("https://open.feishu.cn", "Feishu, mainland China"),
        ("https://open.larksuite.com", "Lark, international"),
        ("http://127.0.0.1:8080", "a custom endpoint (127.0.0.1): not Feishu's or Lark's own"),
    ],
)
def test_regions_are_named(endpoint: str, region: str) -> None:
    assert region_of(Settings(endpoint=endpoint)) == region
    assert region_of(Settings(emulator_db="e.db")).startswith("the in-process emulator")


def test_problems_are_counted_and_rendered_one_line_each() -> None:
    report = DoctorReport(
        endpoint="https://open.feishu.cn",
        region="Feishu, mainland China",
        app_id="cli_a",
        checks=(
            Check("credentials", "ok", "a tenant token was issued (valid 7200 s)"),
            Check("scope attendance:task", "problem", "missing", "grant attendance:task"),
        ),
        calls={"total": 3},
        calls_line="3 API calls (2 succeeded)",
    )
    text = render_text(report)
    assert "  PROBLEM  scope attendance:task: missing; grant attendance:task\n" in text
    assert text.endswith("API calls: 3 API calls (2 succeeded).\n1 problem found.\n")
    document = json.loads(render_json(report))
    assert document["problems"] == 1
    assert document["checks"][1] == {
        "check": "scope attendance:task",
        "status": "problem",
        "detail": "missing",
        "hint": "grant attendance:task",
    }
    assert not report.ok
