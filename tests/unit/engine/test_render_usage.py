"""The blast radius, renames and hints in every format, and through a saved plan."""

from __future__ import annotations

import dataclasses
import json

import pytest

from reconciler.blast import GroupUse, UsageInfo
from reconciler.errors import InputError
from reconciler.model import PunchTimeRule, Shift
from reconciler.plan import Create, Delete, FieldChange, GuardFinding, Plan, Update
from reconciler.planfile import checksum, plan_document, plan_from_document
from reconciler.renames import RenameHint
from reconciler.render import render_json, render_markdown, render_text
from reconciler.stale import stale_differences

RD = GroupUse("g1", "研发", 1_200, ("fixed",))
STORE_A = GroupUse("g2", "门店A", 30, ("fixed", "special_day"))
STORE_B = GroupUse("g3", "门店B", 10, ("rota",))
USAGE = UsageInfo(groups=7, calls=9, look_ahead_days=30)


def shift(name: str, on_time: str = "09:00") -> Shift:
    return Shift(name, 1, (PunchTimeRule(on_time, "18:00", 10, 60, 60, 10, 60, 120),))


def blast_plan(**extra: object) -> Plan:
    changes: object = (
        Create(shift("New")),
        Update(
            "101",
            shift("标准班"),
            shift("标准班", "09:30"),
            (FieldChange("punch_time_rule[0].on_time", "09:00", "09:30"),),
            used_by=(RD, STORE_A, STORE_B),
        ),
        Update(
            "102",
            shift("旧名"),
            shift("新名"),
            (FieldChange("shift_name", "旧名", "新名"),),
            used_by=(),
        ),
        Delete("103", shift("Old"), used_by=(STORE_B,)),
    )
    defaults: dict[str, object] = {
        "changes": changes,
        "usage": USAGE,
        "hints": (RenameHint("Gone", "New"),),
        "guards": (GuardFinding("in_use", "'Old' is used by 1 attendance group", False),),
    }
    fields = {**defaults, **extra}
    return Plan(unchanged=0, unmanaged=0, snapshot="sha256:abc", **fields)  # type: ignore[arg-type]


def test_text_names_the_groups_and_people_of_each_change() -> None:
    text = render_text(blast_plan())
    assert (
        "  ~ update '标准班' (id 101)\n      used by 3 groups (1,240 people): 研发, 门店A, 门店B"
        in text
    )
    assert "  ~ rename '旧名' → '新名' (id 102)\n      used by no attendance group" in text
    assert "  - delete 'Old' (id 103)\n      used by 1 group (10 people): 门店B" in text
    assert "Attendance groups: 7 read in 9 API calls (rota schedules 30 days ahead)." in text
    assert "Hint: deleting 'Gone' and creating 'New' looks like a rename" in text
    assert "previous_names: [Gone]" in text
    assert "Guard in_use BLOCKED" in text


def test_without_usage_every_format_says_it_is_unknown() -> None:
    unknown = dataclasses.replace(
        blast_plan(usage=None),
        changes=tuple(
            dataclasses.replace(c, used_by=None) if not isinstance(c, Create) else c
            for c in blast_plan().changes
        ),
    )
    text = render_text(unknown)
    assert text.count("used by: unknown (attendance groups not read)") == 3
    assert "Attendance groups: not read (--no-usage)" in text
    assert "Attendance groups not read (--no-usage)" in render_markdown(unknown)
    doc = json.loads(render_json(unknown))
    assert doc["usage"] == {"read": False}
    assert [c.get("used_by", "absent") for c in doc["changes"]] == ["absent", None, None, None]


def test_markdown_has_the_total_on_top_and_the_groups_in_each_summary() -> None:
    markdown = render_markdown(blast_plan())
    head = markdown.split("<details>")[0]
    assert (
        "**The shifts this plan updates or deletes are used by 3 groups (1,240 people).**" in head
    )
    assert "7 read in 9 API calls" in head
    assert "> [!TIP]" in head
    assert "looks like a rename" in head
    assert (
        "<summary>~ update <code>标准班</code> (id 101) — used by 3 groups (1,240 people): "
        "研发, 门店A, 门店B</summary>"
    ) in markdown
    assert "<summary>~ rename <code>旧名</code> → <code>新名</code> (id 102)" in markdown
    assert "<summary>- delete <code>Old</code> (id 103) — used by 1 group (10 people)" in markdown


