"""Every name a picture or page shows passes through here: the one place text is made safe.

A shift name is the tenant's or a pull request author's text. In HTML and SVG it is
escaped; in mermaid it is spelled with mermaid's ``#NN;`` entities so it can never end a
line, open a directive or become syntax. Control and bidi characters show as the rest of
shiftctl's output shows them (``reconciler.safetext.escape``: ``\x1b``, ``\u202e``).
"""

from __future__ import annotations

import html

from reconciler.safetext import escape

__all__ = ["html_text", "mermaid_text", "visible"]

# Besides letters and digits of any script, what mermaid text may hold as it is.
_MERMAID_PLAIN = frozenset(" -_.,()/+'")


def visible(text: str) -> str:
    """Characters that would act instead of show, escaped as every output escapes them."""
    return escape(text)


def html_text(text: str) -> str:
    """For HTML text and attribute values, and SVG inside HTML."""
    return html.escape(visible(text), quote=True)


def mermaid_text(text: str) -> str:
    """For a mermaid line: anything but letters, digits and plain punctuation as ``#NN;``.

    Mermaid turns ``#NN;`` back into the character only when it draws the label, after
    parsing, so ``:``, ``#``, ``;``, ``%%``, ``{``, ``<`` and newlines stay text.
    """
    return "".join(
        ch if ch.isalnum() or ch in _MERMAID_PLAIN else f"#{ord(ch)};" for ch in visible(text)
    )
