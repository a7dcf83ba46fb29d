"""Output closed under a command (``shiftctl … | head``): it stops, says so on stderr, exits 1."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

import pytest

from reconciler.cli import main

EXAMPLES = Path(__file__).parents[2] / "shifts"
SAID = "standard output was closed before the command finished (broken pipe)"


def _shift_files(folder: Path, count: int) -> None:
    standard = (EXAMPLES / "standard.yaml").read_text(encoding="utf-8")
    folder.mkdir(parents=True)
    for index in range(count):
        text = standard.replace("shift_name: ", f"shift_name: P{index:03d} ", 1)
        (folder / f"p{index:03d}.yaml").write_text(text, encoding="utf-8")


@contextmanager
def closed_stdout() -> Iterator[io.TextIOWrapper]:
    """``sys.stdout`` on a real pipe whose reading end is already closed.

    Set inside the test body: pytest's own capture puts ``sys.stdout`` back when a test
    starts, over anything a fixture set.
    """
    reading, writing = os.pipe()
    os.close(reading)
    stream = io.TextIOWrapper(os.fdopen(writing, "wb"), encoding="utf-8", line_buffering=True)
    saved, sys.stdout = sys.stdout, stream
    try:
        yield stream
    finally:
        sys.stdout = saved
        with suppress(BrokenPipeError):
            stream.close()


def test_a_closed_output_is_said_on_stderr_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _shift_files(tmp_path / "shifts", 3)
    monkeypatch.chdir(tmp_path)
    with closed_stdout() as stream:
        code = main([f"--emulator={tmp_path / 'tenant.db'}", "--no-color", "plan"])
        assert sys.stdout is stream  # left as it was: nothing swapped behind the caller
    assert code == 1
    assert SAID in capsys.readouterr().err


def _reader_leaves(
    command: list[str], cwd: Path, env: dict[str, str], read: Callable[[IO[bytes]], bytes]
) -> tuple[bytes, int, str]:
    """Run ``command`` with a reader that takes ``read`` of its output and leaves."""
    with subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as child:
        assert child.stdout is not None
        assert child.stderr is not None
        first = read(child.stdout)
        child.stdout.close()
        stderr = child.stderr.read().decode()
        return first, child.wait(timeout=120), stderr


def test_an_apply_whose_reader_leaves_stops_loudly_and_a_rerun_converges(tmp_path: Path) -> None:
    _shift_files(tmp_path / "shifts", 40)
    command = [sys.executable, "-m", "reconciler", f"--emulator={tmp_path / 'tenant.db'}",
               "--no-color", "apply", "--auto-approve"]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEISHU_")}
    # what `| head -1` reads, then it leaves
    first, code, stderr = _reader_leaves(command, tmp_path, env, lambda out: out.readline())
    assert first.startswith(b"shiftctl will perform the following actions")
    assert code == 1, stderr
    assert SAID in stderr
    assert "Traceback" not in stderr
    assert "Exception ignored" not in stderr
    again = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stdout + again.stderr
    check = [*command[:-2], "plan", "--detailed-exitcode"]
    settled = subprocess.run(check, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert settled.returncode == 0, settled.stdout
    assert "Plan: 0 to create" in settled.stdout or "No changes" in settled.stdout


@pytest.mark.parametrize("unbuffered", [True, False], ids=["PYTHONUNBUFFERED", "buffered"])
def test_a_reader_leaving_during_one_long_write_is_said_too(
    tmp_path: Path, unbuffered: bool
) -> None:
    _shift_files(tmp_path / "shifts", 150)  # a JSON plan of well over a pipe's 64 KiB
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FEISHU_", "PYTHONUNBUF"))}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    command = [sys.executable, "-m", "reconciler", f"--emulator={tmp_path / 'tenant.db'}",
               "plan", "--format", "json"]  # fmt: skip
    # `| head -c 10`
    first, code, stderr = _reader_leaves(
        command, tmp_path, env, lambda out: os.read(out.fileno(), 10)
    )
    assert first.startswith(b"{")
    assert code == 1, stderr
    assert SAID in stderr
    assert "Traceback" not in stderr
