"""Build a :class:`FeishuClient` for a real endpoint or for the in-process emulator."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from reconciler.errors import ConfigError
from reconciler.feishu.client import FeishuClient

if TYPE_CHECKING:
    from reconciler.emulator import EmulatorApp

__all__ = ["FEISHU_ENDPOINT", "LARK_ENDPOINT", "open_client"]

FEISHU_ENDPOINT = "https://open.feishu.cn"
LARK_ENDPOINT = "https://open.larksuite.com"
# The in-process emulator is reached through a transport, never a socket; the
# host only fills the URL.
_EMULATOR_BASE_URL = "http://emulator.invalid"


def open_client(
    *,
    endpoint: str | None,
    emulator_db: str | None,
    app_id: str | None,
    app_secret: str | None,
    rate_limit: float = 50.0,
    timeout: float = 30.0,
    **options: Any,
) -> FeishuClient:
    """A client for ``endpoint`` (default Feishu) or, with ``emulator_db``, the emulator in-process.

    Credentials are required for a real endpoint; the emulator uses its own defaults.
    ``options`` go to :class:`FeishuClient` (``rate_limit_per_minute``, the inversions).
    """
    if emulator_db is not None:
        return _emulator_client(emulator_db, rate_limit=rate_limit, timeout=timeout, **options)
    missing = [
        name
        for name, value in (("FEISHU_APP_ID", app_id), ("FEISHU_APP_SECRET", app_secret))
        if not value
    ]
    if missing or app_id is None or app_secret is None:
        raise ConfigError(
            f"{' and '.join(missing)} not set: export the app's credentials, "
            "or use --emulator to run against the offline emulator"
        )
    http = httpx.Client(base_url=_base_url(endpoint or FEISHU_ENDPOINT), timeout=timeout)
    return FeishuClient(
        http, app_id=app_id, app_secret=app_secret, rate_limit=rate_limit, **options
    )


def _base_url(endpoint: str) -> str:
    """The endpoint without a trailing slash; anything but an http(s) URL is refused now,
    not after minutes of retrying a request that can never be sent."""
    try:
        url = httpx.URL(endpoint.rstrip("/"))
    except httpx.InvalidURL:
        url = None
    if url is not None and url.userinfo:
        # Never echoed: it would print the password (and reprs would carry it).
        raise ConfigError("the endpoint must not carry a user name or password")
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise ConfigError(
            f"endpoint {endpoint!r} is not an http(s) URL such as {FEISHU_ENDPOINT} "
            f"or {LARK_ENDPOINT}"
        )
    return str(url)


class _EmulatorTransport(httpx.WSGITransport):
    """The in-process emulator; closing the client closes its database too."""

    def __init__(self, app: EmulatorApp) -> None:
        super().__init__(app=app)
        self._emulator = app

    def close(self) -> None:
        self._emulator.close()


def _emulator_client(db: str, *, rate_limit: float, timeout: float, **options: Any) -> FeishuClient:
    # Imported here so a client for a real tenant never loads the emulator.
    from reconciler.emulator import DEFAULT_APP_ID, DEFAULT_APP_SECRET, StateError, create_app

    try:
        app = create_app(db)
    except StateError as exc:
        raise ConfigError(f"--emulator {exc}") from None
    http = httpx.Client(
        transport=_EmulatorTransport(app), base_url=_EMULATOR_BASE_URL, timeout=timeout
    )
    return FeishuClient(
        http,
        app_id=DEFAULT_APP_ID,
        app_secret=DEFAULT_APP_SECRET,
        rate_limit=rate_limit,
        **options,
    )
