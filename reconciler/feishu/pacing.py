"""Client-side pacing: request starts per endpoint spaced ``1/rate`` apart, thread-safe.

Spacing (rather than bursts up to the limit) keeps any one-second window at or
under the server's limit, so bulk work rarely meets a 429.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

__all__ = ["RateLimiter"]


class RateLimiter:
    """At most ``rate`` request starts per second for each endpoint key; ``rate <= 0`` is off."""

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._clock = clock
        self._sleep = sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def acquire(self, key: str) -> float:
        """Wait for this endpoint's next free slot; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next.get(key, now))
            if self._interval:
                self._next[key] = slot + self._interval
        # Sleep outside the lock: the slot is reserved, other threads take later ones.
        wait = slot - now
        if wait > 0:
            self._sleep(wait)
        return wait

    def hold(self, key: str, seconds: float) -> None:
        """Keep every caller of ``key`` back for ``seconds`` (after a 429 with a reset hint)."""
        with self._lock:
            until = self._clock() + seconds
            self._next[key] = max(self._next.get(key, until), until)
