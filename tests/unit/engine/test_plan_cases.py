"""Data-driven plan cases: each folder under ``cases/`` holds desired shifts, current
remote shifts, optional settings and overrides, and the expected plan (or error)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from reconciler.config import Settings
from reconciler.errors import ShiftctlError
from reconciler.model import CurrentShift, Shift
from reconciler.plan import Change, Create, Overrides, Plan, compute_plan
from reconciler.render import format_value

CASES = Path(__file__).parent / "cases"
_TUPLES = {"include", "exclude", "protected"}


def load_case(name: str) -> dict[str, Any]:
    data = yaml.safe_load((CASES / name / "case.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def settings_of(values: dict[str, Any]) -> Settings:
    return Settings(**{k: tuple(v) if k in _TUPLES else v for k, v in values.items()})


def run_case(case: dict[str, Any]) -> Plan:
    desired = [Shift.from_mapping(m) for m in case["desired"]]
    current = [CurrentShift(r["shift_id"], Shift.from_mapping(r["shift"])) for r in case["current"]]
    extra = case.get("overrides", {})
    overrides = Overrides.of(extra.get("allow_delete", ()), force=extra.get("force", False))
    return compute_plan(desired, current, settings_of(case.get("settings", {})), overrides)


def headline(change: Change) -> str:
    if isinstance(change, Create):
        return f"create {change.name}"
    return f"{change.action} {change.name} ({change.shift_id})"


@pytest.mark.parametrize("name", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_plan_case(name: str) -> None:
    case = load_case(name)
    expected = case["expected"]
    if "error" in expected:
        with pytest.raises(ShiftctlError) as caught:
            run_case(case)
        assert expected["error"] in str(caught.value)
        return
    plan = run_case(case)
    assert plan.summary() == expected["summary"]
    assert [headline(c) for c in plan.changes] == expected["changes"]
    diffs = {
        c.name: [f"{d.path}: {format_value(d.before)} → {format_value(d.after)}" for d in c.diff]
        for c in plan.updates
    }
    assert diffs == expected.get("diff", {})
    guards = [f"{g.rule} {'overridden' if g.overridden else 'blocked'}" for g in plan.guards]
    assert guards == expected["guards"]
    assert [f"{h.old} → {h.new}" for h in plan.hints] == expected.get("hints", [])
    if "overrides" in expected:
        recorded = plan.overrides
        assert {"allow_delete": list(recorded.allow_delete), "force": recorded.force} == (
            expected["overrides"]
        )
