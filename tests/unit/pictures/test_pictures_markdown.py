"""The PR comment draws creates and updates as mermaid gantts; the size limit drops them first."""

from __future__ import annotations

import re

from pictures_samples import night, office

from reconciler.plan import Create, Delete, FieldChange, Plan, Update
from reconciler.render import MARKER, render_markdown


def update(name: str) -> Update:
    change = FieldChange("punch_time_rule[0].on_time", "09:00", "09:30")
    return Update("101", office(name), office(name, on="09:30"), (change,))


def sample_plan() -> Plan:
    return Plan((Create(night()), update("标准班"), Delete("102", office("Old"))), 0, 0, "sha256:x")


def blocks(md: str) -> list[str]:
    return re.findall(r"^```mermaid\n(.*?)^```$", md, re.S | re.M)


def test_creates_and_updates_get_a_timeline_deletes_do_not() -> None:
    found = blocks(render_markdown(sample_plan()))
    assert len(found) == 2
    create, changed = found
    assert "title 夜班" in create
    assert re.findall(r"section (\w+)", create) == ["after"]
    assert "title 标准班" in changed
    assert re.findall(r"section (\w+)", changed) == ["before", "after"]  # one axis
    assert "title Old" not in render_markdown(sample_plan())


def test_a_timeline_sits_outside_the_collapsed_details() -> None:
    md = render_markdown(sample_plan())
    for details in re.findall(r"<details>.*?</details>", md, re.S):
        assert "```mermaid" not in details
    # Each picture follows the details of its own change.
    assert md.index("update <code>标准班</code>") < md.index("title 标准班")


def test_the_size_limit_drops_the_pictures_first() -> None:
    plan = Plan(tuple(update(f"Shift {i:03d}") for i in range(40)), 0, 0, "sha256:x")
    full = render_markdown(plan, limit=10**9)
    assert len(blocks(full)) == 40
    md = render_markdown(plan, limit=len(full) - 1)
    assert len(md) < len(full)
    assert blocks(md) == []
    assert md.count("<details>") == 40  # every field change still there
    assert "Timelines left out to fit one comment" in md
    assert md.startswith(MARKER)


def test_past_the_details_the_summary_fallback_remains() -> None:
    plan = Plan(tuple(update(f"Shift {i:03d}") for i in range(40)), 0, 0, "sha256:x")
    md = render_markdown(plan, limit=3_000)
    assert len(md) <= 3_000
    assert blocks(md) == []
    assert "<details>" not in md
    assert "too long for one comment" in md
    assert "`--format html` draws it" in md
