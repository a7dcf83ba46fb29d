"""The markdown plan's gantt charts, read and drawn by mermaid itself in headless Chromium.

GitHub draws a ```mermaid block with mermaid in the browser; here the pinned mermaid
(npm) does the same: its parser must accept every chart, its gantt database must hold
the model's windows at the model's minutes, a hostile name must stay the title (no
directive, no extra section), and the drawn bars must sit on one axis past midnight.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from pictures_browser import dom_after_scripts, mermaid_script

from reconciler.definitions import load_desired
from reconciler.model import Shift
from reconciler.pictures.escape import visible
from reconciler.pictures.gantt import REFERENCE, gantt_block
from reconciler.pictures.timeline import Timeline, timeline_of

REPO = Path(__file__).resolve().parents[2]

_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<pre id="results">pending</pre><div id="stage"></div>
<script src="{script}"></script>
<script>
const DIAGRAMS = {diagrams};
(async () => {{
  mermaid.initialize({{ startOnLoad: false }});
  const results = [];
  for (const [index, text] of DIAGRAMS.entries()) {{
    try {{
      const parsed = await mermaid.parse(text);
      const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
      const tasks = diagram.db.getTasks().map((t) => ({{
        section: t.section, task: t.task,
        start: t.startTime.toISOString(), end: t.endTime.toISOString(),
      }}));
      const title = diagram.db.getDiagramTitle();
      const {{ svg }} = await mermaid.render("chart" + index, text);
      const stage = document.getElementById("stage");
      stage.innerHTML = svg;
      const bars = [...stage.querySelectorAll("rect.task")].map((r) => ({{
        x: Number(r.getAttribute("x")), width: Number(r.getAttribute("width")),
      }}));
      stage.innerHTML = "";
      results.push({{ ok: true, config: parsed.config || {{}}, title, tasks, bars }});
    }} catch (error) {{
      results.push({{ ok: false, error: String(error && error.message || error) }});
    }}
  }}
  document.getElementById("results").textContent = JSON.stringify(results);
}})();
</script></body></html>
"""


def read_with_mermaid(tmp_path: Path, blocks: list[str]) -> list[dict[str, Any]]:
    texts = [b.removeprefix("```mermaid\n").removesuffix("```\n") for b in blocks]
    literal = json.dumps(texts).replace("<", "\\u003c")  # never a </script> inside
    page = tmp_path / "mermaid.html"
    page.write_text(
        _PAGE.format(script=mermaid_script().as_uri(), diagrams=literal), encoding="utf-8"
    )
    dom = dom_after_scripts(page, tmp_path / "profile")
    found = re.search(r'<pre id="results">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    assert found.group(1) != "pending", "mermaid did not finish within the time budget"
    results: list[dict[str, Any]] = json.loads(html.unescape(found.group(1)))
    assert len(results) == len(blocks)
    return results


def minutes(iso: str) -> int:
    """A date mermaid read (UTC, as the browser runs) as minutes of the shift day."""
    when = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return int((when - REFERENCE.replace(tzinfo=dt.UTC)).total_seconds() // 60)


def decoded(text: str) -> str:
    # Mermaid keeps #NN; entities as placeholders until it writes the SVG.
    return re.sub(r"ﬂ°°(\d+)¶ß", lambda m: chr(int(m.group(1))), text)


def windows(timeline: Timeline) -> list[tuple[int, int]]:
    return sorted((w.start, w.end) for w in timeline.windows)


def example_shifts() -> list[Shift]:
    return [desired.shift for desired in load_desired([REPO / "shifts"]).shifts]


HOSTILE = "%%{init: {'theme': 'dark'}}%% a: b #lt; ;\n    section evil\n```"


@pytest.fixture(scope="module")
def charts(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, list[Timeline], Any]]:
    """Every example shift as a create, one update before/after, and a hostile name."""
    cases: list[tuple[str, list[tuple[str, Timeline]]]] = [
        (s.shift_name, [("after", timeline_of(s))]) for s in example_shifts()
    ]
    night = next(s for s in example_shifts() if s.shift_name == "夜班")
    later = {**night.punch_time_rule[0].to_mapping(), "off_time": "31:00"}
    moved = Shift.from_mapping({**night.to_mapping(), "punch_time_rule": [later]})
    cases.append(("夜班", [("before", timeline_of(night)), ("after", timeline_of(moved))]))
    cases.append((HOSTILE, [("after", timeline_of(night))]))
    results = read_with_mermaid(
        tmp_path_factory.mktemp("mermaid"), [gantt_block(name, rows) for name, rows in cases]
    )
    pairs = zip(cases, results, strict=True)
    return [(name, [t for _, t in rows], result) for (name, rows), result in pairs]


def test_mermaid_parses_and_draws_every_chart(charts: list[tuple[str, Any, Any]]) -> None:
    failed = [(name, result["error"]) for name, _, result in charts if not result["ok"]]
    assert failed == []


def test_mermaid_reads_the_model_windows_at_their_minutes(
    charts: list[tuple[str, list[Timeline], Any]],
) -> None:
    for name, timelines, result in charts:
        sections = sorted({task["section"] for task in result["tasks"]})
        assert len(sections) == len(timelines), (name, sections)
        read = [(minutes(t["start"]), minutes(t["end"])) for t in result["tasks"]]
        assert sorted(read) == sorted(w for t in timelines for w in windows(t)), name


def test_a_hostile_name_is_only_the_title(charts: list[tuple[str, Any, Any]]) -> None:
    name, timelines, result = charts[-1]
    assert name == HOSTILE
    assert decoded(result["title"]) == visible(HOSTILE)
    assert result["config"] == {}  # no %%{init}%% directive took effect
    assert {task["section"] for task in result["tasks"]} == {"after"}
    assert len(result["tasks"]) == len(timelines[0].windows)


def test_the_bars_lie_on_one_axis_past_midnight(charts: list[tuple[str, Any, Any]]) -> None:
    for name, _, result in charts:
        # Mermaid draws the bars in start order, whatever their section.
        spans = sorted((minutes(t["start"]), minutes(t["end"])) for t in result["tasks"])
        bars = sorted(result["bars"], key=lambda b: (b["x"], b["width"]))
        assert len(bars) == len(spans), name
        first, last = min(s for s, _ in spans), max(e for _, e in spans)
        left = min(b["x"] for b in bars)
        scale = (max(b["x"] + b["width"] for b in bars) - left) / (last - first)
        for (start, end), bar in zip(spans, bars, strict=True):
            assert bar["x"] == pytest.approx(left + (start - first) * scale, abs=1.5), name
            right = bar["x"] + bar["width"]
            assert right == pytest.approx(left + (end - first) * scale, abs=1.5), name
    night = next(r for n, _, r in charts if n == "夜班")
    work = next(t for t in night["tasks"] if decoded(t["task"]).startswith("work"))
    assert (minutes(work["start"]), minutes(work["end"])) == (22 * 60, 30 * 60)
