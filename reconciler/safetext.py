"""Text from files, the tenant or file names, made safe for a terminal, a PR comment or a log.

One definition of what is unsafe (``UNSAFE``) and one way to show it (``escape``): control
characters (C0, DEL, C1), bidirectional controls, line and paragraph separators and lone
surrogates never reach an output raw; they are shown as ``\\x1b``, ``\\u202e``, ``\\n``.
The other helpers build on ``escape`` for Markdown, GitHub workflow commands and JSON.
"""

from __future__ import annotations

import re

__all__ = [
    "SCHEMA_TEXT_PATTERN",
    "UNSAFE",
    "describe",
    "escape",
    "escape_json",
    "first_surrogate",
    "first_unsafe",
    "markdown",
    "spreadsheet_cell",
    "workflow_data",
    "workflow_property",
]

#: Code point ranges never printed raw (inclusive).
UNSAFE: tuple[tuple[int, int], ...] = (
    (0x0000, 0x001F),  # C0 controls: ESC, BEL, CR, LF, TAB, NUL…
    (0x007F, 0x009F),  # DEL and the C1 controls (CSI 0x9B, NEL 0x85…)
    (0x061C, 0x061C),  # ARABIC LETTER MARK (a bidi mark)
    (0x200E, 0x200F),  # LEFT-TO-RIGHT and RIGHT-TO-LEFT MARK
    (0x2028, 0x202E),  # LINE and PARAGRAPH SEPARATOR, bidi embeddings and overrides
    (0x2066, 0x2069),  # bidi isolates
    (0xD800, 0xDFFF),  # lone surrogates: not text, cannot be written as UTF-8
)


def _class(ranges: tuple[tuple[int, int], ...]) -> str:
    parts = [
        f"\\u{low:04x}" if low == high else f"\\u{low:04x}-\\u{high:04x}" for low, high in ranges
    ]
    return "[" + "".join(parts) + "]"


_UNSAFE = re.compile(_class(UNSAFE))
_SURROGATES = re.compile(_class(UNSAFE[-1:]))
# What JSON leaves raw (it escapes C0 itself, and its own newlines are structure).
_UNSAFE_IN_JSON = re.compile(_class(UNSAFE[1:]))
#: The schema's pattern for free text: no unsafe character anywhere. Written as a
#: lookahead because ``$`` also matches before a final line feed in Python's engine;
#: surrogates are left to the loader, as an editor's engine may see an emoji as two.
SCHEMA_TEXT_PATTERN = "^(?![\\s\\S]*" + _class(UNSAFE[:-1]) + ")"
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NAMES = {
    0x00: "NUL",
    0x07: "BEL",
    0x08: "BS",
    0x09: "TAB",
    0x0A: "LF",
    0x0D: "CR",
    0x1B: "ESC",
    0x7F: "DEL",
    0x85: "NEL",
    0x9B: "CSI",
    0x061C: "ARABIC LETTER MARK",
    0x200E: "LEFT-TO-RIGHT MARK",
    0x200F: "RIGHT-TO-LEFT MARK",
    0x2028: "LINE SEPARATOR",
    0x2029: "PARAGRAPH SEPARATOR",
    0x202A: "LEFT-TO-RIGHT EMBEDDING",
    0x202B: "RIGHT-TO-LEFT EMBEDDING",
    0x202C: "POP DIRECTIONAL FORMATTING",
    0x202D: "LEFT-TO-RIGHT OVERRIDE",
    0x202E: "RIGHT-TO-LEFT OVERRIDE",
    0x2066: "LEFT-TO-RIGHT ISOLATE",
    0x2067: "RIGHT-TO-LEFT ISOLATE",
    0x2068: "FIRST STRONG ISOLATE",
    0x2069: "POP DIRECTIONAL ISOLATE",
}
# The ASCII punctuation that means something inside a line of GitHub Markdown: HTML
# (``<>&"'``), emphasis and strikethrough (``*_~``), code spans, links and images
# (``[]!``), table cells (``|``), escapes (``\``), autolinks (``https:``, ``www.``),
# mentions (``@``), issue references (``#``), emoji (``:smile:``) and math (``$``).
# As character references they are shown, never interpreted.
_MARKDOWN = re.compile(r"[!\"#$&'*.:<>@\[\\\]_`|~]")


def _visible(match: re.Match[str]) -> str:
    return _shown(match.group())


def _shown(char: str) -> str:
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every unsafe character as a visible escape (``\\x1b``, ``\\u202e``).

    ``keep_newlines`` keeps LF for text that is several lines on purpose (an
    error message); everything else, CR included, is still escaped.
    """
    if _UNSAFE.search(text) is None:
        return text
    if keep_newlines:
        return "\n".join(escape(line) for line in text.split("\n"))
    return _UNSAFE.sub(_visible, text)


def first_unsafe(text: str) -> int | None:
    """The index of the first unsafe character of ``text``, or None."""
    found = _UNSAFE.search(text)
    return found.start() if found else None


def first_surrogate(text: str) -> int | None:
    """The index of the first lone surrogate of ``text`` (not text at all), or None."""
    found = _SURROGATES.search(text)
    return found.start() if found else None


def describe(char: str) -> str:
    """``U+001B (ESC)``: an unsafe character as a person can look it up."""
    code = ord(char)
    name = _NAMES.get(code)
    if name is None:
        name = "lone surrogate" if 0xD800 <= code <= 0xDFFF else "control character"
    return f"U+{code:04X} ({name})"


def markdown(text: str) -> str:
    """``escape``, then the punctuation Markdown reads as character references.

    Safe inside ``<code>``, ``<summary>``, a table cell, a blockquote or running text
    of a GitHub comment: what a name says is shown, never interpreted.
    """
    return _MARKDOWN.sub(lambda match: f"&#{ord(match.group())};", escape(text))


def workflow_data(text: str) -> str:
    """The message of a GitHub workflow command (``::error ...::MESSAGE``)."""
    return escape(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_property(text: str) -> str:
    """A property value of a GitHub workflow command (``file=``, ``title=``)."""
    return workflow_data(text).replace(":", "%3A").replace(",", "%2C")


# OWASP's CSV injection list (= + - @ TAB CR), LF too, and the full-width forms that
# spreadsheets in East Asian locales also accept as the start of a formula.
_FORMULA_START = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
_LEADING_BLANKS = " \u3000"


def spreadsheet_cell(text: str, *, raw: bool = False) -> str:
    """A CSV cell that no spreadsheet runs as a formula: escaped, and a leading ``'``
    when it begins (after blanks) with a formula character, as OWASP recommends.

    ``raw`` keeps the text as it is, but for lone surrogates, which UTF-8 cannot hold.
    """
    if raw:
        return text if first_surrogate(text) is None else _SURROGATES.sub(_visible, text)
    if text[:1] in _FORMULA_START or text.lstrip(_LEADING_BLANKS)[:1] in _FORMULA_START:
        return "'" + escape(text)
    return escape(text)


def escape_json(document: str) -> str:
    """A JSON text (from ``json.dumps(..., ensure_ascii=False)``) with unsafe characters
    as ``\\uXXXX``: the same data, safe to print; lone surrogates become valid JSON."""
    return _UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", document)
