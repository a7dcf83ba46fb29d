"""Commands timed side by side: each round runs every command once, in turn.

Alternating spreads whatever else the machine does over all the commands alike, so their
ratios hold on a shared machine even when the seconds do not; the median of the rounds is
what is compared. One untimed round first fills the page cache and the bytecode caches.
"""

from __future__ import annotations

import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

__all__ = ["Runs", "alternating", "tool"]


@dataclass(frozen=True, slots=True)
class Runs:
    """One command's rounds: wall-clock seconds and the CPU seconds it used (user + system)."""

    seconds: tuple[float, ...]
    cpu_seconds: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu_seconds)


def alternating(
    commands: Mapping[str, Sequence[str]], rounds: int, cwd: Path, *, warm_up: bool = True
) -> dict[str, Runs]:
    """Run every command ``rounds`` times in alternation; each must exit 0."""
    if warm_up:
        for command in commands.values():
            _run(command, cwd)
    wall: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            seconds, used = _run(command, cwd)
            wall[name].append(seconds)
            cpu[name].append(used)
    return {name: Runs(tuple(wall[name]), tuple(cpu[name])) for name in commands}


def _run(command: Sequence[str], cwd: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        shown = " ".join(command[:4])
        raise AssertionError(f"{shown} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, used


def tool(name: str) -> str:
    """A console script of this interpreter's environment (else the PATH's)."""
    path = Path(sys.executable).parent / name
    found = str(path) if path.exists() else shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed (pip install -e '.[test,bench]')")
    return found
