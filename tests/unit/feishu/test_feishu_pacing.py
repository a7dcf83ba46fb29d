"""The client-side rate limit: spaced starts, never more than the limit in 1 + margin seconds."""

from __future__ import annotations

import math
import random
import threading

import pytest

from reconciler.feishu.pacing import RateLimiter


class Clock:
    """Injected time: ``sleep`` moves it on; ``late`` adds to every sleep (a loaded machine)."""

    def __init__(self, late: float = 0.0, rng: random.Random | None = None) -> None:
        self.now = 0.0
        self.late = late
        self.rng = rng
        self.sleeps: list[float] = []
        self.lock = threading.Lock()

    def __call__(self) -> float:
        with self.lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        extra = self.late * self.rng.random() if self.rng else self.late
        with self.lock:
            self.sleeps.append(seconds)
            self.now += seconds + extra


def starts(limiter: RateLimiter, clock: Clock, key: str, count: int) -> list[float]:
    """When each of ``count`` requests one after another may start."""
    out = []
    for _ in range(count):
        limiter.acquire(key)
        out.append(round(clock.now, 6))
    return out


def most_in_any_window(times: list[float], length: float) -> int:
    """The largest number of ``times`` inside one half-open window ``[t, t + length)``.

    Times are rounded to the microsecond, so two starts exactly ``length`` apart are
    not counted together because of how the fake clock summed its sleeps.
    """
    ordered = sorted(times)
    return max(
        sum(1 for t in ordered[i:] if t < start + length - 1e-6) for i, start in enumerate(ordered)
    )


def test_starts_are_spaced_one_interval_apart() -> None:
    clock = Clock()
    limiter = RateLimiter(50, clock=clock, sleep=clock.sleep)
    assert starts(limiter, clock, "GET /shifts", 5) == [0.0, 0.02, 0.04, 0.06, 0.08]


def test_acquire_returns_the_seconds_waited() -> None:
    clock = Clock()
    limiter = RateLimiter(10, clock=clock, sleep=clock.sleep)
    assert limiter.acquire("k") == 0.0
    assert limiter.acquire("k") == pytest.approx(0.1)
    clock.now = 5.0
    assert limiter.acquire("k") == 0.0


def test_no_more_than_the_limit_start_in_one_second_and_the_margin() -> None:
    clock = Clock()
    limiter = RateLimiter(50, margin=0.02, clock=clock, sleep=clock.sleep)
    times = starts(limiter, clock, "k", 200)
    # The 51st waits until the first has been out of the window for 1.02 s.
    assert times[49] == pytest.approx(0.98)
    assert times[50] == pytest.approx(1.02)
    assert most_in_any_window(times, 1.02) == 50
    # 200 starts take 3 × 1.02 s + 0.98 s: 98 % of the limit, no more.
    assert times[-1] == pytest.approx(4.04)


def test_late_wake_ups_never_bunch_starts_into_one_window() -> None:
    # Every sleep overruns by up to 15 ms; calls that start late must not be followed
    # by calls on their old schedule, or a one-second window of the server gets 51.
    clock = Clock(late=0.015, rng=random.Random(3))
    limiter = RateLimiter(50, margin=0.02, clock=clock, sleep=clock.sleep)
    times = starts(limiter, clock, "k", 300)
    assert most_in_any_window(times, 1.02) <= 50
    # Any delay between start and arrival spread over at most the margin keeps every
    # whole-second window of the server at or under the limit, whatever its phase.
    rng = random.Random(5)
    arrivals = [t + 0.02 + rng.uniform(0, 0.02) for t in times]
    for phase in (0.0, 0.25, 0.5, 0.75):
        windows = [math.floor(a + phase) for a in arrivals]
        assert max(windows.count(w) for w in set(windows)) <= 50


def test_catching_up_after_a_stall_stays_within_the_window() -> None:
    clock = Clock()
    limiter = RateLimiter(50, margin=0.02, clock=clock, sleep=clock.sleep)
    times = starts(limiter, clock, "k", 30)
    clock.now += 0.3  # the process was not scheduled for 0.3 s
    times += starts(limiter, clock, "k", 70)
    assert times[30] == pytest.approx(times[29] + 0.3)
    assert most_in_any_window(times, 1.02) <= 50


