"""Many files are checked on every core, and the answer is the one a single process gives."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from reconciler.definitions import check
from reconciler.definitions._pool import PARALLEL_FILES, worker_count

HERE = Path(__file__).parent


def _repository(root: Path) -> Path:
    """Good shifts, broken files, suspicious ones, duplicates and renames, in subfolders."""
    folder = root / "shifts"
    for name in ("broken", "suspicious", "duplicate"):
        shutil.copytree(HERE / name, folder / name, ignore=shutil.ignore_patterns("*.txt"))
    shutil.copytree(HERE.parents[2] / "shifts", folder / "examples")
    for index in range(60):  # enough files for every worker to take several chunks
        text = (folder / "examples" / "standard.yaml").read_text(encoding="utf-8")
        renamed = text.replace("shift_name: ", f"shift_name: Copy {index:02d} ", 1)
        (folder / "copies" / f"copy-{index:02d}.yaml").parent.mkdir(exist_ok=True)
        (folder / "copies" / f"copy-{index:02d}.yaml").write_text(renamed, encoding="utf-8")
    return folder


def test_two_processes_find_exactly_what_one_finds(tmp_path: Path) -> None:
    folder = _repository(tmp_path)
    alone = check([folder], workers=1)
    shared = check([folder], workers=2)
    assert shared == alone
    state, problems = shared
    assert problems == sorted(problems)
    assert any(not p.is_warning for p in problems)
    assert any(p.is_warning for p in problems)
    assert any("duplicate shift_name" in p.message for p in problems)
    assert len(state.shifts) > 60


def test_a_spawned_pool_finds_the_same(tmp_path: Path) -> None:
    # A process running other threads spawns its workers instead of forking.
    folder = _repository(tmp_path)
    alone = check([folder], workers=1)
    stop = threading.Event()
    beside = threading.Thread(target=stop.wait)
    beside.start()
    try:
        assert check([folder], workers=2) == alone
    finally:
        stop.set()
        beside.join()


@pytest.mark.parametrize(
    ("files", "cpus", "expected"),
    [
        (PARALLEL_FILES - 1, 2, 1),
        (PARALLEL_FILES, 1, 1),
        (PARALLEL_FILES, 2, 2),
        (10_000, 2, 2),
        (10_000, 8, 8),
        (PARALLEL_FILES, 8, 2),  # a worker per few hundred files, not one per CPU
    ],
)
def test_a_pool_starts_only_past_a_few_hundred_files(files: int, cpus: int, expected: int) -> None:
    assert worker_count(files, cpus) == expected
