"""reconciler.safetext: one definition of unsafe text, and escapes that never let it through."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler.safetext import (
    UNSAFE,
    describe,
    escape,
    escape_json,
    first_surrogate,
    first_unsafe,
    markdown,
    workflow_data,
    workflow_property,
)

ANY_TEXT = st.text(
    st.characters(codec=None, exclude_categories=())
    | st.sampled_from(["\x1b", "\u202e", "\ud83d", "\n", "\r", "\x85", "\u2028", "%", ":", ","]),
    max_size=40,
)


def unsafe(char: str) -> bool:
    return any(low <= ord(char) <= high for low, high in UNSAFE)


@given(ANY_TEXT)
def test_escaped_text_holds_no_unsafe_character(text: str) -> None:
    shown = escape(text)
    assert not any(unsafe(c) for c in shown)
    shown.encode("utf-8")  # printable anywhere: no surrogate left to refuse
    assert first_unsafe(shown) is None


@given(ANY_TEXT)
def test_safe_text_is_left_exactly_as_it_is(text: str) -> None:
    if not any(unsafe(c) for c in text):
        assert escape(text) == text
        assert first_unsafe(text) is None
    else:
        assert first_unsafe(text) == next(i for i, c in enumerate(text) if unsafe(c))


def test_escapes_are_the_ones_a_person_reads() -> None:
    assert escape("a\x1b[31mb") == "a\\x1b[31mb"
    assert escape("x\ny\rz\t") == "x\\ny\\rz\\t"
    assert escape("\u202eexe.txt") == "\\u202eexe.txt"
    assert escape("\ud83d") == "\\ud83d"
    assert escape("早班 (A)") == "早班 (A)"


def test_keep_newlines_keeps_only_line_feeds() -> None:
    assert escape("one\ntwo\r\x1b", keep_newlines=True) == "one\ntwo\\r\\x1b"


@pytest.mark.parametrize(
    ("char", "described"),
    [
        ("\x1b", "U+001B (ESC)"),
        ("\u202e", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
        ("\ud83d", "U+D83D (lone surrogate)"),
        ("\x01", "U+0001 (control character)"),
    ],
)
def test_describe_names_the_character(char: str, described: str) -> None:
    assert describe(char) == described


def test_first_surrogate_finds_only_surrogates() -> None:
    assert first_surrogate("ab\x1b") is None
    assert first_surrogate("ab\udc00") == 2
    assert first_surrogate("😀") is None


_SIGNIFICANT = re.compile(r"[<>&\"'`*_~\[\]!|\\@#:$.]")


@given(ANY_TEXT)
def test_markdown_text_holds_nothing_markdown_or_html_reads(text: str) -> None:
    shown = markdown(text)
    without_references = re.sub(r"&#\d+;", "", shown)
    assert _SIGNIFICANT.search(without_references) is None
    assert first_unsafe(shown) is None


def test_markdown_references_decode_back_to_the_escaped_text() -> None:
    import html

    text = "<code>*x*</code> @me [a](https://e.test) | `t` \x1b"
    assert html.unescape(markdown(text)) == escape(text)


@given(ANY_TEXT)
def test_workflow_command_values_are_one_line_and_cannot_end_the_command(text: str) -> None:
    data, prop = workflow_data(text), workflow_property(text)
    assert "\n" not in data
    assert "\r" not in data
    assert ":" not in prop
    assert "," not in prop
    assert "%" not in data.replace("%25", "").replace("%0D", "").replace("%0A", "")


@given(st.recursive(st.none() | ANY_TEXT | st.integers(), lambda inner: st.lists(inner, max_size=3)
       | st.dictionaries(ANY_TEXT, inner, max_size=3), max_leaves=10))  # fmt: skip
def test_escaped_json_is_the_same_data_and_printable(value: object) -> None:
    document = escape_json(json.dumps(value, ensure_ascii=False, indent=2))
    assert json.loads(document) == value
    assert first_unsafe(document.replace("\n", "")) is None
