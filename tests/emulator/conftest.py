"""Fixtures for the emulator's tests."""

from __future__ import annotations

import httpx
import pytest
from emulator_helpers import seed


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
