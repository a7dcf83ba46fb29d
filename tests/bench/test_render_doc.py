"""docs/benchmarks.md is generated from the benchmark report: every figure from the report,
with its date and load, and a report missing a section the page explains is refused.

Not a benchmark: these run in the default suite on a small hand-written report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from render_doc import DOCUMENT, TEMPLATE, MissingSections, main, render


def _machine(load: float) -> dict[str, Any]:
    return {"cpus": 2, "python": "3.11.7", "load_average_1m": load, "load_average_5m": 0.5}


def _report() -> dict[str, dict[str, Any]]:
    """One section per ``{{figures}}`` line of the template, and one the template never names."""
    return {
        "startup": {
            "measured_at": "2031-05-06T07:08:09+00:00",
            "benchmark": "tests/bench/test_startup_bench.py::test_help",
            "machine": _machine(0.42),
            "table": {
                "title": "start-up, median of 15 alternating rounds",
                "headers": ["command", "median ms"],
                "rows": [["python -c pass", 21.7], ["shiftctl --help", 55.3]],
            },
            "checks": [
                {"what": "shiftctl --help", "value": 2.55, "target": "≤ 3.0 ×", "met": True}
            ],
        },
        "validate_10000": {
            "measured_at": "2031-05-06T07:09:00+00:00",
            "machine": _machine(0.61),
            "ratio": 9.87,
            "checks": [{"what": "faster by", "value": 9.87, "target": "≥ 10 ×", "met": False}],
        },
        "plan_500": _engine(over_bound=1.137, load=0.77),
        "plan_2000": _engine(over_bound=1.214, load=0.79),
        "plan_process_300": _engine(over_bound=1.885, load=0.78),
        "apply_200": _engine(over_bound=1.003, load=0.8),
        "plan_vs_sdk_2000": _engine(ratio=27.4, load=0.81),
        "plan_memory_10000": {
            "measured_at": "2031-05-06T07:15:00+00:00",
            "machine": _machine(0.82),
            "peak_rss_mb": 63.3,
        },
        "usage_100": _engine(over_bound=1.04, load=0.83),
        "flows_import_10000": {
            "measured_at": "2031-05-06T07:20:00+00:00",
            "machine": _machine(1.93),
            "share_of_rate_limit": 0.981,
            "server": {"user_flow.batch_create": {"requests": 200, "rate_limited": 0}},
        },
    }


def _engine(*, load: float, **numbers: float) -> dict[str, Any]:
    return {
        "measured_at": "2031-05-06T07:10:00+00:00",
        "machine": _machine(load),
        "target": "≤ 1.2 × bound",
        "calls_per_run": [{"shift.list": 10}],
        **numbers,
    }


def _render(report: dict[str, dict[str, Any]], **options: bool) -> str:
    return render(TEMPLATE.read_text(encoding="utf-8"), report, **options)


def test_every_section_shows_its_figures_date_and_load() -> None:
    document = _render(_report())
    startup = document.split("**`startup`**", 1)[1].split("###", 1)[0]
    assert "2031-05-06 07:08 UTC" in startup
    assert "load average 0.42 (1 min)" in startup
    assert "| shiftctl --help | 55.3 |" in startup
    assert "**2.55** (target ≤ 3.0 ×) ✓" in startup
    assert "**`plan_2000`**" in document
    assert "| `over_bound` | 1.214 |" in document
    assert "load average 0.79 (1 min)" in document


def test_a_target_not_met_is_marked_so() -> None:
    document = _render(_report())
    assert "| `validate_10000` | faster by | ≥ 10 × | 9.87 | ✗ not met |" in document


def test_a_section_the_page_does_not_name_appears_as_its_numbers() -> None:
    others = _render(_report()).split("### Other benchmarks", 1)[1]
    assert "**`flows_import_10000`**" in others
    assert "load average 1.93 (1 min)" in others
    assert "| `server.user_flow.batch_create.requests` | 200 |" in others


def test_sections_of_one_kind_appear_in_numeric_order() -> None:
    document = _render(_report())
    assert document.index("**`plan_500`**") < document.index("**`plan_2000`**")


def test_the_run_is_summed_up_with_its_dates_and_load_range() -> None:
    document = _render(_report())
    assert "between 2031-05-06 07:08 UTC and 2031-05-06 07:20 UTC" in document
    assert "0.42–1.93" in document


def test_a_report_missing_a_section_is_refused() -> None:
    report = _report()
    del report["startup"]
    with pytest.raises(MissingSections) as refused:
        _render(report)
    assert refused.value.names == ("startup",)


def test_a_partial_report_says_what_is_missing() -> None:
    report = {k: v for k, v in _report().items() if not k.startswith("usage_")}
    document = _render(report, partial=True)
    assert "*Not in this report* (no section matching `usage_*`)." in document


def test_the_command_writes_nothing_and_exits_1_on_a_missing_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = _report()
    del report["apply_200"]
    path = tmp_path / "engine.json"
    path.write_text(json.dumps({"benchmarks": report}), encoding="utf-8")
    assert main([str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "{{figures apply_*}}" in captured.err


def test_the_command_prints_the_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "engine.json"
    path.write_text(json.dumps({"benchmarks": _report()}), encoding="utf-8")
    assert main([str(path)]) == 0
    assert capsys.readouterr().out == _render(_report())


def test_a_file_that_is_no_report_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "engine.json"
    path.write_text("[1, 2]", encoding="utf-8")
    assert main([str(path)]) == 1
    assert "no 'benchmarks' object of sections" in capsys.readouterr().err


def test_the_committed_page_carries_every_hand_written_line_of_the_template() -> None:
    # Edited prose goes into the template; the page is then regenerated, never edited.
    page = DOCUMENT.read_text(encoding="utf-8").splitlines()
    prose = [
        line
        for line in TEMPLATE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.strip().startswith("{{")
    ]
    position = 0
    for line in prose:
        assert line in page[position:], f"docs/benchmarks.md lacks or reorders: {line!r}"
        position = page.index(line, position) + 1
