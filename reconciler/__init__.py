"""shiftctl: Feishu (Lark) attendance shifts as code."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = ["Shift", "ShiftctlError", "__version__"]

if TYPE_CHECKING:
    from reconciler.errors import ShiftctlError
    from reconciler.model import Shift

FALLBACK_VERSION = "0.0.0+unknown"


def _find_version() -> str:
    """The version setuptools-scm wrote at build time (editable install, wheel or sdist).

    A tree that was never built has no ``_version.py``; the installed metadata, if any,
    then speaks, else the fallback.
    """
    try:
        written: str = importlib.import_module("reconciler._version").version
    except ImportError:
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("shiftctl")
        except PackageNotFoundError:
            return FALLBACK_VERSION
    return written


__version__ = _find_version()


def __getattr__(name: str) -> Any:
    # Imported on first use, so `shiftctl --help` does not load the model.
    if name == "Shift":
        from reconciler.model import Shift

        return Shift
    if name == "ShiftctlError":
        from reconciler.errors import ShiftctlError

        return ShiftctlError
    raise AttributeError(f"module 'reconciler' has no attribute {name!r}")
