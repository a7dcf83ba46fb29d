"""Feishu codes the client's own logic branches on, named once.

The error table (``error_table.py``) maps every documented code to a class;
the names here are for the few places that look at a code themselves.
"""

from __future__ import annotations

__all__ = [
    "PARAM_INVALID",
    "QUOTA_EXCEEDED",
    "RATE_LIMITED",
    "SHIFT_NOT_FOUND",
    "TOKEN_INVALID_CODES",
    "USER_REFUSED",
]

#: Every attendance page: a parameter is invalid (also a record id that is not one).
PARAM_INVALID = 1220001
#: User flow pages: the user does not exist, has left, or is outside the data scope.
USER_REFUSED = 1220004
#: Older shift pages: the shift does not exist (today's pages answer 1220600 + message).
SHIFT_NOT_FOUND = 1226003
#: Generic error-code page: request trigger frequency limit.
RATE_LIMITED = 99991400
#: Generic error-code page: the free edition's monthly quota is spent (HTTP 429).
QUOTA_EXCEEDED = 99991403
#: After these a fresh tenant token is fetched and the call tried once more.
TOKEN_INVALID_CODES = frozenset({99991663, 99991664, 99991665, 99991671})
