"""Each file in broken/ has one deliberate error (schema-and-semantic-errors.yaml one of
each kind, both reported in one run), each in suspicious/ one warning; the folder's
EXPECTED.txt says exactly what is reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.definitions import check, load_desired
from reconciler.errors import ValidationFailed
from reconciler.model import PunchTimeRule, Shift, minutes_of

HERE = Path(__file__).parent
BROKEN = HERE / "broken"
SUSPICIOUS = HERE / "suspicious"
SHIFTS = HERE.parents[2] / "shifts"


def _expected(folder: Path = BROKEN) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for line in (folder / "EXPECTED.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, rest = line.partition(":")
            table.setdefault(name, []).append(rest)
    return table


def _as_expected(reported: str, expected: str) -> str:
    """``reported`` cut to the expectation's length where it ends in " …" (a parser's words)."""
    if expected.endswith(" …"):
        kept = expected.removesuffix("…")
        return expected if reported.startswith(kept) and len(reported) > len(kept) else reported
    return reported


EXPECTED = _expected()
BROKEN_FILES = sorted(path.name for path in BROKEN.glob("*.yaml"))
WARNED = _expected(SUSPICIOUS)
SUSPICIOUS_FILES = sorted(path.name for path in SUSPICIOUS.glob("*.yaml"))


def test_every_broken_file_has_an_expectation_and_back() -> None:
    assert sorted(EXPECTED) == BROKEN_FILES
    assert sorted(WARNED) == SUSPICIOUS_FILES


@pytest.mark.parametrize("name", SUSPICIOUS_FILES)
def test_suspicious_file_warns_and_still_loads(name: str) -> None:
    path = SUSPICIOUS / name
    state, problems = check([path])
    reported = [str(problem).removeprefix(f"{path}:") for problem in problems]
    assert reported == WARNED[name]
    assert all(problem.severity == "warning" for problem in problems)
    assert len(state.shifts) == 1
    assert state.warnings == tuple(problems)
    assert load_desired([path]).shifts == state.shifts


@pytest.mark.parametrize("name", SUSPICIOUS_FILES)
def test_suspicious_file_refuses_to_load_when_strict(name: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        load_desired([SUSPICIOUS / name], strict=True)
    assert [p.severity for p in caught.value.problems] == ["error"] * len(WARNED[name])


@pytest.mark.parametrize("name", BROKEN_FILES)
def test_broken_file_reports_exactly_its_problems(name: str) -> None:
    path = BROKEN / name
    state, problems = check([path])
    assert state.shifts == () or name == "second-document-broken.yaml"
    reported = [str(problem).removeprefix(f"{path}:") for problem in problems]
    assert [
        _as_expected(got, want) for got, want in zip(reported, EXPECTED[name], strict=False)
    ] == (EXPECTED[name])
    assert len(reported) == len(EXPECTED[name])
    assert all(problem.location.path == str(path) for problem in problems)
    assert all(problem.severity == "error" for problem in problems)


@pytest.mark.parametrize("name", BROKEN_FILES)
def test_broken_file_refuses_to_load(name: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        load_desired([BROKEN / name])
    assert len(caught.value.problems) == len(EXPECTED[name])


def test_every_problem_of_every_file_is_reported_in_one_run_sorted() -> None:
    _, problems = check([BROKEN])
    assert problems == sorted(problems)
    files_with_problems = {Path(problem.location.path).name for problem in problems}
    assert files_with_problems == set(BROKEN_FILES)


def test_the_example_shifts_are_valid() -> None:
    state, problems = check([SHIFTS])
    assert problems == []
    assert len(state.shifts) >= 6
    names = [desired.shift.shift_name for desired in state.shifts]
    assert names == sorted(names)
    assert {"标准班", "夜班", "弹性班", "两头班", "休息日值班"} <= set(names)


def test_example_shifts_start_with_the_schema_comment() -> None:
    for path in sorted(SHIFTS.glob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../schema/shift.schema.json", path


def test_the_examples_cover_the_six_kinds_of_shift_a_company_uses() -> None:
    shifts = [desired.shift for desired in load_desired([SHIFTS]).shifts]

    def first(shift: Shift) -> PunchTimeRule:
        return shift.punch_time_rule[0]

    kinds = {
        "standard day with lunch": lambda s: (
            (first(s).on_time, first(s).off_time) == ("09:00", "18:00") and bool(s.rest_time_rule)
        ),
        "early": lambda s: minutes_of(first(s).on_time) < minutes_of("08:00"),
        "night into the next morning": lambda s: minutes_of(first(s).off_time) > 24 * 60,
        "flexible": lambda s: s.is_flexible,
        "two-segment split": lambda s: s.punch_times == len(s.punch_time_rule) == 2,
        "rest day": lambda s: s.day_type == 2,
    }
    missing = [kind for kind, test in kinds.items() if not any(test(s) for s in shifts)]
    assert missing == []
