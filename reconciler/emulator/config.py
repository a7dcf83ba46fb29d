"""How an emulator instance behaves: credentials, the dialect and tenant knobs, the faults."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.emulator.behaviour import Behaviour

DEFAULT_APP_ID = "cli_emulator0000000"
DEFAULT_APP_SECRET = "emulator-secret"

#: Feishu's documented limit for every attendance endpoint, per endpoint and app.
DEFAULT_RATE_LIMIT = 50

#: Latency and jitter are capped so a typo cannot hang every request for hours.
MAX_LATENCY_MS = 60_000

#: How long a served "timeout" stays silent: past the read timeout of most clients.
DEFAULT_TIMEOUT_MS = 10_000

#: The SDK-style names of the emulated endpoints, used for faults and statistics.
ENDPOINTS = (
    "auth.tenant_access_token",
    "shift.create",
    "shift.delete",
    "shift.get",
    "shift.query",
    "shift.list",
    "user_flow.batch_create",
    "user_flow.get",
    "user_flow.query",
    "user_flow.batch_del",
    "user_task.query",
    "group.list",
    "group.get",
    "group.search",
    "group.list_user",
    "user_daily_shift.query",
)


@dataclass(frozen=True, slots=True)
class Faults:
    """The fault knobs of one endpoint (or of all of them).

    ``rate_limit`` is requests per second per endpoint and app (0 disables it);
    ``error_rate``, ``lost_rate``, ``timeout_rate`` and ``conflict_rate`` (HTTP
    400, 1220600 "no row affected", nothing written) are probabilities in
    [0, 1]; ``timeout_ms`` is how long a served timed-out answer stays silent.
    """

    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    rate_limit: int = DEFAULT_RATE_LIMIT
    error_rate: float = 0.0
    lost_rate: float = 0.0
    timeout_rate: float = 0.0
    timeout_ms: float = DEFAULT_TIMEOUT_MS
    conflict_rate: float = 0.0

    def __post_init__(self) -> None:
        for name in ("latency_ms", "jitter_ms", "timeout_ms"):
            if not 0 <= getattr(self, name) <= MAX_LATENCY_MS:
                raise ValueError(f"{name} must be between 0 and {MAX_LATENCY_MS}")
        if self.rate_limit < 0:
            raise ValueError("rate_limit must not be negative (0 disables it)")
        for name in ("error_rate", "lost_rate", "timeout_rate", "conflict_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")

    def updated(self, changes: Mapping[str, Any]) -> Faults:
        """A copy with the given knobs changed; unknown or mistyped knobs raise ValueError."""
        known = {f.name: f.type for f in dataclasses.fields(self)}
        clean: dict[str, Any] = {}
        for name, value in changes.items():
            if name not in known:
                raise ValueError(f"unknown fault setting {name!r}")
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{name} must be a number")
            if name == "rate_limit" and value != int(value):
                raise ValueError("rate_limit must be a whole number")
            clean[name] = int(value) if name == "rate_limit" else float(value)
        return dataclasses.replace(self, **clean)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True, slots=True)
class EmulatorConfig:
    """One emulator's settings. The secret never shows in reprs."""

    app_id: str = DEFAULT_APP_ID
    app_secret: str = field(default=DEFAULT_APP_SECRET, repr=False)
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    rate_limit: int = DEFAULT_RATE_LIMIT
    error_rate: float = 0.0
    lost_rate: float = 0.0
    timeout_rate: float = 0.0
    timeout_ms: float = DEFAULT_TIMEOUT_MS
    conflict_rate: float = 0.0
    #: The documented variant played (see ``reconciler.emulator.behaviour``).
    dialect: str = "current"
    monthly_quota: int = 0
    no_need_inverted_on_read: bool = False
    update_merges: bool = False
    idempotent_replay: str = "return"
    missing_scopes: tuple[str, ...] = ()
    ip_whitelist: tuple[str, ...] = ()
    #: Seeds the random choices (ids, faults, jitter) for reproducible runs.
    seed: int | None = None
    #: Per-endpoint overrides, keyed by the names in ``ENDPOINTS``.
    endpoint_faults: Mapping[str, Faults] = field(default_factory=dict)
    max_body_bytes: int = 1024 * 1024
    token_ttl_s: int = 7200

    def __post_init__(self) -> None:
        self.faults()  # validates the knobs early
        self.behaviour()
        unknown = set(self.endpoint_faults) - set(ENDPOINTS)
        if unknown:
            raise ValueError(f"unknown endpoint(s) in endpoint_faults: {sorted(unknown)}")

    def faults(self) -> Faults:
        """The knobs that apply to every endpoint without an override."""
        # The config repeats every knob of Faults under the same name.
        return Faults(**{f.name: getattr(self, f.name) for f in dataclasses.fields(Faults)})

    def behaviour(self) -> Behaviour:
        """The dialect and tenant knobs, as one value."""
        return Behaviour(**{f.name: getattr(self, f.name) for f in dataclasses.fields(Behaviour)})
