"""A 100,000-row file is checked and read again by streaming, never held in memory whole."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

from reconciler.flows.checking import InputFile, check_file, good_rows

ROWS = 100_000


def write_json_array(path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("[\n")
        for i in range(ROWS):
            row = {
                "user_id": f"u{i % 200}",
                "check_time": 1709514000 + 60 * i,
                "location_name": "HQ",
                "comment": f"row {i}",
            }
            out.write(json.dumps(row) + (",\n" if i < ROWS - 1 else "\n"))
        out.write("]\n")


def test_a_100000_row_json_array_is_streamed_through_both_passes(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    write_json_array(path)
    size = path.stat().st_size
    source = InputFile(path, "json", "big.json")
    tracemalloc.start()
    try:
        check = check_file(source)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (check.good, check.problems, len(check.users)) == (ROWS, (), 200)
    # The whole file as text alone would be `size` bytes; the reader keeps one chunk.
    assert size > 9_000_000
    assert peak < size / 10, f"peak {peak} bytes for a {size}-byte file"
    last = None
    for count, row in enumerate(good_rows(source, frozenset()), start=1):
        last = (count, row.line, row.comment)
    assert last == (ROWS, ROWS + 1, f"row {ROWS - 1}")
