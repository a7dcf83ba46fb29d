"""The Feishu attendance emulator as pytest fixtures, for anyone's Feishu code.

Installed with shiftctl (entry point ``pytest11``), so any test in an environment that
has shiftctl can ask for:

- ``feishu_emulator``: a fresh emulator for one test, served on 127.0.0.1 (a free port);
- ``feishu_emulator_session``: one emulator for the whole session (``.reset()`` between
  tests when they must not see each other's data).

Both give ``.url``, ``.app_id``, ``.app_secret``, ``.seed(document)``,
``.faults(**knobs)``, ``.stats()``, ``.reset()`` and ``.environ``. pytest loads this
module in every session of that environment, so it imports nothing heavy until a
fixture is used.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from reconciler.emulator import EmulatorApp

__all__ = ["EmulatorError", "FeishuEmulator", "feishu_emulator", "feishu_emulator_session"]


class EmulatorError(Exception):
    """The emulator's admin API refused a request (a bad seed document, an unknown knob)."""


class FeishuEmulator:
    """One emulator served over HTTP; its admin API at hand without a client of your own."""

    def __init__(self, app: EmulatorApp, url: str) -> None:
        self.app = app
        self.url = url  # base URL, e.g. http://127.0.0.1:54321 (give it to your SDK)

    def __repr__(self) -> str:  # the secret stays out of test reports
        return f"FeishuEmulator(url={self.url!r}, app_id={self.app_id!r})"

    @property
    def app_id(self) -> str:
        return self.app.config.app_id

    @property
    def app_secret(self) -> str:
        return self.app.config.app_secret

    @property
    def environ(self) -> dict[str, str]:
        """``FEISHU_APP_ID``, ``FEISHU_APP_SECRET`` and ``FEISHU_ENDPOINT`` for this emulator."""
        return {
            "FEISHU_APP_ID": self.app_id,
            "FEISHU_APP_SECRET": self.app_secret,
            "FEISHU_ENDPOINT": self.url,
        }

    def seed(self, document: Mapping[str, Any]) -> dict[str, Any]:
        """Load users, shifts and attendance groups (the seed document of docs/emulator.md)."""
        summary: dict[str, Any] = self._admin("POST", "/_emulator/seed", document)
        return summary

    def faults(self, **knobs: Any) -> dict[str, Any]:
        """Change fault knobs (``latency_ms=20``, ``error_rate=0.1``, ``rate_limit=0``,
        ``endpoints={"shift.create": {"lost_rate": 1}}``); returns them all. Without
        knobs, only reads them."""
        changed: dict[str, Any] = (
            self._admin("PATCH", "/_emulator/faults", knobs)
            if knobs
            else self._admin("GET", "/_emulator/faults")
        )
        return changed

    def clear_faults(self) -> dict[str, Any]:
        """No latency, errors or lost responses; the rate limit stays."""
        cleared: dict[str, Any] = self._admin("DELETE", "/_emulator/faults")
        return cleared

    def stats(self) -> dict[str, dict[str, int]]:
        """Requests per endpoint: ``{"shift.create": {"requests": 3, "succeeded": 3, …}}``."""
        endpoints: dict[str, dict[str, int]] = self._admin("GET", "/_emulator/stats")["endpoints"]
        return endpoints

    def reset(self) -> None:
        """Empty the tenant and zero faults and statistics (tokens stay valid)."""
        self._admin("POST", "/_emulator/reset", {})

    def _admin(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        # In-process through the WSGI app: the same admin API as over HTTP, no socket.
        from werkzeug.test import Client

        answer = Client(self.app).open(path, method=method, json=body)
        envelope = json.loads(answer.get_data(as_text=True))
        if envelope.get("code") != 0:
            raise EmulatorError(f"{method} {path}: {envelope.get('msg')}")
        return envelope.get("data")


def _served() -> Iterator[FeishuEmulator]:
    from reconciler.emulator import EmulatorConfig, create_app, serving

    # Each emulator has its own app id: lark-oapi caches tokens per app id per process.
    config = EmulatorConfig(
        app_id=f"cli_{secrets.token_hex(8)}",
        app_secret=secrets.token_urlsafe(24),
    )
    app = create_app(":memory:", config=config)
    try:
        with serving(app, "127.0.0.1") as url:
            yield FeishuEmulator(app, url)
    finally:
        app.close()


@pytest.fixture
def feishu_emulator() -> Iterator[FeishuEmulator]:
    """A fresh Feishu attendance emulator on 127.0.0.1 for this test (Feishu's 50/s limit)."""
    yield from _served()


@pytest.fixture(scope="session")
def feishu_emulator_session() -> Iterator[FeishuEmulator]:
    """One emulator for the whole session; call ``.reset()`` where tests must not share."""
    yield from _served()
