"""Any bytes in any of the three formats: the first pass ends with problems, never a crash."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.flows.checking import InputFile, check_file, good_rows
from reconciler.flows.sources import FORMATS, Format

ROW_LIKE = st.sampled_from(
    [
        "user_id,check_time,location_name,comment\n",
        'u1,2024-03-04T09:00:00+08:00,HQ,"x\n',
        '{"user_id": "u1", "check_time": 1709514000, "location_name": "HQ", "comment": ""}',
        "[",
        "]",
        ",",
        "\n",
        '"',
        "\ufeff",
        "\x00",
        "{",
        "1e999",
        "[" * 50,
    ]
)
TEXTS = st.lists(st.one_of(ROW_LIKE, st.text(max_size=20)), max_size=30).map("".join)


@settings(max_examples=200, deadline=None)
@given(fmt=st.sampled_from(FORMATS), text=TEXTS, tail=st.binary(max_size=8))
def test_any_content_is_checked_without_an_exception(
    tmp_path_factory: pytest.TempPathFactory, fmt: Format, text: str, tail: bytes
) -> None:
    path = tmp_path_factory.mktemp("hostile") / f"rows.{fmt}"
    path.write_bytes(text.encode("utf-8", "surrogatepass") + tail)
    source = InputFile(path, fmt, "rows")
    check = check_file(source)
    assert all(p.line >= 0 and p.message for p in check.problems)
    # Only a last problem may stop the reading.
    assert not any(p.fatal for p in check.problems[:-1])
    if not check.broken:
        assert sum(1 for _ in good_rows(source, frozenset())) == check.good
