"""Convergence read from the answers to the writes: hand-built plans and reports."""

from __future__ import annotations

from reconciler.apply import ApplyReport, Outcome
from reconciler.converge import unsettled
from reconciler.model import CurrentShift, PunchTimeRule, Shift
from reconciler.plan import Create, Delete, Plan, Update

RULE = PunchTimeRule("09:00", "18:00", 5, 60, 120, 1, 60, 240)


def shift(name: str, **fields: object) -> Shift:
    return Shift.from_mapping({**Shift(name, 1, (RULE,)).to_mapping(), **fields})


def test_answers_equal_to_what_was_sent_have_settled() -> None:
    new, after = shift("New"), shift("Kept", is_flexible=True, flexible_minutes=10)
    plan = Plan(
        (Create(new), Update("7", shift("Kept"), after, ()), Delete("8", shift("Gone"))), 0, 0, "x"
    )
    report = ApplyReport(
        (
            Outcome("create", "New", "applied", "9", answer=CurrentShift("9", new)),
            Outcome("update", "Kept", "applied", "7", answer=CurrentShift("7", after)),
            Outcome("delete", "Gone", "applied", "8"),
        )
    )
    assert unsettled(plan, report) == ()


def test_an_update_the_tenant_merged_is_named_with_its_fields() -> None:
    before = shift("Kept", is_flexible=True, flexible_minutes=10)
    after = shift("Kept")
    merged = CurrentShift("7", before)  # the tenant kept what the update turned off
    plan = Plan((Update("7", before, after, ()),), 0, 0, "x")
    report = ApplyReport((Outcome("update", "Kept", "applied", "7", answer=merged),))
    (problem,) = unsettled(plan, report)
    assert problem.fields == ("flexible_minutes", "is_flexible")
    assert str(problem) == (
        "update 'Kept': the tenant answered with other values for flexible_minutes, is_flexible"
    )


def test_failed_and_skipped_operations_are_not_judged_here() -> None:
    plan = Plan((Create(shift("New")), Delete("8", shift("Gone"))), 0, 0, "x")
    report = ApplyReport(
        (
            Outcome("create", "New", "failed", code=1220600, msg="the object already exists"),
            Outcome("delete", "Gone", "skipped", "8", reason="not run"),
        )
    )
    assert unsettled(plan, report) == ()
