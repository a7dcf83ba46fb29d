"""Benchmark: `shiftctl validate` against `check-jsonschema` on the same 10,000 shift files.

Run with: pytest -m bench tests/bench/test_validate_bench.py -s
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
FILES = 10_000


def _tool(name: str) -> str:
    path = Path(sys.executable).parent / name
    found = str(path) if path.exists() else shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed (pip install -e '.[test,bench]')")
    return found


def _write_files(folder: Path) -> list[str]:
    """FILES one-shift files, cycling through the example shifts with unique names."""
    examples = []
    for path in sorted((ROOT / "shifts").glob("*.yaml")):
        first = path.read_text(encoding="utf-8").split("---\n")[0]
        examples.append(first.replace("../schema/", "../../schema/"))
    names = []
    for index in range(FILES):
        text = examples[index % len(examples)]
        lines = text.splitlines(keepends=True)
        lines = [
            f"{line[:-1]} {index}\n" if line.startswith("shift_name:") else line for line in lines
        ]
        name = f"shift-{index:05d}.yaml"
        (folder / name).write_text("".join(lines), encoding="utf-8")
        names.append(name)
    return names


def _timed(command: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, done


@pytest.mark.bench
def test_validate_is_faster_than_check_jsonschema(tmp_path: Path) -> None:
    folder = tmp_path / "shifts"
    folder.mkdir()
    names = _write_files(folder)
    schema = str(ROOT / "schema" / "shift.schema.json")

    ours, mine = _timed([_tool("shiftctl"), "validate", "."], folder)
    theirs, other = _timed([_tool("check-jsonschema"), "--schemafile", schema, *names], folder)

    assert mine.returncode == 0, mine.stdout + mine.stderr
    assert other.returncode == 0, other.stdout + other.stderr
    report = {
        "files": FILES,
        "shiftctl_validate_s": round(ours, 3),
        "check_jsonschema_s": round(theirs, 3),
        "ratio": round(theirs / ours, 2),
    }
    print()
    print(f"{'tool':<24}{'seconds':>10}{'files/s':>12}")
    print(f"{'shiftctl validate':<24}{ours:>10.2f}{FILES / ours:>12.0f}")
    print(f"{'check-jsonschema':<24}{theirs:>10.2f}{FILES / theirs:>12.0f}")
    print(f"shiftctl validate is {theirs / ours:.1f}x faster")
    print(json.dumps(report))
    assert ours < theirs
