"""The mermaid gantt text, checked line by line against mermaid's gantt grammar.

The line forms below are the lexer rules of mermaid's ``gantt.jison`` that the block uses:
``title``/``section`` take the rest of the line, a task is ``text :data`` where the text
holds no ``:`` and the data no ``#`` or ``;``, and ``%%`` anywhere could open a directive.
The real parser runs on the same text in tests/pictures (mermaid under Node.js).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pictures_samples import night, office, shift

from reconciler.pictures.escape import visible
from reconciler.pictures.gantt import gantt_block, gantt_minutes
from reconciler.pictures.timeline import Timeline, timeline_of

_DATE = r"\d{4}-\d\d-\d\d \d\d:\d\d"
_TEXT = r"(?:[\w \-.,()/+']|#\d+;)+"  # letters and digits of any script, or #NN; entities
_TASK = re.compile(
    rf"^    (?P<text>{_TEXT}) :(?P<tags>(?:(?:active|done|crit), )*)"
    rf"(?P<start>{_DATE}), (?P<end>{_DATE})$"
)
_FIXED = ["    dateFormat YYYY-MM-DD HH:mm", "    axisFormat %H:%M", "    todayMarker off"]
# Words the gantt lexer reads as a statement when a line starts with them.
_KEYWORDS = re.compile(
    r"^(gantt|dateformat|axisformat|tickinterval|includes|excludes|todaymarker|weekday|weekend"
    r"|title|section|click|href|call|acctitle|accdescr|inclusiveenddates|topaxis|%|\d{4}-)",
    re.IGNORECASE,
)


def decode(text: str) -> str:
    return re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), text)


def parse(block: str) -> tuple[str | None, list[tuple[str, list[dict[str, object]]]]]:
    """Every line must be one of the forms; returns the title and the tasks per section."""
    lines = block.split("\n")
    assert lines[:2] == ["```mermaid", "gantt"], lines[:2]
    assert lines[-2:] == ["```", ""], lines[-2:]
    body = lines[2:-2]
    title = None
    if body and body[0].startswith("    title "):
        title = body.pop(0).removeprefix("    title ")
        assert re.fullmatch(_TEXT, title), title
    assert body[:3] == _FIXED
    sections: list[tuple[str, list[dict[str, object]]]] = []
    for line in body[3:]:
        assert "%%" not in line, line
        assert "```" not in line, line
        if line.startswith("    section "):
            heading = line.removeprefix("    section ")
            assert re.fullmatch(_TEXT, heading), heading
            sections.append((decode(heading), []))
            continue
        task = _TASK.match(line)
        assert task, f"not a gantt task line: {line!r}"
        assert not _KEYWORDS.match(task["text"]), line
        assert sections, "a task before any section"
        sections[-1][1].append(
            {
                "label": decode(task["text"]),
                "tags": task["tags"],
                "start": gantt_minutes(task["start"]),
                "end": gantt_minutes(task["end"]),
            }
        )
    return (decode(title) if title is not None else None), sections


def expected(timeline: Timeline) -> list[tuple[str, int, int]]:
    ordered = sorted(timeline.windows, key=lambda w: (w.start, w.end))
    return [(timeline.label(w), w.start, w.end) for w in ordered]


def tasks(section: list[dict[str, object]]) -> list[tuple[object, object, object]]:
    return [(t["label"], t["start"], t["end"]) for t in section]


def test_an_update_draws_before_and_after_on_one_chart() -> None:
    before, after = timeline_of(office()), timeline_of(office(on="09:30"))
    title, sections = parse(gantt_block("标准班", [("before", before), ("after", after)]))
    assert title == "标准班"
    assert [name for name, _ in sections] == ["before", "after"]
    assert tasks(sections[0][1]) == expected(before)
    assert tasks(sections[1][1]) == expected(after)
    assert ("work 09:00–18:00", 540, 1080) in tasks(sections[0][1])
    assert ("break 12:00–13:00", 720, 780) in tasks(sections[0][1])


def test_next_day_times_go_past_midnight_on_the_reference_dates() -> None:
    block = gantt_block("夜班", [("after", timeline_of(night()))])
    assert "work 22#58;00#8211;30#58;00 :2000-01-03 22:00, 2000-01-04 06:00" in block
    _, sections = parse(block)
    assert ("work 22:00–30:00", 1320, 1800) in tasks(sections[0][1])


def test_each_kind_takes_a_mermaid_style() -> None:
    _, sections = parse(gantt_block("x", [("after", timeline_of(office()))]))
    styles = {str(t["label"]).split()[0]: t["tags"] for t in sections[0][1]}
    assert styles == {
        "check-in": "active, ",
        "work": "",
        "late": "crit, ",
        "break": "done, ",
        "early": "crit, ",
        "check-out": "active, ",
    }


def test_a_rest_day_says_so_in_its_section() -> None:
    rest_day = timeline_of(shift("值班", day_type=2))
    _, sections = parse(gantt_block("x", [("after", rest_day)]))
    assert sections[0][0] == "after, rest day"


HOSTILE = [
    "a: b",
    "x\n    section evil\n    boom :2000-01-01 00:00, 2000-01-01 01:00",
    "%%{init: {'theme': 'dark'}}%%",
    "```\n<script>alert(1)</script>",
    "#lt; and #35; and ;",
    "\u202etxt.exe",
    "style a:#f00;",
    "click x href 'javascript:alert(1)'",
    " ",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_name_stays_one_title_line(name: str) -> None:
    title, sections = parse(gantt_block(name, [("after", timeline_of(office()))]))
    if visible(name).strip():
        assert title == visible(name)
    else:
        assert title is None  # "title " alone is not a title line
    assert len(sections) == 1


@settings(max_examples=150, deadline=None)
@given(name=st.text(max_size=40))
def test_any_name_keeps_every_line_in_the_grammar(name: str) -> None:
    block = gantt_block(name, [("before", timeline_of(night())), ("after", timeline_of(office()))])
    title, sections = parse(block)
    assert title in (None, visible(name))
    assert [n for n, _ in sections] == ["before", "after"]
