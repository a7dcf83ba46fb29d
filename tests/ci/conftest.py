"""Fixtures for the workflow, hook and packaging tests."""

from __future__ import annotations

from typing import Any

import pytest
from ci_support import load_workflow, workflow_paths


@pytest.fixture(scope="session")
def workflows() -> dict[str, dict[str, Any]]:
    found = {path.name: load_workflow(path) for path in workflow_paths()}
    assert {"ci.yml", "shifts.yml"} <= found.keys(), sorted(found)
    return found
