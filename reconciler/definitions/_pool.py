"""Checking many files on every core: a process pool past a threshold, results in file order.

Below ``PARALLEL_FILES`` files one process is faster (starting workers costs more than it
saves). The pool forks when this process runs no other thread (fast, nothing to re-import)
and spawns otherwise (forking a threaded process can copy a lock some thread holds).
Each worker returns only what the merge needs, and the merge runs here in file order,
so the result is the same as one process's, problem for problem.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

__all__ = ["PARALLEL_FILES", "in_file_order", "worker_count"]

#: At least this many files before a second process is started.
PARALLEL_FILES = 400
_CHUNKS_PER_WORKER = 8  # small enough to even out, large enough to amortise each hand-over

T = TypeVar("T")


def worker_count(files: int, cpus: int | None = None) -> int:
    """How many processes check ``files`` files: 1 below the threshold, else the CPUs."""
    available = cpus if cpus is not None else _cpus()
    if files < PARALLEL_FILES or available < 2:
        return 1
    return min(available, files // (PARALLEL_FILES // 2))


def in_file_order(
    check: Callable[[Path], T], files: Sequence[Path], workers: int | None = None
) -> Iterator[T]:
    """``check`` of each file, in the order given; on several processes when worthwhile."""
    count = worker_count(len(files)) if workers is None else workers
    if count < 2:
        yield from map(check, files)
        return
    # Imported here: they cost a one-file `shiftctl validate` about 20 ms.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if _single_threaded() else "spawn"
    context = multiprocessing.get_context(method)
    chunk = max(1, len(files) // (count * _CHUNKS_PER_WORKER))
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        yield from pool.map(check, files, chunksize=chunk)


def _cpus() -> int:
    if hasattr(os, "sched_getaffinity"):  # the CPUs this process may run on (Linux)
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _single_threaded() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
