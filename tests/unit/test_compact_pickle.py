"""What validate's worker processes send back arrives equal: shifts, locations, problems."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path

import pytest

from reconciler.definitions._check import FileFindings
from reconciler.errors import Problem, SourceLocation
from reconciler.model import Shift

SHIFTS = Path(__file__).parents[2] / "shifts"
VALUES = [
    SourceLocation("shifts/早班.yaml", 3, 1),
    Problem(SourceLocation("a.yaml", 2, 5), "punch_times", "must be at least 1", "warning"),
]


@pytest.mark.parametrize("value", VALUES, ids=type)
def test_a_value_survives_pickling_equal_and_of_its_type(value: object) -> None:
    again = pickle.loads(pickle.dumps(value))
    assert again == value
    assert type(again) is type(value)


@pytest.mark.parametrize("path", sorted(SHIFTS.glob("*.yaml")), ids=lambda p: p.name)
def test_a_files_findings_survive_pickling(path: Path) -> None:
    findings = FileFindings.of(path)
    assert findings.shifts, "the example files define shifts"
    again = pickle.loads(pickle.dumps(findings, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == findings
    assert [type(d.shift) for d in again.shifts] == [Shift] * len(findings.shifts)
    assert hash(again.shifts[0].location) == hash(findings.shifts[0].location)


def test_a_rebuilt_shift_stays_frozen() -> None:
    shift = FileFindings.of(SHIFTS / "standard.yaml").shifts[0].shift
    rebuilt = copy.deepcopy(shift)
    assert rebuilt == shift
    with pytest.raises(AttributeError):
        rebuilt.shift_name = "other"  # type: ignore[misc]