def test_markdown_fallback_keeps_the_groups_of_each_change() -> None:
    markdown = render_markdown(blast_plan(), limit=1_500)
    assert "<details>" not in markdown
    assert "update <code>标准班</code> (id 101) — used by 3 groups (1,240 people)" in markdown


def test_group_names_are_escaped_in_markdown() -> None:
    hostile = GroupUse("g9", "<img src=x>", 1, ("fixed",))
    plan = blast_plan(changes=(Delete("103", shift("Old"), used_by=(hostile,)),))
    markdown = render_markdown(plan)
    assert "<img" not in markdown
    assert "&#60;img src=x&#62;" in markdown


def test_long_lists_of_groups_are_cut() -> None:
    many = tuple(GroupUse(f"g{i}", f"店{i}", 1, ("fixed",)) for i in range(25))
    text = render_text(blast_plan(changes=(Delete("103", shift("Old"), used_by=many),)))
    assert "used by 25 groups (25 people): 店0, 店1," in text
    assert "店9, … and 15 more" in text
    assert "店10" not in text


def test_json_carries_used_by_renamed_from_usage_and_hints() -> None:
    doc = json.loads(render_json(blast_plan()))
    update, rename, delete = doc["changes"][1:]
    assert update["used_by"] == [
        {"group_id": "g1", "group_name": "研发", "members": 1200, "how": ["fixed"]},
        {"group_id": "g2", "group_name": "门店A", "members": 30, "how": ["fixed", "special_day"]},
        {"group_id": "g3", "group_name": "门店B", "members": 10, "how": ["rota"]},
    ]
    assert (update["renamed_from"], rename["renamed_from"]) == (None, "旧名")
    assert (rename["action"], rename["shift_name"], rename["used_by"]) == ("update", "新名", [])
    assert delete["used_by"][0]["group_id"] == "g3"
    assert "used_by" not in doc["changes"][0]  # a create is used by nobody yet
    assert doc["usage"] == {"read": True, "groups": 7, "calls": 9, "look_ahead_days": 30}
    assert doc["hints"][0]["rename_from"] == "Gone"
    assert doc["hints"][0]["rename_to"] == "New"


def test_a_saved_plan_reads_back_with_its_blast_radius() -> None:
    plan = blast_plan()
    assert plan_from_document(plan_document(plan)) == plan
    bare = blast_plan(usage=None, hints=(), guards=())
    assert plan_from_document(plan_document(bare)) == bare


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d["changes"][1]["used_by"][0].update(how=["everywhere"]),
        lambda d: d["changes"][1]["used_by"][0].update(members="many"),
        lambda d: d["changes"][1].update(used_by="g1"),
        lambda d: d.update(usage={"read": True}),
        lambda d: d.update(hints=[{"rename_from": 1}]),
    ],
)
def test_a_resigned_plan_with_a_bad_blast_radius_is_one_clear_error(edit: object) -> None:
    doc = plan_document(blast_plan())
    edit(doc)  # type: ignore[operator]
    doc["checksum"] = checksum(doc)
    with pytest.raises(InputError, match="not a valid shiftctl plan"):
        plan_from_document(doc)


def test_who_uses_a_shift_does_not_make_a_plan_stale() -> None:
    saved = blast_plan()
    moved = dataclasses.replace(
        saved,
        changes=tuple(
            dataclasses.replace(c, used_by=(RD,)) if not isinstance(c, Create) else c
            for c in saved.changes
        ),
        usage=UsageInfo(groups=8, calls=10, look_ahead_days=30),
    )
    assert stale_differences(saved, moved) == []
    renamed_elsewhere = dataclasses.replace(
        saved,
        changes=(
            *saved.changes[:2],
            Update("102", shift("旧名"), shift("另名"), ()),
            saved.changes[3],
        ),
    )
    differences = stale_differences(saved, renamed_elsewhere)
    assert [line.splitlines()[0] for line in differences] == [
        "no longer planned: update '新名'",
        "newly planned: update '另名'",
    ]
