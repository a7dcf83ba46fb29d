"""Properties of compute_plan: applying a plan's changes to the tenant converges it."""

from __future__ import annotations

import copy
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.config import Settings
from reconciler.diff import field_changes
from reconciler.model import (
    CurrentShift,
    FlexibleRule,
    PunchTimeRule,
    RestRule,
    Shift,
    ShiftAttendanceTimeConfig,
    ShiftMiddleTimeRule,
)
from reconciler.plan import Create, Delete, Overrides, Plan, Update, compute_plan

NAMES = ("Day", "Night", "Early", "Late", "早班", "HQ-a", "HQ-b")
TIMES = ("07:00", "08:00", "09:00", "09:30")


def shift(name: str, on_time: str) -> Shift:
    return Shift(name, 1, (PunchTimeRule(on_time, "18:00", 5, 60, 120, 1, 60, 240),))


shift_sets = st.dictionaries(st.sampled_from(NAMES), st.sampled_from(TIMES), max_size=len(NAMES))


def executed(plan: Plan, current: list[CurrentShift]) -> list[CurrentShift]:
    """What the tenant holds after every change of ``plan`` succeeded."""
    tenant = {r.shift_id: r for r in current}
    for index, change in enumerate(plan.changes):
        if isinstance(change, Create):
            tenant[f"new-{index}"] = CurrentShift(f"new-{index}", change.shift)
        elif isinstance(change, Update):
            tenant[change.shift_id] = CurrentShift(change.shift_id, change.after)
        elif isinstance(change, Delete):
            del tenant[change.shift_id]
    return list(tenant.values())


@settings(max_examples=200, deadline=None)
@given(desired=shift_sets, remote=shift_sets, prune=st.booleans(), scoped=st.booleans())
def test_applying_the_plan_converges(
    desired: dict[str, str], remote: dict[str, str], prune: bool, scoped: bool
) -> None:
    config = Settings(prune=prune, include=("HQ-*",) if scoped else ("*",))
    wanted = [shift(n, t) for n, t in desired.items() if config.in_scope(n)]
    current = [CurrentShift(str(i), shift(n, t)) for i, (n, t) in enumerate(remote.items())]
    plan = compute_plan(wanted, current, config, Overrides(force=True))

    actions = [c.action for c in plan.changes]
    assert actions == sorted(actions, key=["create", "update", "delete"].index)
    counted = plan.summary()
    assert counted["create"] + counted["update"] + counted["unchanged"] == len(wanted)
    assert counted["update"] + counted["unchanged"] + counted["delete"] + counted[
        "unmanaged"
    ] == len(current)

    after = executed(plan, current)
    again = compute_plan(wanted, after, config, Overrides(force=True))
    assert not again.has_changes
    assert again.unchanged == len(wanted)
    untouched = {r.shift_id for r in current if not config.in_scope(r.name)}
    assert untouched <= {r.shift_id for r in after}
    kept = {c.shift_id for c in plan.updates}
    assert kept <= {r.shift_id for r in after}  # updates keep their shift_id


TIME_CHOICES = st.sampled_from(["08:00", "09:00", "12:00", "13:00", "18:00", "26:00"])
RULES = st.lists(
    st.builds(
        PunchTimeRule,
        on_time=TIME_CHOICES,
        off_time=TIME_CHOICES,
        late_minutes_as_late=st.integers(0, 2),
        late_minutes_as_lack=st.just(60),
        on_advance_minutes=st.sampled_from([60, 120]),
        early_minutes_as_early=st.just(1),
        early_minutes_as_lack=st.just(60),
        off_delay_minutes=st.just(240),
        no_need_off=st.booleans(),
    ),
    min_size=1,
    max_size=3,
)
SHIFTS = st.builds(
    Shift,
    shift_name=st.just("S"),
    punch_times=st.integers(1, 3),
    punch_time_rule=RULES.map(tuple),
    is_flexible=st.booleans(),
    flexible_rule=st.lists(
        st.builds(FlexibleRule, st.integers(0, 2), st.integers(0, 2)), max_size=2
    ).map(tuple),
    rest_time_rule=st.lists(st.builds(RestRule, TIME_CHOICES, TIME_CHOICES), max_size=2).map(tuple),
    shift_middle_time_rule=st.none()
    | st.builds(ShiftMiddleTimeRule, st.integers(0, 3), st.none() | TIME_CHOICES),
    shift_attendance_time_config=st.none()
    | st.builds(ShiftAttendanceTimeConfig, st.sampled_from([0.5, 1.0, 1.5])),
)


def patched(value: dict[str, Any], path: str, new: Any) -> None:
    """Set (or with ``None`` remove) the part of ``value`` that ``path`` names."""
    parts: list[str | int] = [
        int(index) if index else key for key, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path)
    ]
    parent: Any = value
    for part in parts[:-1]:
        parent = parent[part]
    last = parts[-1]
    if new is not None:
        if isinstance(parent, list) and last == len(parent):
            parent.append(new)
        else:
            parent[last] = new
    elif isinstance(parent, list):
        del parent[last:]  # removed items are the list's tail, reported from its end
    else:
        del parent[last]


@settings(max_examples=300, deadline=None)
@given(before=SHIFTS, after=SHIFTS)
def test_field_changes_patch_the_old_shift_into_the_new_one(before: Shift, after: Shift) -> None:
    changes = field_changes(before, after)
    assert bool(changes) == (before != after)
    value = copy.deepcopy(before.comparable())
    # Removals from a list's end first, so the indices before them still hold.
    for change in sorted(changes, key=lambda c: c.after is not None):
        assert change.before != change.after, change
        patched(value, change.path, change.after)
    assert value == after.comparable()
    assert [c.path for c in changes] == sorted(
        (c.path for c in changes),
        key=lambda p: [int(i) if i else k for k, i in re.findall(r"([^.\[\]]+)|\[(\d+)\]", p)],
    )


def test_a_longer_list_reads_as_items_added_at_its_end() -> None:
    one = shift("S", "09:00")
    two = Shift(
        "S", 2, (*one.punch_time_rule, PunchTimeRule("13:00", "18:00", 5, 60, 120, 1, 60, 240))
    )
    changes = field_changes(one, two)
    assert [c.path for c in changes] == ["punch_time_rule[1]", "punch_times"]
    assert changes[0].before is None
    assert changes[0].after["on_time"] == "13:00"
    assert [c.path for c in field_changes(two, one)] == ["punch_time_rule[1]", "punch_times"]
    assert field_changes(two, one)[0].after is None
