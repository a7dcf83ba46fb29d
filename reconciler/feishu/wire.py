"""Shifts on the wire ↔ :class:`~reconciler.model.RemoteShift`: ids, and the no-need flags.

Feishu's read pages document ``punch_time_rule[].no_need_on``/``no_need_off`` as
inverted in responses; the contract (§10/§11) decides they are not. That choice
lives in :data:`NO_NEED_INVERTED_ON_READ` alone, so flipping it is one edit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.model import RemoteShift, Shift

__all__ = ["NO_NEED_INVERTED_ON_READ", "shift_from_wire", "shift_to_wire"]

NO_NEED_INVERTED_ON_READ = False

_NO_NEED_FLAGS = ("no_need_on", "no_need_off")


def shift_from_wire(data: Mapping[str, Any]) -> RemoteShift:
    """A shift object from get/query/list/create responses as a :class:`RemoteShift`."""
    shift_id = data.get("shift_id") or data.get("id")
    if not shift_id:
        raise ValueError("shift object without shift_id")
    if NO_NEED_INVERTED_ON_READ:
        data = _invert_no_need(data)
    if any(name in data for name in Shift.LOCAL_ONLY):  # the files' own keys, never Feishu's
        data = {k: v for k, v in data.items() if k not in Shift.LOCAL_ONLY}
    return RemoteShift(shift_id=str(shift_id), shift=Shift.from_mapping(data))


def shift_to_wire(shift: Shift, *, shift_id: str | None = None) -> dict[str, Any]:
    """The create body; with ``shift_id`` it carries ``id``, which makes it an update."""
    body = shift.remote_mapping()
    if shift_id is not None:
        body["id"] = shift_id
    return body


def _invert_no_need(data: Mapping[str, Any]) -> dict[str, Any]:
    rules = []
    for rule in data.get("punch_time_rule") or ():
        flipped = dict(rule)
        for flag in _NO_NEED_FLAGS:
            # Absent means "needed" on read when inverted, i.e. no_need false.
            flipped[flag] = not bool(rule.get(flag, True))
        rules.append(flipped)
    return {**data, "punch_time_rule": rules}
