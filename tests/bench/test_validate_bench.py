"""Benchmark: `shiftctl validate` against `check-jsonschema` on the same 10,000 shift files.

Both run as a user runs them, in their own process, alternating round by round (the
median of the rounds is compared). Run with:
pytest -m bench tests/bench/test_validate_bench.py -s
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from _report import Check, Table, record
from _shiftfiles import write_files
from _timing import alternating, tool

ROOT = Path(__file__).parents[2]
FILES = 10_000
ROUNDS = int(os.environ.get("SHIFTCTL_BENCH_VALIDATE_ROUNDS", "5"))
TARGET = 10.0  # shiftctl validate ≥ 10 × faster than check-jsonschema

OURS = "shiftctl validate ."
THEIRS = "check-jsonschema FILES"


@pytest.mark.bench
def test_validate_of_10000_files_is_10x_faster_than_check_jsonschema(tmp_path: Path) -> None:
    folder = tmp_path / "shifts"
    folder.mkdir()
    names = write_files(folder, FILES)
    schema = str(ROOT / "schema" / "shift.schema.json")
    commands = {
        OURS: [tool("shiftctl"), "validate", "."],
        THEIRS: [tool("check-jsonschema"), "--schemafile", schema, *names],
    }
    # The untimed round is skipped: check-jsonschema takes half a minute a round.
    runs = alternating(commands, ROUNDS, folder, warm_up=False)
    ours, theirs = runs[OURS], runs[THEIRS]
    ratio = theirs.median / ours.median
    cpu_ratio = theirs.cpu_median / ours.cpu_median
    shown = Table(
        f"validate {FILES:,} one-shift files, median of {ROUNDS} alternating rounds; "
        f"CPU seconds {cpu_ratio:.1f} : 1",
        ["tool", "median s", "CPU s", "files/s", "runs s"],
        [
            [
                name,
                round(run.median, 3),
                round(run.cpu_median, 3),
                round(FILES / run.median),
                ", ".join(f"{s:.2f}" for s in run.seconds),
            ]
            for name, run in runs.items()
        ],
    )
    check = Check(
        "validate is faster than check-jsonschema by",
        round(ratio, 2),
        f"≥ {TARGET} ×",
        ratio >= TARGET,
    )
    data = {
        "files": FILES,
        "rounds": ROUNDS,
        "cpus_used": os.cpu_count(),
        "shiftctl_validate_s": round(ours.median, 3),
        "check_jsonschema_s": round(theirs.median, 3),
        "shiftctl_validate_cpu_s": round(ours.cpu_median, 3),
        "check_jsonschema_cpu_s": round(theirs.cpu_median, 3),
        "runs_s": {name: [round(s, 3) for s in run.seconds] for name, run in runs.items()},
        "ratio": round(ratio, 2),
        # What the ratio falls toward when other work takes the second core.
        "cpu_seconds_ratio": round(cpu_ratio, 2),
    }
    print()
    print(shown.text())
    print(f"shiftctl validate is {ratio:.1f}x faster (target ≥ {TARGET}x)")
    print(f"report: {record('validate_10000', data, table=shown, checks=[check])}")
    assert ratio >= TARGET, data
