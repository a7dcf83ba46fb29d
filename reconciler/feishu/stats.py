"""Per-endpoint call counters, so benchmarks and reports can say what a run cost."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace

__all__ = ["CallStats", "EndpointStats", "calls_document", "calls_line"]


@dataclass(frozen=True, slots=True)
class EndpointStats:
    """What one endpoint saw: HTTP requests sent and how they went wrong."""

    requests: int = 0
    succeeded: int = 0
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

    def total(self) -> EndpointStats:
        """Every endpoint's counts added up (``paced_seconds`` too)."""
        with self._lock:
            parts = list(self._by_key.values())
        return EndpointStats(
            **{
                name: sum(getattr(p, name) for p in parts)
                for name in EndpointStats.__dataclass_fields__
            }
        )


def calls_line(snapshot: Mapping[str, EndpointStats]) -> str:
    """``7 API calls (6 succeeded): shift.create 3, shift.list 2, …`` for reports and -v."""
    total = sum(s.requests for s in snapshot.values())
    succeeded = sum(s.succeeded for s in snapshot.values())
    parts = ", ".join(f"{name} {s.requests}" for name, s in sorted(snapshot.items()) if s.requests)
    head = f"{total} API call{'s' if total != 1 else ''} ({succeeded} succeeded)"
    return f"{head}: {parts}" if parts else head


def calls_document(snapshot: Mapping[str, EndpointStats]) -> dict[str, object]:
    """The same for JSON reports: totals and requests per endpoint."""
    return {
        "total": sum(s.requests for s in snapshot.values()),
        "succeeded": sum(s.succeeded for s in snapshot.values()),
        "by_endpoint": {name: s.requests for name, s in sorted(snapshot.items()) if s.requests},
    }
