"""Desired state: shift files loaded with locations, checked, and rendered canonically.

``check`` reports every problem of every file; ``load_desired`` returns the shifts or
raises ``ValidationFailed``; ``render_shift_yaml`` writes the canonical file text.
"""

from __future__ import annotations

from reconciler.definitions._check import (
    DesiredShift,
    DesiredState,
    check,
    collect_files,
    find_shift_files,
    load_desired,
)
from reconciler.definitions._fmt import FormatResult, default_schema_ref, format_files
from reconciler.definitions._render import render_shift_yaml
from reconciler.definitions._schema import load_schema, schema_path
from reconciler.definitions._walk import NO_SHIFT_FILES
from reconciler.definitions._yaml import MAX_FILE_BYTES

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
