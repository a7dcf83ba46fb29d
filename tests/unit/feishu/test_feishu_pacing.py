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


def test_an_endpoint_with_a_lower_documented_limit_is_paced_at_it() -> None:
    clock = Clock()
    limiter = RateLimiter(50, clock=clock, sleep=clock.sleep)
    # user_flows/batch_del: 10 per second on its page, whatever the configured rate.
    assert [round(limiter.acquire("del", 10), 3) for _ in range(3)] == [0.0, 0.1, 0.2]
    # A documented limit never raises the configured one.
    slow = RateLimiter(5, clock=clock, sleep=clock.sleep)
    assert [round(slow.acquire("list", 50), 3) for _ in range(2)] == [0.0, 0.2]


def test_the_per_minute_cap_keeps_every_minute_under_it() -> None:
    clock = Clock()
    limiter = RateLimiter(0, per_minute=3, clock=clock, sleep=clock.sleep)
    assert [limiter.acquire("k") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire("k") == 60.0  # the fourth waits until the first leaves the minute
    assert limiter.acquire("other") == 0.0  # per endpoint
    clock.now = 61.0
    assert limiter.acquire("k") == 0.0  # the second start left the window at 60


def test_spacing_and_the_minute_cap_together() -> None:
    clock = Clock()
    limiter = RateLimiter(10, per_minute=2, clock=clock, sleep=clock.sleep)
    assert [round(limiter.acquire("k"), 3) for _ in range(3)] == [0.0, 0.1, 60.0]
