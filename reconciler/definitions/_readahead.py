"""Reading a run of shift files in batches, so that a thread waiting on the network is not starved.

``plan`` reads the files while another thread lists the tenant. Reading one small file
is five short system calls (open, fstat, two reads, close), and each releases the
interpreter lock and takes it back at once. A thread waiting for the lock asks for it
only after a whole switch interval without being woken, and every release wakes it and
starts that wait again: a reader releasing every 30 µs kept the listing thread's
answers waiting until the reading ended (50 ms over 300 files, a third of that
listing's own time). Reading a batch back to back and then parsing it, which makes no
system call, lets the waiting thread's request through during the parsing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reconciler.definitions._walk import NotRegular, read_regular

__all__ = ["ReadAhead"]

#: At most this many files, and about this many bytes, are held read and unparsed.
BATCH_FILES = 64
BATCH_BYTES = 4 << 20


class ReadAhead:
    """Hands out each of ``files`` once, reading the next batch when one is asked for.

    ``read`` behaves as ``read_regular`` (the same bytes, the same exceptions) for a
    path of ``files`` asked for in their order; any other path is read on the spot.
    """

    def __init__(self, files: Sequence[Path], limit: int) -> None:
        self._files = files
        self._limit = limit
        self._next = 0  # the index in ``files`` the next batch starts at
        self._ready: dict[Path, bytes | OSError | NotRegular] = {}

    def read(self, path: Path, limit: int) -> bytes:
        if limit != self._limit:
            return read_regular(path, limit)
        if path not in self._ready:
            if self._next >= len(self._files) or self._files[self._next] != path:
                return read_regular(path, limit)  # out of order: the batch is left as it is
            self._fill(path)
        outcome = self._ready.pop(path, None)
        if outcome is None:
            return read_regular(path, limit)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def _fill(self, first: Path) -> None:
        self._ready.clear()  # what is left of the last batch was asked for out of order
        held = 0
        while self._next < len(self._files) and len(self._ready) < BATCH_FILES:
            path = self._files[self._next]
            self._next += 1
            try:
                raw = read_regular(path, self._limit)
            except (OSError, NotRegular) as exc:
                self._ready[path] = exc.with_traceback(None)  # not this frame and its bytes
                continue
            self._ready[path] = raw
            held += len(raw)
            if held >= BATCH_BYTES and first in self._ready:
                break
