"""Desired state: shift files loaded with locations, checked, and rendered canonically.

``check`` reports every problem of every file; ``load_desired`` returns the shifts or
raises ``ValidationFailed``; ``render_shift_yaml`` writes the canonical file text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reconciler.definitions._check import (
    DesiredShift,
    DesiredState,
    check,
    collect_files,
    find_shift_files,
    load_desired,
)
from reconciler.definitions._schema import load_schema, schema_path
from reconciler.definitions._walk import NO_SHIFT_FILES
from reconciler.definitions._yaml import MAX_FILE_BYTES

if TYPE_CHECKING:
    from reconciler.definitions._fmt import FormatResult, default_schema_ref, format_files
    from reconciler.definitions._render import render_shift_yaml

__all__ = [
    "MAX_FILE_BYTES",
    "NO_SHIFT_FILES",
    "DesiredShift",
    "DesiredState",
    "FormatResult",
    "check",
    "collect_files",
    "default_schema_ref",
    "find_shift_files",
    "format_files",
    "load_desired",
    "load_schema",
    "render_shift_yaml",
    "schema_path",
]

# Formatting and rendering load on first use: `shiftctl validate` needs neither.
_LAZY = {
    "FormatResult": "reconciler.definitions._fmt",
    "default_schema_ref": "reconciler.definitions._fmt",
    "format_files": "reconciler.definitions._fmt",
    "render_shift_yaml": "reconciler.definitions._render",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'reconciler.definitions' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
