"""What the operator allows past the plan's guards (``--allow-delete``, ``--force``).

Its own module, light to import: the CLI builds it before the plan engine is loaded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from reconciler.model import normalize_name

__all__ = ["NO_OVERRIDES", "Overrides"]


@dataclass(frozen=True, slots=True)
class Overrides:
    """What the operator allowed past the guards; recorded in the plan they review."""

    allow_delete: tuple[str, ...] = ()
    force: bool = False

    @classmethod
    def of(cls, allow_delete: Iterable[str] = (), *, force: bool = False) -> Overrides:
        names = sorted({normalize_name(n) for n in allow_delete if n.strip()})
        return cls(allow_delete=tuple(names), force=force)


NO_OVERRIDES = Overrides()
