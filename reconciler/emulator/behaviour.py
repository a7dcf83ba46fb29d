"""Which documented variant of Feishu the emulator plays: the dialect and the tenant knobs.

* ``dialect``: ``current`` answers as today's open-platform pages document
  (1220600 with a message, HTTP 400; per-endpoint limits; valid punches only);
  ``legacy`` as the older pages did (1226001 with HTTP 500, 1226002, 1226003).
* ``monthly_quota``: past N successful calls a month, every call is HTTP 429,
  99991403 (0: no quota), as on the free edition since 2024-12-03.
* ``no_need_inverted_on_read``: get, list and query answer ``no_need_on/off``
  inverted, as those pages say; create answers them as sent.
* ``update_merges``: an update keeps the fields its body leaves out.
* ``idempotent_replay``: a known ``idempotent_id`` returns the stored record
  (``return``) or fails the batch with 1220600 "the object already exists" (``error``).
* ``missing_scopes``: scopes the app lacks; a call none of whose documented
  scopes is granted is 99991672 (generic error-code page).
* ``ip_whitelist``: addresses the app accepts calls from (empty: any); others get 99991401.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["BEHAVIOUR_KNOBS", "DIALECTS", "REPLAYS", "Behaviour"]

DIALECTS = ("current", "legacy")
REPLAYS = ("return", "error")


@dataclass(frozen=True, slots=True)
class Behaviour:
    """The tenant variant an emulator plays; validated on construction."""

    dialect: str = "current"
    monthly_quota: int = 0
    no_need_inverted_on_read: bool = False
    update_merges: bool = False
    idempotent_replay: str = "return"
    missing_scopes: tuple[str, ...] = ()
    ip_whitelist: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("missing_scopes", "ip_whitelist"):
            value = getattr(self, name)
            if isinstance(value, str) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{name} must be a list of strings")
            object.__setattr__(self, name, tuple(value))
        if self.dialect not in DIALECTS:
            raise ValueError(f"dialect must be one of {', '.join(DIALECTS)}")
        if self.idempotent_replay not in REPLAYS:
            raise ValueError(f"idempotent_replay must be one of {', '.join(REPLAYS)}")
        if isinstance(self.monthly_quota, bool) or not isinstance(self.monthly_quota, int):
            raise ValueError("monthly_quota must be a whole number")
        if self.monthly_quota < 0:
            raise ValueError("monthly_quota must not be negative (0: no quota)")
        for name in ("no_need_inverted_on_read", "update_merges"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be true or false")

    @property
    def current(self) -> bool:
        return self.dialect == "current"

    def updated(self, changes: Mapping[str, Any]) -> Behaviour:
        """A copy with some knobs changed; a wrong name or type raises ValueError."""
        unknown = set(changes) - set(BEHAVIOUR_KNOBS)
        if unknown:
            raise ValueError(f"unknown setting(s) {sorted(unknown)}")
        for name in ("missing_scopes", "ip_whitelist"):
            if name in changes and not isinstance(changes[name], list | tuple):
                raise ValueError(f"{name} must be a list of strings")
        return dataclasses.replace(self, **dict(changes))

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}


BEHAVIOUR_KNOBS = tuple(f.name for f in dataclasses.fields(Behaviour))
