"""Reading ahead: the next page is fetched on a thread while the current one is read.

Converting a page of shifts takes a few milliseconds of CPU; done between two calls it
adds up over a long listing. With the fetch on a thread of its own the conversion runs
while the next call waits on the network. At most two pages are ahead (one waiting, one
in flight); closing the iterator stops the fetching after the call in flight.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar, cast

__all__ = ["read_ahead"]

T = TypeVar("T")
_POLL = 0.05  # how often a waiting fetcher looks whether the reader stopped


def read_ahead(source: Iterator[T], *, name: str = "shiftctl-read-ahead") -> Iterator[T]:
    """The items of ``source`` in order, each fetched while the previous one is used.

    An exception raised by ``source`` is raised here, where the items are read.
    """
    handoff: queue.Queue[tuple[bool, T | BaseException | None]] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def give(done: bool, value: T | BaseException | None) -> None:
        while not stop.is_set():
            try:
                handoff.put((done, value), timeout=_POLL)
                return
            except queue.Full:
                continue

    def fetch() -> None:
        try:
            for item in source:
                give(False, item)
                if stop.is_set():
                    return
            give(True, None)
        except BaseException as exc:  # handed to the reader, who raises it
            give(True, exc)

    fetcher = threading.Thread(target=fetch, name=name, daemon=True)
    fetcher.start()
    try:
        while True:
            done, value = handoff.get()
            if isinstance(value, BaseException):
                raise value
            if done:
                return
            yield cast(T, value)  # not done and not an error: an item of source
    finally:
        stop.set()
        fetcher.join()
