"""Client-side pacing: request starts per endpoint spaced ``1/rate`` apart, thread-safe.

Spacing (rather than bursts up to the limit) keeps any one-second window at or
under the server's limit, so bulk work rarely meets a 429. An endpoint may
carry a lower documented limit of its own (``user_flows/batch_del``: 10/s),
and an optional per-minute cap keeps every 60-second window under a count.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

__all__ = ["RateLimiter"]

_MINUTE = 60.0


class RateLimiter:
    """At most ``rate`` request starts per second for each endpoint key; ``rate <= 0`` is off.

    ``acquire(key, ceiling)`` paces ``key`` at ``min(rate, ceiling)``: the
    endpoint's documented limit lowers the configured one, never raises it.
    ``per_minute`` (0: none) caps the starts of each key in any 60 seconds.
    """

    def __init__(
        self,
        rate: float,
        *,
        per_minute: int = 0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self.per_minute = per_minute
        self._clock = clock
        self._sleep = sleep
        self._next: dict[str, float] = {}
        self._starts: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def interval(self, ceiling: float | None = None) -> float:
        """Seconds between two starts of one key (0: not paced)."""
        if self.rate <= 0:
            return 0.0
        rate = self.rate if ceiling is None or ceiling <= 0 else min(self.rate, ceiling)
        return 1.0 / rate

    def acquire(self, key: str, ceiling: float | None = None) -> float:
        """Wait for this endpoint's next free slot; returns the seconds waited."""
        interval = self.interval(ceiling)
        with self._lock:
            now = self._clock()
            slot = max(now, self._next.get(key, now))
            slot = self._minute_slot(key, slot)
            if interval:
                self._next[key] = slot + interval
        # Sleep outside the lock: the slot is reserved, other threads take later ones.
        wait = slot - now
        if wait > 0:
            self._sleep(wait)
        return wait

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
        """Keep every caller of ``key`` back for ``seconds`` (after a 429 with a reset hint)."""
        with self._lock:
            until = self._clock() + seconds
            self._next[key] = max(self._next.get(key, until), until)