def test_the_margin_costs_its_share_of_the_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(50, margin=0.05, clock=clock, sleep=clock.sleep)
    times = starts(limiter, clock, "k", 101)
    assert times[100] == pytest.approx(2.1)  # 50 per 1.05 s
    with pytest.raises(ValueError, match="margin"):
        RateLimiter(50, margin=-0.1)


def test_endpoints_are_paced_independently() -> None:
    clock = Clock()
    limiter = RateLimiter(10, clock=clock, sleep=clock.sleep)
    assert limiter.acquire("GET /a") == 0.0
    assert limiter.acquire("GET /b") == 0.0
    assert limiter.acquire("GET /a") == pytest.approx(0.1)


def test_zero_rate_is_off() -> None:
    clock = Clock()
    limiter = RateLimiter(0, clock=clock, sleep=clock.sleep)
    assert [limiter.acquire("k") for _ in range(100)] == [0.0] * 100
    assert limiter.interval() == 0.0


def test_hold_keeps_every_caller_back_for_the_reset_only() -> None:
    clock = Clock()
    limiter = RateLimiter(50, clock=clock, sleep=clock.sleep)
    limiter.acquire("k")
    limiter.hold("k", 0.37)  # the reset header's time left in the server's window
    assert limiter.acquire("k") == pytest.approx(0.37)
    assert limiter.acquire("other") == 0.0
    # After the hold the spacing goes on from where the hold ended, not a second later.
    assert starts(limiter, clock, "k", 2) == [pytest.approx(0.39), pytest.approx(0.41)]


def test_hold_also_stops_threads_that_had_reserved_a_slot() -> None:
    clock = Clock()
    limiter = RateLimiter(50, clock=clock, sleep=clock.sleep)
    limiter.acquire("k")
    limiter.hold("k", 0.5)
    # A slot reserved before the hold was already due; the hold still keeps it back.
    assert limiter.acquire("k") == pytest.approx(0.5)


def test_hold_works_with_the_rate_off() -> None:
    clock = Clock()
    limiter = RateLimiter(0, clock=clock, sleep=clock.sleep)
    limiter.hold("k", 1.5)
    assert limiter.acquire("k") == 1.5
    assert limiter.acquire("other") == 0.0


def test_threads_share_one_pace() -> None:
    clock = Clock()
    limiter = RateLimiter(100, margin=0.02, clock=clock, sleep=clock.sleep)
    times: list[float] = []
    lock = threading.Lock()

    def take() -> None:
        for _ in range(50):
            limiter.acquire("k")
            with lock:
                times.append(clock())

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(times) == 200
    assert most_in_any_window(times, 1.02) <= 100


def test_an_endpoint_with_a_lower_documented_limit_is_paced_at_it() -> None:
    clock = Clock()
    limiter = RateLimiter(50, clock=clock, sleep=clock.sleep)
    # user_flows/batch_del: 10 per second on its page, whatever the configured rate.
    times = []
    for _ in range(12):
        limiter.acquire("del", 10)
        times.append(round(clock.now, 6))
    assert times[:3] == [0.0, 0.1, 0.2]
    assert times[10] == pytest.approx(1.02)  # the 11th: 10 in 1.02 s at most
    # A documented limit never raises the configured one.
    slow = RateLimiter(5, clock=clock, sleep=clock.sleep)
    assert slow.acquire("list", 50) == 0.0
    assert slow.acquire("list", 50) == pytest.approx(0.2)


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
    assert starts(limiter, clock, "k", 3) == [0.0, 0.1, 60.0]


def test_a_caller_that_came_late_may_make_up_a_little_lost_spacing() -> None:
    clock = Clock()
    limiter = RateLimiter(50, clock=clock, sleep=clock.sleep)
    assert starts(limiter, clock, "k", 2) == [0.0, 0.02]
    clock.now = 0.07  # the caller's own work took 50 ms instead of 20
    # The slots of 0.04 and 0.06 were missed; the schedule is back by the third start.
    assert starts(limiter, clock, "k", 4) == [0.07, 0.07, pytest.approx(0.08), pytest.approx(0.1)]
    clock.now = 5.0  # idle: only CATCH_UP (0.06 s, three slots) of the past may be made up
    assert starts(limiter, clock, "k", 6) == [
        5.0,
        5.0,
        5.0,
        5.0,
        pytest.approx(5.02),
        pytest.approx(5.04),
    ]
