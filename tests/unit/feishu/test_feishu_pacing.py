"""The client-side rate limit spaces request starts per endpoint."""

from __future__ import annotations

import threading

from reconciler.feishu.pacing import RateLimiter


class Clock:
    """Frozen time: each acquire's wait is its slot's distance from now."""

    now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0


def test_starts_are_spaced_one_interval_apart() -> None:
    clock = Clock()
    limiter = RateLimiter(50, clock=clock, sleep=clock.sleep)
    waits = [limiter.acquire("GET /shifts") for _ in range(5)]
    assert waits == [0.0, 0.02, 0.04, 0.06, 0.08]


def test_endpoints_are_paced_independently() -> None:
    clock = Clock()
    limiter = RateLimiter(10, clock=clock, sleep=clock.sleep)
    assert limiter.acquire("GET /a") == 0.0
    assert limiter.acquire("GET /b") == 0.0
    assert limiter.acquire("GET /a") == 0.1


def test_zero_rate_is_off() -> None:
    clock = Clock()
    limiter = RateLimiter(0, clock=clock, sleep=clock.sleep)
    assert [limiter.acquire("k") for _ in range(100)] == [0.0] * 100


def test_hold_keeps_every_caller_back() -> None:
    clock = Clock()
    limiter = RateLimiter(0, clock=clock, sleep=clock.sleep)
    limiter.hold("k", 1.5)
    assert limiter.acquire("k") == 1.5
    assert limiter.acquire("other") == 0.0


def test_threads_get_distinct_slots() -> None:
    clock = Clock()
    limiter = RateLimiter(100, clock=clock, sleep=clock.sleep)
    waits: list[float] = []
    lock = threading.Lock()

    def take() -> None:
        for _ in range(25):
            wait = limiter.acquire("k")
            with lock:
                waits.append(round(wait, 6))

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert sorted(waits) == [round(i * 0.01, 6) for i in range(100)]
