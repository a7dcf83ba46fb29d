"""What one request is: an endpoint (named as the SDK names it) with its parameters and body."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

__all__ = ["DEFAULT_RATE", "TOKEN", "Call", "Endpoint"]


#: Feishu's documented limit for an attendance endpoint whose page names no other.
DEFAULT_RATE = 50.0


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One API operation; ``name`` (the SDK's, e.g. ``shift.list``) keys pacing and stats.

    ``rate`` is the documented requests per second (the configured ``rate_limit``
    may lower it, never raise it); ``scopes`` are the app scopes of which any one
    allows the call, named in the hint when Feishu says a scope is missing.
    """

    name: str
    method: str
    route: str  # path template, e.g. "/open-apis/attendance/v1/shifts/{shift_id}"
    scopes: tuple[str, ...] = ()
    rate: float = DEFAULT_RATE


TOKEN = Endpoint(
    "auth.tenant_access_token", "POST", "/open-apis/auth/v3/tenant_access_token/internal"
)


@dataclass(frozen=True, slots=True)
class Call:
    """One request to an endpoint, with its path parameters, query and JSON body."""

    endpoint: Endpoint
    path_params: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, str] = field(default_factory=dict)
    body: Any = field(default=None, repr=False)
    shift_name: str | None = None
    authorized: bool = True
    flat: bool = False  # the token answer is not wrapped in ``data``

    @property
    def key(self) -> str:
        return self.endpoint.name

    @property
    def method(self) -> str:
        return self.endpoint.method

    @property
    def path(self) -> str:
        quoted = {name: quote(value, safe="") for name, value in self.path_params.items()}
        return self.endpoint.route.format(**quoted)
