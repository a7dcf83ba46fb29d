"""What the hostile suite feeds in, and the one check every output must pass."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from reconciler.cli import main
from reconciler.safetext import UNSAFE, first_unsafe

# One sample of each class of character that must never reach an output raw.
ESC, BEL, CR, LF, TAB, NUL, DEL = "\x1b", "\x07", "\r", "\n", "\t", "\x00", "\x7f"
C1 = ("\x85", "\x9b")  # NEL, CSI
BIDI = ("\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069")
MARKS = ("\u200e", "\u200f", "\u061c")
SEPARATORS = ("\u2028", "\u2029")
EVERY_UNSAFE_SAMPLE = (ESC, BEL, CR, LF, TAB, NUL, DEL, *C1, *BIDI, *MARKS, *SEPARATORS)

# Names a tenant may hold: each carries a marker so a test can see it was shown.
HOSTILE_NAMES = (
    "EVIL-esc\x1b]0;pwned\x07\x1b[2J\x1b[31m",
    "EVIL-lines\nshifts/forged.yaml:1:1: shift_name: forged\rX",
    "EVIL-bidi\u202egpj.exe\u2066\u2069\u200f\u061c\u202a\u202b\u202c\u202d\u2067\u2068",
    "EVIL-c1\x85\x9b31m\x7f\x00\x08",
    "EVIL-md</code></summary><img src=x onerror=alert(1)>@octocat [x](https://evil.test)"
    " | --> <!-- `tick` **b** _i_ ~s~ #1 :smile: $x$ www.evil.test \\",
    "=EVIL-formula(1)+@SUM(2)",
    "EVIL-sep\u2028\u2029\t",
)

_SGR = re.compile(r"\x1b\[[0-9;]*m")


def unsafe_in(text: str, *, colour: bool = False) -> str | None:
    """The first character of ``text`` an output must not carry raw, shown, or None.

    Line feeds are an output's own; with ``colour`` so are SGR sequences (ESC [ … m).
    """
    if colour:
        text = _SGR.sub("", text)
    index = first_unsafe(text.replace("\n", ""))
    return None if index is None else repr(text.replace("\n", "")[max(0, index - 20) : index + 5])


def every_unsafe_code_point() -> list[str]:
    """All of them (surrogates aside, which no file or request can carry as text)."""
    return [chr(c) for low, high in UNSAFE[:-1] for c in range(low, high + 1)]


DAY = "2024-03-05"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
OFFICE = {
    "shift_name": "Office",
    "punch_times": 1,
    "punch_time_rule": [
        {
            "on_time": "9:00",
            "off_time": "18:00",
            "late_minutes_as_late": 5,
            "late_minutes_as_lack": 120,
            "on_advance_minutes": 120,
            "early_minutes_as_early": 5,
            "early_minutes_as_lack": 120,
            "off_delay_minutes": 240,
        }
    ],
}
HOSTILE_USER = "@EVIL-id\x1b[5m\u202e"  # no comma: --user a,b means two ids
FORMULAS = ('=HYPERLINK("http://evil.test")', "+1+1", "-2", "@SUM(A1)", "\tTAB", "\rCR")


def hostile_shift(name: str) -> dict[str, Any]:
    return {**OFFICE, "shift_name": name}


@dataclass
class Tenant:
    root: Path
    db: str
    shift_id: str
    record_id: str
    plan_file: str

    def users(self) -> str:
        return ",".join(["u0", "u1", HOSTILE_USER])


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err
