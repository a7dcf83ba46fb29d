"""The error answers that differ between the dialects, each with the page it follows.

``current`` follows today's open-platform pages: application errors are HTTP
400 with code 1220600 and a message (the attendance access guide lists the
messages; the shift create/delete/get/query pages, 2024-08 to 2025-12, mark
1226001/1226002 as historical). ``legacy`` follows the older pages (contract
§6.1, §11): 1226001 with HTTP 500, 1226002, 1226003.
"""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.emulator.behaviour import Behaviour
from reconciler.emulator.wire import (
    SHIFT_IN_USE,
    SHIFT_NAME_USED,
    SHIFT_NOT_FOUND,
    ApiError,
    invalid,
)

__all__ = [
    "DOCUMENTED_RATES",
    "GENERIC",
    "QUOTA_EXCEEDED",
    "lock_conflict",
    "name_taken",
    "quota_exceeded",
    "replayed",
    "shift_in_use",
    "shift_not_found",
    "too_many_flows",
]

#: The generic application error of today's pages.
GENERIC = 1220600
#: The monthly quota of the free edition (generic error-code page; platform notice 2024-11).
QUOTA_EXCEEDED = 99991403
#: Endpoints whose page documents a limit below the usual 50/s (current dialect only).
DOCUMENTED_RATES = {"user_flow.batch_del": 10}


def shift_not_found(behaviour: Behaviour, shift_id: str) -> ApiError:
    """get/delete/update of an unknown id, and query of an unknown name."""
    if shift_id == "9":  # the built-in default shift (shift/get page, 2025-09)
        code = GENERIC if behaviour.current else SHIFT_NOT_FOUND
        return ApiError(code, "default shift are not allowed to change.")
    if behaviour.current:  # access guide: "shift does not exist"
        return ApiError(GENERIC, f"shift does not exist: {shift_id}")
    return ApiError(SHIFT_NOT_FOUND, f"shift does not exist: {shift_id}")


def shift_in_use(behaviour: Behaviour, groups: Sequence[str]) -> ApiError:
    """Delete of a shift an attendance group uses."""
    used_by = ", ".join(groups)
    if behaviour.current:  # delete page (2025-12) and access guide: 400, "shift can not be del"
        return ApiError(GENERIC, f"shift can not be del: used by attendance group(s) {used_by}")
    # Lark's English delete page: 1226001 with HTTP 500 (a 500 that must not be retried).
    return ApiError(
        SHIFT_IN_USE, f"the shift has been used by attendance group(s) {used_by}", status=500
    )


def name_taken(behaviour: Behaviour, name: str) -> ApiError:
    """Create (or rename by update) to a name another shift has."""
    if behaviour.current:  # access guide: "the object already exists" (a unique key)
        return ApiError(GENERIC, f"the object already exists: shift_name {name}")
    return ApiError(SHIFT_NAME_USED, f"shift name already used: {name}")  # create page, 2022


def too_many_flows(behaviour: Behaviour, limit: int) -> ApiError:
    """An import of more records than one call takes."""
    if behaviour.current:  # access guide: "operate too much flow"
        return ApiError(GENERIC, f"operate too much flow: at most {limit} records per call")
    return invalid(f"flow_records must be a list of 1 to {limit} records")


def replayed(idempotent_id: str) -> ApiError:
    """A known ``idempotent_id`` when replays are answered with an error (access guide)."""
    return ApiError(
        GENERIC,
        f"the object already exists, 请检查业务幂等id是否重复: idempotent_id {idempotent_id}",
    )


def lock_conflict() -> ApiError:
    """An optimistic-lock conflict (access guide: "no row affected"); nothing was written."""
    return ApiError(GENERIC, "no row affected")


def quota_exceeded() -> ApiError:
    """Past the month's quota: HTTP 429 (generic error-code page, 2025-08)."""
    return ApiError(QUOTA_EXCEEDED, "This month's API call quota has been exceeded", status=429)
