"""The embedded emulator as a client: what ``--emulator[=DB]`` connects to, in-process.

The command layer's wiring (``commands.connect``): requests go through a WSGI
transport, never a socket, and closing the client closes the emulator's database.
"""

from __future__ import annotations

from typing import Any

import httpx

from reconciler.emulator import (
    DEFAULT_APP_ID,
    DEFAULT_APP_SECRET,
    EmulatorApp,
    StateError,
    create_app,
)
from reconciler.errors import ConfigError
from reconciler.feishu.client import FeishuClient
from reconciler.secret import Secret

__all__ = ["embedded_client"]

# The host only fills the URL; nothing is resolved or connected.
_BASE_URL = "http://emulator.invalid"


def embedded_client(
    db: str, *, rate_limit: float = 50.0, timeout: float = 30.0, **options: Any
) -> FeishuClient:
    """A client of the emulator in this process, its state in ``db`` (":memory:" or a file).

    The emulator's own app credentials are used; ``options`` go to :class:`FeishuClient`.
    """
    try:
        app = create_app(db)
    except StateError as exc:
        raise ConfigError(f"--emulator {exc}") from None
    http = httpx.Client(transport=_EmulatorTransport(app), base_url=_BASE_URL, timeout=timeout)
    return FeishuClient(
        http,
        app_id=DEFAULT_APP_ID,
        app_secret=Secret(DEFAULT_APP_SECRET),
        rate_limit=rate_limit,
        **options,
    )


class _EmulatorTransport(httpx.WSGITransport):
    """The in-process emulator; closing the client closes its database too."""

    def __init__(self, app: EmulatorApp) -> None:
        super().__init__(app=app)
        self._emulator = app

    def close(self) -> None:
        self._emulator.close()
