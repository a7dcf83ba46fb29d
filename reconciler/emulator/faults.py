"""Fault injection and accounting: latency with jitter, rate limits, 5xx, lost responses, stats.

It also holds the live dialect and tenant knobs (:class:`Behaviour`), which
``/_emulator/faults`` changes along with the faults.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.emulator.behaviour import BEHAVIOUR_KNOBS, Behaviour
from reconciler.emulator.config import ENDPOINTS, EmulatorConfig, Faults
from reconciler.emulator.dialect import DOCUMENTED_RATES
from reconciler.emulator.wire import RATE_LIMITED, ApiError


@dataclass(slots=True)
class _Counters:
    requests: int = 0
    succeeded: int = 0
    failed: int = 0
    rate_limited: int = 0
    faults_injected: int = 0
    lost: int = 0
    timed_out: int = 0
    quota_refused: int = 0


@dataclass(slots=True)
class _Window:
    start: int
    count: int


class FaultController:
    """The live fault settings of one app, its rate-limit windows and its statistics.

    Settings start from the app's ``EmulatorConfig`` and change through the
    admin API; they live in memory because they describe this process, not the
    tenant's data.
    """

    def __init__(
        self,
        config: EmulatorConfig,
        uniform: Callable[[], float],
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._config = config
        self._uniform = uniform
        self._sleep = sleep
        self._clock = clock
        self._lock = threading.Lock()
        self._default = config.faults()
        self._overrides: dict[str, Faults] = dict(config.endpoint_faults)
        self._behaviour = config.behaviour()
        self._windows: dict[tuple[str, str], _Window] = {}
        self._counters: dict[str, _Counters] = {}

    # -- settings -----------------------------------------------------------

    def settings_for(self, endpoint: str) -> Faults:
        with self._lock:
            return self._overrides.get(endpoint, self._default)

    @property
    def behaviour(self) -> Behaviour:
        with self._lock:
            return self._behaviour

    def describe(self) -> dict[str, Any]:
        with self._lock:
            return {
                **self._default.as_dict(),
                **self._behaviour.as_dict(),
                "endpoints": {name: f.as_dict() for name, f in sorted(self._overrides.items())},
            }

    def update(self, changes: Mapping[str, Any]) -> None:
        """Apply admin changes: top-level knobs for all endpoints, ``endpoints`` per endpoint.

        Raises ValueError (nothing changed) on an unknown knob or endpoint.
        """
        per_endpoint = changes.get("endpoints")
        per_endpoint = {} if per_endpoint is None else per_endpoint
        if not isinstance(per_endpoint, Mapping):
            raise ValueError("endpoints must be an object keyed by endpoint name")
        unknown = set(per_endpoint) - set(ENDPOINTS)
        if unknown:
            raise ValueError(f"unknown endpoint(s): {sorted(unknown)}")
        top = {k: v for k, v in changes.items() if k != "endpoints" and k not in BEHAVIOUR_KNOBS}
        knobs = {k: v for k, v in changes.items() if k in BEHAVIOUR_KNOBS}
        with self._lock:
            behaviour = self._behaviour.updated(knobs)
            default = self._default.updated(top)
            overrides = dict(self._overrides)
            for name, knobs in per_endpoint.items():
                if knobs is None:
                    overrides.pop(name, None)
                    continue
                if not isinstance(knobs, Mapping):
                    raise ValueError(f"endpoints.{name} must be an object or null")
                overrides[name] = overrides.get(name, default).updated(knobs)
            self._default, self._overrides = default, overrides
            self._behaviour = behaviour

    def clear(self) -> None:
        """No latency, errors, lost answers or timeouts; the configured rate limit,
        timeout duration, dialect and tenant knobs stay (or come back)."""
        with self._lock:
            self._default = Faults(
                rate_limit=self._config.rate_limit, timeout_ms=self._config.timeout_ms
            )
            self._overrides = {}
            self._windows.clear()
            self._behaviour = self._config.behaviour()

    # -- the request path -------------------------------------------------------

    def delay(self, endpoint: str) -> None:
        faults = self.settings_for(endpoint)
        if faults.latency_ms <= 0 and faults.jitter_ms <= 0:
            return
        jitter = (self._uniform() * 2 - 1) * faults.jitter_ms
        self._sleep(max(0.0, faults.latency_ms + jitter) / 1000)

    def admit(self, endpoint: str, app_id: str) -> None:
        """Count the request in its one-second window; raise the 429 answer when over."""
        limit = self.limit_for(endpoint)
        if limit <= 0:
            return
        now = self._clock()
        second = math.floor(now)
        with self._lock:
            window = self._windows.get((endpoint, app_id))
            if window is None or window.start != second:
                window = self._windows[(endpoint, app_id)] = _Window(second, 0)
            window.count += 1
            allowed = window.count <= limit
            if not allowed:
                self._counter(endpoint).rate_limited += 1
        if not allowed:
            # x-ogw-ratelimit-reset is the seconds until the window resets (the wire
            # contract, docs/feishu-api.md §6.3): the time really left in this one, rounded
            # up to the millisecond, so a client that waits it out meets a fresh window.
            left = max(1, math.ceil(round((second + 1 - now) * 1000, 6))) / 1000
            reset = f"{left:.3f}"
            raise ApiError(
                RATE_LIMITED,
                "request trigger frequency limit",
                status=429,
                headers={"x-ogw-ratelimit-limit": str(limit), "x-ogw-ratelimit-reset": reset},
            )

    def limit_for(self, endpoint: str) -> int:
        """Requests per second allowed: the knob, lowered to the documented limit (current)."""
        limit = self.settings_for(endpoint).rate_limit
        documented = DOCUMENTED_RATES.get(endpoint)
        if limit > 0 and documented is not None and self.behaviour.current:
            return min(limit, documented)
        return limit

    def roll_conflict(self, endpoint: str) -> bool:
        if self._roll(self.settings_for(endpoint).conflict_rate):
            self._count(endpoint, "faults_injected")
            return True
        return False

    def count_quota_refusal(self, endpoint: str) -> None:
        self._count(endpoint, "quota_refused")

    def roll_error(self, endpoint: str) -> bool:
        if self._roll(self.settings_for(endpoint).error_rate):
            self._count(endpoint, "faults_injected")
            return True
        return False

    def roll_lost(self, endpoint: str) -> bool:
        if self._roll(self.settings_for(endpoint).lost_rate):
            self._count(endpoint, "lost")
            return True
        return False

    def roll_timeout(self, endpoint: str) -> float | None:
        """Seconds a committed call's answer is withheld, or None when it is answered."""
        faults = self.settings_for(endpoint)
        if self._roll(faults.timeout_rate):
            self._count(endpoint, "timed_out")
            return faults.timeout_ms / 1000
        return None

    def _roll(self, rate: float) -> bool:
        return rate > 0 and self._uniform() < rate

    # -- statistics -------------------------------------------------------------

    def record(self, endpoint: str, code: int) -> None:
        """Count one answered request by its envelope code."""
        with self._lock:
            counter = self._counter(endpoint)
            counter.requests += 1
            if code == 0:
                counter.succeeded += 1
            else:
                counter.failed += 1

    def _count(self, endpoint: str, name: str) -> None:
        with self._lock:
            counter = self._counter(endpoint)
            setattr(counter, name, getattr(counter, name) + 1)

    def _counter(self, endpoint: str) -> _Counters:
        return self._counters.setdefault(endpoint, _Counters())

    def statistics(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return {
                name: {
                    "requests": c.requests,
                    "succeeded": c.succeeded,
                    "failed": c.failed,
                    "rate_limited": c.rate_limited,
                    "faults_injected": c.faults_injected,
                    "lost": c.lost,
                    "timed_out": c.timed_out,
                    "quota_refused": c.quota_refused,
                }
                for name, c in sorted(self._counters.items())
            }

    def reset_statistics(self) -> None:
        with self._lock:
            self._counters.clear()
