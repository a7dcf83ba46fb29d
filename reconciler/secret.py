"""A credential value that never shows itself in ``repr``, ``str``, logs or errors."""

from __future__ import annotations

REDACTED = "***"


class Secret:
    """A string that never shows itself in ``repr`` or ``str``; ``reveal()`` is explicit."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({REDACTED!r})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)
