"""Client-side pacing per endpoint, thread-safe, shaped by how Feishu counts calls.

Feishu counts each endpoint's calls in whole-second windows (docs/feishu-api.md §6.3).
A call reaches the server some milliseconds after it starts, and that delay
varies (the network, a loaded machine), so starts spaced exactly ``1/rate``
apart meet a window with one call too many whenever one arrives late. The
limiter therefore lets at most ``rate`` calls start in any ``1 + margin``
seconds: the calls that arrive in one server window started within ``1 + J``
seconds of each other (``J`` the spread of the delay), so with ``J <= margin``
they are never more than ``rate``, whatever the window's phase. An endpoint may
carry a lower documented limit of its own (``user_flows/batch_del``: 10/s), and
an optional per-minute cap keeps every 60-second window under a count.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

__all__ = ["WINDOW_MARGIN", "RateLimiter"]

_MINUTE = 60.0
WINDOW_MARGIN = 0.02
"""Seconds of spread in the delay between a call's start and the server's count of it
that the pacing absorbs; it costs ``margin / (1 + margin)`` of the rate (2 % at 0.02)."""
CATCH_UP = 0.06
"""Seconds of lost spacing a late caller may make up (a short burst; the window still holds)."""


class RateLimiter:
    """At most ``rate`` request starts per ``1 + margin`` seconds for each endpoint key.

    ``rate <= 0`` is off. ``acquire(key, ceiling)`` paces ``key`` at
    ``min(rate, ceiling)``: the endpoint's documented limit lowers the
    configured one, never raises it. Starts are also spread ``1/rate`` apart
    (no burst at a window's start), except that a caller who came up to
    ``CATCH_UP`` seconds late lets the next ones keep the old schedule.
    ``per_minute`` (0: none) caps the starts of each key in any 60 seconds; ``hold``
    keeps a key back after a 429.
    """

    def __init__(
        self,
        rate: float,
        *,
        per_minute: int = 0,
        margin: float = WINDOW_MARGIN,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if margin < 0:
            raise ValueError("margin must not be negative")
        self.rate = rate
        self.per_minute = per_minute
        self.margin = margin
        self._clock = clock
        self._sleep = sleep
        self._next: dict[str, float] = {}  # the next free slot of the spacing
        self._held: dict[str, float] = {}  # no start before this (a 429's reset)
        self._recent: dict[str, deque[float]] = {}  # real starts within the last window
        self._starts: dict[str, deque[float]] = {}  # slots within the last minute
        self._lock = threading.Lock()

    def effective_rate(self, ceiling: float | None = None) -> float:
        """Requests per second allowed for a key with this documented ``ceiling`` (0: off)."""
        if self.rate <= 0:
            return 0.0
        return self.rate if ceiling is None or ceiling <= 0 else min(self.rate, ceiling)

    def interval(self, ceiling: float | None = None) -> float:
        """Seconds between two starts of one key (0: not paced)."""
        rate = self.effective_rate(ceiling)
        return 1.0 / rate if rate else 0.0

    def acquire(self, key: str, ceiling: float | None = None) -> float:
        """Wait until ``key`` may start a request; returns the seconds waited."""
        rate = self.effective_rate(ceiling)
        with self._lock:
            started = self._clock()
            # A caller that came late (its work took longer than a slot) may make up for
            # up to CATCH_UP seconds: the next starts follow the old schedule, not now.
            base = max(self._next.get(key, started), started - CATCH_UP)
            due = max(started, base)
            slot = self._minute_slot(key, max(due, self._held.get(key, started)))
            if rate:
                # A hold or the minute cap moved the slot: the spacing starts again there.
                self._next[key] = (base if slot == due else slot) + 1.0 / rate
        # Sleep outside the lock: the slot is reserved, other threads take later ones.
        if slot > started:
            self._sleep(slot - started)
        # The window is checked against the moment of the real start, so a thread that
        # woke late can never bunch with the ones that started on time.
        while True:
            with self._lock:
                now = self._clock()
                free = self._free_at(key, rate, now)
                if free <= now:
                    if rate:
                        self._recent.setdefault(key, deque()).append(now)
                    return now - started
            self._sleep(free - now)

    def _free_at(self, key: str, rate: float, now: float) -> float:
        """The earliest start at or after ``now`` that the window and a hold allow."""
        free = max(now, self._held.get(key, now))
        recent = self._recent.get(key)
        if not rate or recent is None:
            return free
        span = 1.0 + self.margin
        while recent and recent[0] <= now - span:
            recent.popleft()
        allowed = max(1, math.floor(rate))
        if len(recent) >= allowed:
            # The start ``allowed`` places back must leave the window first.
            free = max(free, recent[len(recent) - allowed] + span)
        return free

    def _minute_slot(self, key: str, slot: float) -> float:
        """The earliest start at or after ``slot`` that keeps ``key`` under the minute cap."""
        if self.per_minute <= 0:
            return slot
        starts = self._starts.setdefault(key, deque())
        while starts and starts[0] <= slot - _MINUTE:
            starts.popleft()
        if len(starts) >= self.per_minute:
            # The oldest start in the window must leave it before another may begin.
            slot = max(slot, starts[len(starts) - self.per_minute] + _MINUTE)
            while starts and starts[0] <= slot - _MINUTE:
                starts.popleft()
        starts.append(slot)
        return slot

    def hold(self, key: str, seconds: float) -> None:
        """Keep every caller of ``key`` back for ``seconds`` (a 429's reset), no longer."""
        with self._lock:
            until = self._clock() + seconds
            self._held[key] = max(self._held.get(key, until), until)
