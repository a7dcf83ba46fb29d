"""When to try again and how long to wait: the backoff policy and one call's progress."""

from __future__ import annotations

import random
from dataclasses import dataclass

from reconciler.feishu.errors import FeishuError, FeishuTransportError, ServerError

__all__ = ["Progress", "RetryPolicy", "outcome_unknown"]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Capped exponential backoff with full jitter, within ``max_seconds`` per call."""

    max_seconds: float = 120.0
    backoff_base: float = 0.25
    backoff_cap: float = 20.0

    def backoff(self, failures: int, rng: random.Random) -> float:
        return rng.uniform(0.0, min(self.backoff_cap, self.backoff_base * 2**failures))


@dataclass(slots=True)
class Progress:
    """One call's attempts so far and what they revealed."""

    started: float
    deadline: float
    attempts: int = 0
    failures: int = 0
    unreachable: int = 0
    refreshed: bool = False
    uncertain: bool = False


def outcome_unknown(error: FeishuError) -> bool:
    """Whether a write may have happened although it failed."""
    if isinstance(error, FeishuTransportError):
        return error.request_sent
    return isinstance(error, ServerError)
