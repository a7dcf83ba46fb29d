"""shiftctl: Feishu (Lark) attendance shifts as code."""

from reconciler.errors import ShiftctlError
from reconciler.model import Shift

__version__ = "0.1.0"

__all__ = ["Shift", "ShiftctlError", "__version__"]
