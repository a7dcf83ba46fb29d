"""Every name a picture or page shows passes through here: the one place text is made safe.

A shift name is the tenant's or a pull request author's text. In HTML and SVG it is
escaped; in mermaid it is spelled with mermaid's ``#NN;`` entities so it can never end a
line, open a directive or become syntax. Control and bidi characters show as ``<U+202E>``.
"""

from __future__ import annotations

import html
import unicodedata

__all__ = ["html_text", "mermaid_text", "visible"]

# Control, format (bidi overrides, zero-width), separator, private and unassigned code points.
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Besides letters and digits of any script, what mermaid text may hold as it is.
_MERMAID_PLAIN = frozenset(" -_.,()/+'")


def visible(text: str) -> str:
    """Characters that would act instead of show, as ``<U+XXXX>``."""
    if text.isprintable():
        return text
    return "".join(
        f"<U+{ord(ch):04X}>" if unicodedata.category(ch) in _HIDDEN else ch for ch in text
    )


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
