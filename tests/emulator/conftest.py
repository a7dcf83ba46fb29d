"""Fixtures for the emulator's tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from emulator_helpers import DialectApi, seed

from reconciler.emulator import EmulatorConfig, create_app


@pytest.fixture
def users(emulator_api: httpx.Client) -> httpx.Client:
    """``emulator_api`` with users u1, u2 (E001, E002) and a terminated u9 seeded."""
    seed(
        emulator_api,
        {
            "users": [
                {"employee_id": "u1", "employee_no": "E001", "name": "张三"},
                {"employee_id": "u2", "employee_no": "E002", "name": "李四"},
                {"employee_id": "u9", "employee_no": "E009", "name": "王五", "terminated": True},
            ]
        },
    )
    return emulator_api


@pytest.fixture(params=["current", "legacy"])
def dialect_api(
    request: pytest.FixtureRequest, emulator_token: Callable[[httpx.Client], str]
) -> Iterator[DialectApi]:
    """The emulator in each dialect, in-process, rate limit off, with a token set."""
    app = create_app(":memory:", config=EmulatorConfig(rate_limit=0, dialect=request.param))
    transport = httpx.WSGITransport(app=app)
    with httpx.Client(transport=transport, base_url="http://emulator.local") as http:
        http.headers["Authorization"] = f"Bearer {emulator_token(http)}"
        yield DialectApi(request.param, http)
    app.close()
