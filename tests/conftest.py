"""Shared fixtures for the whole suite: the emulator in-process, over HTTP, and a token helper."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest

from reconciler.emulator import (
    DEFAULT_APP_ID,
    DEFAULT_APP_SECRET,
    EmulatorApp,
    EmulatorConfig,
    create_app,
    serving,
)

TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal"


@dataclass(frozen=True, slots=True)
class ServedEmulator:
    """An emulator served on 127.0.0.1 in a background thread."""

    base_url: str
    app: EmulatorApp


@pytest.fixture
def emulator() -> Iterator[EmulatorApp]:
    """An in-process emulator on ":memory:" with the rate limit off."""
    app = create_app(":memory:", config=EmulatorConfig(rate_limit=0))
    yield app
    app.close()


@pytest.fixture
def emulator_http(emulator: EmulatorApp) -> Iterator[httpx.Client]:
    """An httpx client talking to ``emulator`` without sockets."""
    transport = httpx.WSGITransport(app=emulator)
    with httpx.Client(transport=transport, base_url="http://emulator.local") as client:
        yield client


@pytest.fixture
def served_emulator() -> Iterator[ServedEmulator]:
    """An emulator (":memory:", rate limit off) served over HTTP on a free port."""
    app = create_app(":memory:", config=EmulatorConfig(rate_limit=0))
    with serving(app) as base_url:
        yield ServedEmulator(base_url=base_url, app=app)
    app.close()


def fetch_token(
    client: httpx.Client,
    app_id: str = DEFAULT_APP_ID,
    app_secret: str = DEFAULT_APP_SECRET,
) -> str:
    """A tenant access token from the emulator behind ``client``."""
    response = client.post(TOKEN_PATH, json={"app_id": app_id, "app_secret": app_secret})
    body = response.json()
    assert body["code"] == 0, body
    token: str = body["tenant_access_token"]
    return token


@pytest.fixture
def emulator_token() -> Callable[..., str]:
    """``emulator_token(client)`` → a tenant access token (default credentials)."""
    return fetch_token


@pytest.fixture
def emulator_api(emulator_http: httpx.Client) -> httpx.Client:
    """``emulator_http`` with a valid ``Authorization: Bearer`` header already set."""
    emulator_http.headers["Authorization"] = f"Bearer {fetch_token(emulator_http)}"
    return emulator_http
