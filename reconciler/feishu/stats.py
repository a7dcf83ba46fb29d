"""Per-endpoint call counters, so benchmarks and reports can say what a run cost."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace

__all__ = ["CallStats", "EndpointStats"]


@dataclass(frozen=True, slots=True)
class EndpointStats:
    """What one endpoint saw: HTTP requests sent and how they went wrong."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    server_errors: int = 0
    transport_errors: int = 0
    paced_seconds: float = 0.0


class CallStats:
    """Thread-safe counters keyed by endpoint name (``"shift.list"``)."""

    def __init__(self) -> None:
        self._by_key: dict[str, EndpointStats] = {}
        self._lock = threading.Lock()

    def add(self, key: str, **increments: float) -> None:
        with self._lock:
            current = self._by_key.get(key, EndpointStats())
            changes = {name: getattr(current, name) + n for name, n in increments.items()}
            self._by_key[key] = replace(current, **changes)

    def snapshot(self) -> Mapping[str, EndpointStats]:
        with self._lock:
            return dict(self._by_key)
