"""shiftctl: Feishu (Lark) attendance shifts as code."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Shift", "ShiftctlError", "__version__"]

if TYPE_CHECKING:
    from reconciler.errors import ShiftctlError
    from reconciler.model import Shift


def __getattr__(name: str) -> Any:
    # Imported on first use, so `shiftctl --help` does not load the model.
    if name == "Shift":
        from reconciler.model import Shift

        return Shift
    if name == "ShiftctlError":
        from reconciler.errors import ShiftctlError

        return ShiftctlError
    raise AttributeError(f"module 'reconciler' has no attribute {name!r}")
