"""The public API of reconciler.definitions is exactly what other packages may rely on."""

from __future__ import annotations

import reconciler.definitions as definitions


def test_the_public_names_are_curated() -> None:
    assert sorted(definitions.__all__) == [
        "DesiredShift",
        "DesiredState",
        "FormatResult",
        "MAX_FILE_BYTES",
        "NO_SHIFT_FILES",
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
    assert definitions.MAX_FILE_BYTES == 1 << 20


def test_public_names_are_documented() -> None:
    for name in definitions.__all__:
        value = getattr(definitions, name)
        if callable(value):
            assert value.__doc__, name
