"""Benchmark: what a user waits for before shiftctl does anything, side by side with references.

`shiftctl --help` against `python -c pass` on the same interpreter (the console script and
`python -m reconciler`), and `shiftctl validate one.yaml` (what a pre-commit hook runs)
against `check-jsonschema` on the same file. Run with:
pytest -m bench tests/bench/test_startup_bench.py -s
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from _report import Check, Table, record
from _shiftfiles import write_files
from _timing import Runs, alternating, tool

ROOT = Path(__file__).parents[2]
ROUNDS = int(os.environ.get("SHIFTCTL_BENCH_STARTUP_ROUNDS", "15"))
HELP_TARGET = 3.0  # shiftctl --help ≤ 3 × python -c pass
VALIDATE_TARGET = 1.5  # shiftctl validate one.yaml ≥ 1.5 × faster than check-jsonschema

PYTHON = "python -c pass"
HELP = "shiftctl --help"
MODULE_HELP = "python -m reconciler --help"
VALIDATE = "shiftctl validate one.yaml"
CHECK_JSONSCHEMA = "check-jsonschema one.yaml"


@pytest.fixture(scope="module")
def startup(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Runs]:
    """Every command measured in one alternating series; the section is recorded here."""
    folder = tmp_path_factory.mktemp("startup") / "shifts"
    folder.mkdir()
    (folder / write_files(folder, 1)[0]).rename(folder / "one.yaml")
    schema = str(ROOT / "schema" / "shift.schema.json")
    commands = {
        PYTHON: [sys.executable, "-c", "pass"],
        HELP: [tool("shiftctl"), "--help"],
        MODULE_HELP: [sys.executable, "-m", "reconciler", "--help"],
        VALIDATE: [tool("shiftctl"), "validate", "one.yaml"],
        CHECK_JSONSCHEMA: [tool("check-jsonschema"), "--schemafile", schema, "one.yaml"],
    }
    runs = alternating(commands, ROUNDS, folder)
    help_ratio = runs[HELP].median / runs[PYTHON].median
    module_ratio = runs[MODULE_HELP].median / runs[PYTHON].median
    faster = runs[CHECK_JSONSCHEMA].median / runs[VALIDATE].median
    reference = {HELP: PYTHON, MODULE_HELP: PYTHON, CHECK_JSONSCHEMA: VALIDATE}
    shown = Table(
        f"start-up, median of {ROUNDS} alternating rounds",
        ["command", "median ms", "CPU ms", "fastest ms", "slowest ms", "median ÷ reference"],
        [
            [
                name,
                round(1000 * run.median, 1),
                round(1000 * run.cpu_median, 1),
                round(1000 * min(run.seconds), 1),
                round(1000 * max(run.seconds), 1),
                _times(run, runs, reference.get(name)),
            ]
            for name, run in runs.items()
        ],
    )
    checks = [
        Check(HELP, round(help_ratio, 2), f"≤ {HELP_TARGET} × {PYTHON}", help_ratio <= HELP_TARGET),
        Check(
            MODULE_HELP,
            round(module_ratio, 2),
            f"reported (≤ {HELP_TARGET} × {PYTHON} for the console script)",
            module_ratio <= HELP_TARGET,
        ),
        Check(
            VALIDATE,
            round(faster, 2),
            f"≥ {VALIDATE_TARGET} × faster than {CHECK_JSONSCHEMA}",
            faster >= VALIDATE_TARGET,
        ),
    ]
    data = {
        "rounds": ROUNDS,
        "python": sys.executable,
        "median_s": {name: round(run.median, 4) for name, run in runs.items()},
        "cpu_median_s": {name: round(run.cpu_median, 4) for name, run in runs.items()},
        "runs_s": {name: [round(s, 4) for s in run.seconds] for name, run in runs.items()},
        "help_over_python": round(help_ratio, 2),
        "module_help_over_python": round(module_ratio, 2),
        "validate_one_faster_than_check_jsonschema": round(faster, 2),
    }
    print()
    print(shown.text())
    for check in checks:
        print(f"{check.what}: {check.value} ({check.target}) {'met' if check.met else 'NOT MET'}")
    print(f"report: {record('startup', data, table=shown, checks=checks)}")
    return runs


def _times(run: Runs, runs: dict[str, Runs], reference: str | None) -> str:
    if reference is None:
        return ""
    return f"{run.median / runs[reference].median:.2f} × {reference}"


@pytest.mark.bench
def test_help_takes_at_most_3x_bare_python(startup: dict[str, Runs]) -> None:
    ratio = startup[HELP].median / startup[PYTHON].median
    assert ratio <= HELP_TARGET, {name: run.median for name, run in startup.items()}


@pytest.mark.bench
def test_validate_of_one_file_is_1_5x_faster_than_check_jsonschema(
    startup: dict[str, Runs],
) -> None:
    faster = startup[CHECK_JSONSCHEMA].median / startup[VALIDATE].median
    assert faster >= VALIDATE_TARGET, {name: run.median for name, run in startup.items()}
