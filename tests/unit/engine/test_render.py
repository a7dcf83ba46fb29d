"""Render formats hand-built plans; it decides nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.errors import InputError
from reconciler.model import PunchTimeRule, Shift
from reconciler.plan import Create, Delete, FieldChange, GuardFinding, Overrides, Plan, Update
from reconciler.planfile import checksum, plan_document, plan_from_document
from reconciler.render import (
    MARKER,
    format_value,
    render,
    render_json,
    render_markdown,
    render_text,
)
from reconciler.safetext import markdown as markdown_text


def shift(name: str, on_time: str = "09:00") -> Shift:
    return Shift(name, 1, (PunchTimeRule(on_time, "18:00", 10, 60, 60, 10, 60, 120),))


def sample_plan(**extra: Any) -> Plan:
    before, after = shift("Day"), shift("Day", "09:30")
    changes = (
        Create(shift("Early <b>")),
        Update(
            "101", before, after, (FieldChange("punch_time_rule[0].on_time", "09:00", "09:30"),)
        ),
        Delete("102", shift("Old")),
    )
    return Plan(changes, unchanged=4, unmanaged=2, snapshot="sha256:abc", **extra)


def test_text_is_terraform_like_with_a_summary_line() -> None:
    text = render_text(sample_plan())
    assert "  + create 'Early <b>'" in text
    assert "  ~ update 'Day' (id 101)" in text
    assert "      punch_time_rule[0].on_time: 09:00 → 09:30" in text
    assert "  - delete 'Old' (id 102)" in text
    assert "      punch_time_rule[0].off_time: 18:00" in text  # a create shows its fields
    assert text.rstrip().endswith(
        "Plan: 1 to create, 1 to update, 1 to delete, 4 unchanged, 2 unmanaged."
    )
    assert "\x1b[" not in text


def test_text_colours_only_when_asked() -> None:
    coloured = render_text(sample_plan(), color=True)
    assert "\x1b[32m  + create" in coloured
    assert "\x1b[31m  - delete" in coloured
    assert "\x1b[" not in render(sample_plan(), "text")


def test_text_without_changes_says_so() -> None:
    text = render_text(Plan((), 3, 0, "sha256:x"))
    assert text.startswith("No changes.")
    assert "Plan: 0 to create, 0 to update, 0 to delete, 3 unchanged, 0 unmanaged." in text


def test_text_names_blocking_and_overridden_guards() -> None:
    plan = sample_plan(
        guards=(
            GuardFinding("protected", "'Old' is protected", False),
            GuardFinding("max_delete_percent", "too many", True),
        ),
        overrides=Overrides(force=True),
    )
    text = render_text(plan)
    assert "Guard protected BLOCKED: 'Old' is protected" in text
    assert "Guard max_delete_percent overridden: too many" in text
    assert "Overrides: --force" in text


def test_markdown_has_marker_summary_banner_and_details() -> None:
    md = render_markdown(sample_plan())
    assert md.startswith(MARKER + "\n")
    assert "**Plan: 1 to create, 1 to update, 1 to delete, 4 unchanged, 2 unmanaged.**" in md
    assert "> [!CAUTION]" in md
    assert "DELETES 1 shift:** <code>Old</code>" in md
    assert md.count("<details>") == 3
    assert "<code>Early &#60;b&#62;</code>" in md  # names are escaped
    assert "- punch_time_rule[0].on_time: 09:00\n+ punch_time_rule[0].on_time: 09:30" in md


def test_markdown_has_no_banner_without_deletes() -> None:
    plan = Plan((Create(shift("New")),), 0, 0, "sha256:x")
    md = render_markdown(plan)
    assert "[!CAUTION]" not in md
    assert "Plan: 1 to create" in md


def test_markdown_shows_blocking_guards() -> None:
    plan = sample_plan(guards=(GuardFinding("max_deletes", "12 deletes exceed 10", False),))
    md = render_markdown(plan)
    assert "> [!WARNING]" in md
    assert "> - 12 deletes exceed 10" in md


@pytest.mark.parametrize("limit", [2_000, 65_536])
def test_markdown_falls_back_to_a_summary_under_the_limit(limit: int) -> None:
    many = tuple(Create(shift(f"Shift number {i:05d}")) for i in range(3_000))
    plan = Plan((*many, Delete("1", shift("Gone"))), 0, 0, "sha256:x")
    md = render_markdown(plan, limit=limit)
    assert len(md) <= limit
    assert md.startswith(MARKER)
    assert "Plan: 3000 to create, 0 to update, 1 to delete" in md
    assert "too long for one comment" in md
    assert "<code>Gone</code>" in md  # the delete banner survives the fallback
    assert "<details>" not in md


def test_json_has_the_documented_fields() -> None:
    plan = sample_plan(overrides=Overrides(("Old",), False))
    doc = json.loads(render_json(plan))
    assert doc["format_version"] == 1
    assert doc["summary"] == {
        "create": 1,
        "update": 1,
        "delete": 1,
        "unchanged": 4,
        "unmanaged": 2,
    }
    create, update, delete = doc["changes"]
    assert (create["action"], create["before"], create["after"]["shift_name"]) == (
        "create",
        None,
        "Early <b>",
    )
    assert update["shift_id"] == "101"
    assert update["before"]["punch_time_rule"][0]["on_time"] == "09:00"
    assert update["after"]["punch_time_rule"][0]["on_time"] == "09:30"
    assert update["diff"] == [
        {"path": "punch_time_rule[0].on_time", "before": "09:00", "after": "09:30"}
    ]
    assert (delete["action"], delete["after"]) == ("delete", None)
    assert doc["snapshot"] == "sha256:abc"
    assert doc["overrides"] == {"allow_delete": ["Old"], "force": False}
    assert doc["checksum"].startswith("sha256:")


def test_saved_plan_reads_back_equal() -> None:
    plan = sample_plan(
        overrides=Overrides(("Old",), True),
        guards=(GuardFinding("protected", "'Old' is protected", True),),
        warnings=("shifts/a.yaml:3:14: warning: punch_times: is 2",),
        target="the emulator (.shiftctl/emulator.sqlite3)",
    )
    assert plan_from_document(json.loads(render_json(plan))) == plan


WARNING = "shifts/a.yaml:3:14: warning: punch_times: is 2 <but> 1 segment"


def test_warnings_are_shown_in_text_and_markdown_and_kept_in_json() -> None:
    plan = sample_plan(warnings=(WARNING,), target="https://open.feishu.cn")
    text = render_text(plan)
    head = "Warnings in the shift files (Feishu accepts these; validate --strict refuses them):"
    assert f"{head}\n  {WARNING}\n" in text
    assert text.index(head) < text.index("Plan: 1 to create")
    markdown = render_markdown(plan)
    assert "> [!NOTE]\n> **1 warning in the shift files**" in markdown
    # Escaped for Markdown (character references), as every file name and message is.
    assert f"> - {markdown_text(WARNING)}" in markdown
    assert "&#60;but&#62;" in markdown
    doc = json.loads(render_json(plan))
    assert (doc["warnings"], doc["target"]) == ([WARNING], "https://open.feishu.cn")
    assert "Warnings" not in render_text(sample_plan())
    assert "[!NOTE]" not in render_markdown(sample_plan())


def test_names_with_spaces_at_their_ends_and_decomposed_text_show_quoted() -> None:
    assert format_value("  前后有空格  ") == '"  前后有空格  "'
    assert format_value("") == '""'
    assert format_value("Cafe\u0301") == '"Cafe\\u0301"'
    assert format_value("标准班") == "标准班"
    assert format_value(None) == "(absent)"


def test_a_changed_plan_file_is_refused() -> None:
    doc = plan_document(sample_plan())
    doc["changes"][1]["after"]["punch_time_rule"][0]["on_time"] = "10:00"
    with pytest.raises(InputError, match="checksum mismatch"):
        plan_from_document(doc)


def test_a_foreign_file_is_refused() -> None:
    with pytest.raises(InputError, match="not a shiftctl plan"):
        plan_from_document({"hello": 1})


def test_markdown_with_thousands_of_deletes_stays_under_the_limit() -> None:
    deletes = tuple(Delete(str(i), shift(f"Shift to remove {i:05d}")) for i in range(5_000))
    guards = tuple(GuardFinding("protected", f"'{d.name}' is protected", False) for d in deletes)
    md = render_markdown(Plan(deletes, 0, 0, "sha256:x", guards=guards))
    assert len(md) <= 65_536
    assert "DELETES 5000 shifts" in md
    assert "… and 4950 more" in md


def test_markdown_records_overrides_even_when_no_guard_fired() -> None:
    md = render_markdown(sample_plan(overrides=Overrides(("Old",), False)))
    assert "- Overrides: --allow-delete <code>Old</code>" in md


def _resigned(doc: dict[str, Any]) -> dict[str, Any]:
    # A hand-edited plan whose checksum was recomputed: only its content can be wrong.
    doc["checksum"] = checksum(doc)
    return doc


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d["changes"].append({"action": "create", "after": {"punch_times": 1e400}}),
        lambda d: d["changes"].append({"action": "create", "after": ["not", "a", "shift"]}),
        lambda d: d["changes"].append({"action": "rename", "before": {}, "shift_id": "1"}),
        lambda d: d["changes"].append("create"),
        lambda d: d["changes"][1].update(shift_id=101),
        lambda d: d["changes"][1].update(diff={"path": "x"}),
        lambda d: d["guards"].append({"rule": "none", "message": "m", "overridden": True}),
        lambda d: d["guards"].append({"rule": "protected", "message": {}, "overridden": 1}),
        lambda d: d["summary"].update(unchanged=True),
        lambda d: d["summary"].update(unmanaged="NaN"),
        lambda d: d["overrides"].update(allow_delete="Old"),
        lambda d: d["overrides"].update(force="yes"),
        lambda d: d.update(snapshot=None),
        lambda d: d.update(changes={}),
    ],
)
def test_a_resigned_but_malformed_plan_is_one_clear_error(edit: Any) -> None:
    doc = plan_document(sample_plan())
    edit(doc)
    with pytest.raises(InputError, match="not a valid shiftctl plan"):
        plan_from_document(_resigned(doc))


_PLAN_KEYS = [
    *plan_document(sample_plan()),
    *plan_document(sample_plan())["changes"][1],
    *Shift.__dataclass_fields__,
    *PunchTimeRule.__dataclass_fields__,
    "unchanged",
    "unmanaged",
    "allow_delete",
    "force",
    "rule",
    "message",
    "overridden",
    "path",
]

_JSON = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**20), 10**20),
        st.floats(allow_nan=False),
        st.text(max_size=10),
        st.sampled_from(["create", "update", "delete", "09:00", "26:00", "protected"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(_PLAN_KEYS), inner, max_size=6),
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(
    replaced=st.dictionaries(st.sampled_from(_PLAN_KEYS), _JSON, max_size=4),
    change=st.dictionaries(st.sampled_from(_PLAN_KEYS), _JSON, max_size=6),
)
def test_any_resigned_plan_reads_back_or_is_one_input_error(
    replaced: dict[str, Any], change: dict[str, Any]
) -> None:
    doc = plan_document(sample_plan())
    doc.update(replaced)
    if isinstance(doc.get("changes"), list):
        doc["changes"].append(change)
    doc["format_version"] = 1
    try:
        plan: Plan | InputError = plan_from_document(_resigned(doc))
    except InputError as exc:
        plan = exc
    if isinstance(plan, InputError):
        assert str(plan).startswith(("not a valid shiftctl plan", "not a shiftctl plan"))
    else:  # what reads back is a real plan: it saves and reads back as itself
        assert plan_from_document(plan_document(plan)) == plan


def test_a_saved_plan_keeps_the_version_that_made_it() -> None:
    doc = json.loads(render_json(sample_plan()))
    doc["shiftctl_version"] = "0.0.1"
    plan = plan_from_document(_resigned(doc))
    assert plan.made_by == "0.0.1"
    assert json.loads(render_json(plan))["shiftctl_version"] == "0.0.1"
