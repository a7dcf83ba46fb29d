"""read_ahead: the items in order, the source's error where they are read, and a clean stop."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from reconciler.feishu.ahead import read_ahead


def test_items_come_in_order_and_the_end_ends() -> None:
    assert list(read_ahead(iter(range(100)))) == list(range(100))
    assert list(read_ahead(iter([]))) == []


def test_an_error_of_the_source_is_raised_to_the_reader_after_its_items() -> None:
    def source() -> Iterator[int]:
        yield 1
        yield 2
        raise LookupError("page 3 failed")

    items = read_ahead(source())
    assert [next(items), next(items)] == [1, 2]
    with pytest.raises(LookupError, match="page 3 failed"):
        next(items)


def test_closing_stops_the_fetcher_and_leaves_no_thread() -> None:
    produced: list[int] = []

    def source() -> Iterator[int]:
        for index in range(1000):
            produced.append(index)
            yield index

    items = read_ahead(source(), name="test-ahead")
    assert next(items) == 0
    items.close()
    assert len(produced) <= 3  # the item read, one waiting, one being made
    assert not [t for t in threading.enumerate() if t.name == "test-ahead"]
