"""A first Ctrl-C that asks long work to stop cleanly; a second one stops it at once.

An import or a delete stopped half-way must still say what it did: the first
interrupt only sets an event the work checks between batches.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType

__all__ = ["stop_on_interrupt"]


@contextlib.contextmanager
def stop_on_interrupt(notice: Callable[[], None] = lambda: None) -> Iterator[threading.Event]:
    """An event set by the first SIGINT while the block runs (``notice`` is called then).

    The second SIGINT gets the handler that was there before (normally
    KeyboardInterrupt). Outside the main thread, or when SIGINT is ignored,
    nothing is installed and the event is never set.
    """
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous is signal.SIG_IGN:
        yield stop
        return
    restore = signal.SIG_DFL if previous is None else previous

    def first(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGINT, restore)
        stop.set()
        notice()

    signal.signal(signal.SIGINT, first)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, restore)
