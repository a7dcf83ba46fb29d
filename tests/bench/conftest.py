"""The benchmarks measure the package as pip installs it: with its bytecode compiled."""

from __future__ import annotations

import compileall
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[2] / "reconciler"
_compiled: list[bool] = []


@pytest.fixture(autouse=True)
def _bytecode_as_installed(request: pytest.FixtureRequest) -> None:
    """Compile the package once before the first benchmark, as pip does at install.

    Under ``PYTHONDONTWRITEBYTECODE`` (set on some CI machines) an editable install
    would otherwise compile every changed module again in every process a benchmark
    starts, a cost no installed copy has. Tests without the ``bench`` marker skip it.
    """
    if _compiled or request.node.get_closest_marker("bench") is None:
        return
    assert compileall.compile_dir(str(PACKAGE), quiet=1), "the package does not compile"
    _compiled.append(True)
