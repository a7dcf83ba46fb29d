"""The one terminal policy: colour, prompts, progress bars and table width, from the
streams and the environment, and handed in instead of detected."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from reconciler.cli import main
from reconciler.cli.console import Console


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


TTY, PIPE = Tty(), io.StringIO()


def detect(env: dict[str, str], *, out: io.StringIO = TTY, err: io.StringIO = TTY) -> Console:
    return Console.detect(environ=env, stdin=TTY, stdout=out, stderr=err)


@pytest.mark.parametrize(
    ("env", "no_color", "out", "color"),
    [
        ({}, False, TTY, True),
        ({}, True, TTY, False),
        ({"NO_COLOR": "1"}, False, TTY, False),
        ({"NO_COLOR": ""}, False, TTY, True),  # set but empty: not a request
        ({}, False, PIPE, False),
        ({"FORCE_COLOR": "1"}, False, PIPE, True),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False, TTY, False),
        ({"FORCE_COLOR": "1"}, True, TTY, False),
        ({"TERM": "dumb"}, False, TTY, False),
        ({"TERM": "dumb", "FORCE_COLOR": "1"}, False, TTY, True),
    ],
)
def test_colour_on_a_terminal_never_when_refused_always_when_forced(
    env: dict[str, str], no_color: bool, out: io.StringIO, color: bool
) -> None:
    found = Console.detect(no_color=no_color, environ=env, stdin=TTY, stdout=out, stderr=TTY)
    assert found.color is color


@pytest.mark.parametrize(
    ("env", "out", "err", "bar"),
    [
        ({}, TTY, TTY, True),
        ({"CI": "true"}, TTY, TTY, False),
        ({"TERM": "dumb"}, TTY, TTY, False),
        ({}, PIPE, TTY, False),  # stdout to a file: one line per step, for the log
        ({}, TTY, PIPE, False),
    ],
)
def test_a_progress_bar_only_where_a_person_watches(
    env: dict[str, str], out: io.StringIO, err: io.StringIO, bar: bool
) -> None:
    assert detect(env, out=out, err=err).progress is bar


def test_a_prompt_only_when_stdin_and_stdout_are_terminals() -> None:
    assert Console.detect(environ={}, stdin=TTY, stdout=TTY, stderr=PIPE).interactive
    assert not Console.detect(environ={}, stdin=PIPE, stdout=TTY, stderr=TTY).interactive
    assert not Console.detect(environ={}, stdin=TTY, stdout=PIPE, stderr=TTY).interactive


def test_tables_take_the_width_columns_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "57")
    assert detect({}).width == 57


def test_a_closed_stream_is_no_terminal() -> None:
    closed = io.StringIO()
    closed.close()  # its isatty raises
    found = Console.detect(environ={}, stdin=closed, stdout=closed, stderr=closed)
    assert (found.color, found.interactive, found.progress) == (False, False, False)


def test_a_table_fits_the_width_of_the_console_handed_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    name = "A shift whose name is far longer than a narrow terminal could show"
    shift = (
        f"shift_name: {name}\npunch_times: 1\npunch_time_rule:\n"
        '  - {on_time: "09:00", off_time: "18:00", late_minutes_as_late: 5,\n'
        "     late_minutes_as_lack: 60, on_advance_minutes: 120, early_minutes_as_early: 1,\n"
        "     early_minutes_as_lack: 60, off_delay_minutes: 240}\n"
    )
    (tmp_path / "shifts").mkdir()
    (tmp_path / "shifts" / "a.yaml").write_text(shift, encoding="utf-8")
    assert main(["--emulator", "t.db", "apply", "--auto-approve"]) == 0
    capsys.readouterr()
    for width in (60, 200):
        assert main(["--emulator", "t.db", "shifts", "list"], console=Console(width=width)) == 0
        lines = capsys.readouterr().out.splitlines()
        assert max(len(line) for line in lines) <= width
        assert (name in lines[1]) is (width == 200)
