"""Properties of compute_plan: applying a plan's changes to the tenant converges it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.config import Settings
from reconciler.model import PunchTimeRule, RemoteShift, Shift
from reconciler.plan import Create, Delete, Overrides, Plan, Update, compute_plan

NAMES = ("Day", "Night", "Early", "Late", "早班", "HQ-a", "HQ-b")
TIMES = ("07:00", "08:00", "09:00", "09:30")


def shift(name: str, on_time: str) -> Shift:
    return Shift(name, 1, (PunchTimeRule(on_time, "18:00", 5, 60, 120, 1, 60, 240),))


shift_sets = st.dictionaries(st.sampled_from(NAMES), st.sampled_from(TIMES), max_size=len(NAMES))


def executed(plan: Plan, current: list[RemoteShift]) -> list[RemoteShift]:
    """What the tenant holds after every change of ``plan`` succeeded."""
    tenant = {r.shift_id: r for r in current}
    for index, change in enumerate(plan.changes):
        if isinstance(change, Create):
            tenant[f"new-{index}"] = RemoteShift(f"new-{index}", change.shift)
        elif isinstance(change, Update):
            tenant[change.shift_id] = RemoteShift(change.shift_id, change.after)
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
    current = [RemoteShift(str(i), shift(n, t)) for i, (n, t) in enumerate(remote.items())]
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
