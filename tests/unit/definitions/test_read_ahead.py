"""Files read in batches give what reading each on its own gives, and hold little at once."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from reconciler.definitions import _readahead, check
from reconciler.definitions._readahead import BATCH_FILES, ReadAhead
from reconciler.definitions._walk import NotRegular, read_regular

LIMIT = 1 << 20
EXAMPLES = Path(__file__).parents[3] / "shifts"


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every path ReadAhead reads from disk, in order."""
    seen: list[Path] = []

    def counted(path: Path, limit: int) -> bytes:
        seen.append(path)
        return read_regular(path, limit)

    monkeypatch.setattr(_readahead, "read_regular", counted)
    return seen


def _outcome(read: Callable[[Path, int], bytes], path: Path) -> bytes | str:
    try:
        return read(path, LIMIT)
    except NotRegular as exc:
        return f"not regular: {exc}"
    except OSError as exc:
        return f"os error: {exc.errno}"


def test_each_file_reads_as_it_does_alone(tmp_path: Path) -> None:
    files = []
    for index in range(BATCH_FILES * 2 + 3):  # three batches
        path = tmp_path / f"f{index:03d}.yaml"
        path.write_bytes(f"shift_name: S{index}\n".encode() * (index + 1))
        files.append(path)
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    missing = tmp_path / "gone.yaml"
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    files[5:5] = [fifo, missing, folder]
    ahead = ReadAhead(files, LIMIT)
    assert [_outcome(ahead.read, p) for p in files] == [_outcome(read_regular, p) for p in files]
    assert str(_outcome(ReadAhead(files, LIMIT).read, fifo)).startswith("not regular")


def test_a_path_out_of_order_or_another_limit_is_read_on_the_spot(tmp_path: Path) -> None:
    files = [tmp_path / f"{name}.yaml" for name in "abc"]
    for path in files:
        path.write_text(f"shift_name: {path.stem}\n", encoding="utf-8")
    ahead = ReadAhead(files, LIMIT)
    assert ahead.read(files[2], LIMIT) == b"shift_name: c\n"
    assert ahead.read(files[0], 5) == b"shift"
    assert ahead.read(files[0], LIMIT) == b"shift_name: a\n"
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text("shift_name: x\n", encoding="utf-8")
    assert ahead.read(elsewhere, LIMIT) == b"shift_name: x\n"


def test_large_files_are_not_all_held_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reads: list[Path]
) -> None:
    monkeypatch.setattr(_readahead, "BATCH_BYTES", 3 * 1000)
    files = []
    for index in range(20):
        path = tmp_path / f"big{index:02d}.yaml"
        path.write_bytes(b"#" * 1000)
        files.append(path)
    ahead = ReadAhead(files, LIMIT)
    ahead.read(files[0], LIMIT)
    assert reads == files[:3]  # stopped at the byte budget, not at BATCH_FILES
    for path in files[1:]:
        assert ahead.read(path, LIMIT) == b"#" * 1000
    assert reads == files  # each file read exactly once


def test_check_in_one_process_reads_each_file_once(tmp_path: Path, reads: list[Path]) -> None:
    standard = (EXAMPLES / "standard.yaml").read_text(encoding="utf-8")
    for index in range(BATCH_FILES + 10):
        text = standard.replace("shift_name: ", f"shift_name: S{index:03d} ", 1)
        (tmp_path / f"s{index:03d}.yaml").write_text(text, encoding="utf-8")
    state, _ = check([tmp_path], workers=1)
    assert len(reads) == BATCH_FILES + 10 == len(set(reads))
    assert len(state.shifts) == BATCH_FILES + 10
    assert state.shifts[0].shift.shift_name.startswith("S000 ")


def test_a_path_out_of_order_leaves_the_batch_for_the_files_in_order(
    tmp_path: Path, reads: list[Path]
) -> None:
    files = []
    for index in range(5):
        path = tmp_path / f"f{index}.yaml"
        path.write_text(f"shift_name: F{index}\n", encoding="utf-8")
        files.append(path)
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text("shift_name: E\n", encoding="utf-8")
    ahead = ReadAhead(files, LIMIT)
    assert ahead.read(files[0], LIMIT) == b"shift_name: F0\n"
    assert ahead.read(elsewhere, LIMIT) == b"shift_name: E\n"
    assert [ahead.read(p, LIMIT) for p in files[1:]] == [
        f"shift_name: F{i}\n".encode() for i in range(1, 5)
    ]
    assert reads == [*files, elsewhere]  # the batch, the stray path, and nothing again
