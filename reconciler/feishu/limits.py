"""The API's batch limits and a helper to cut work into batches that respect them."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import TypeVar

__all__ = ["DELETE_BATCH", "FLOW_BATCH", "PAGE_SIZE", "USER_BATCH", "chunked"]

FLOW_BATCH = 50
"""Records per ``user_flows/batch_create``."""
DELETE_BATCH = 10
"""Record ids per ``user_flows/batch_del``."""
USER_BATCH = 50
"""User ids per ``user_flows/query`` and ``user_tasks/query``."""
PAGE_SIZE = 50
"""The largest ``page_size`` of the shift list."""

T = TypeVar("T")


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of at most ``size`` items; the last may be shorter, none empty."""
    if size < 1:
        raise ValueError("chunk size must be at least 1")
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk
