"""The shape of one entry of the error table, and the pages entries cite."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from reconciler.feishu.errors import (
    AuthError,
    FeishuError,
    InvalidParameter,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
)

__all__ = ["SOURCES", "Rule", "by_status", "named_scopes", "rule"]

#: The pages the table cites, by the key each entry uses.
SOURCES = {
    "shift-create": "Create a shift (创建班次), 2025-02: "
    "https://open.feishu.cn/document/server-docs/attendance-v1/shift/create",
    "shift-delete": "Delete a shift (删除班次), 2025-12: "
    "https://open.feishu.cn/document/server-docs/attendance-v1/shift/delete",
    "shift-get": "Get a shift (按 ID 查询班次), 2025-09: "
    "https://open.feishu.cn/document/server-docs/attendance-v1/shift/get",
    "shift-query": "Query a shift by name (按名称查询班次), 2024-08: "
    "https://open.feishu.cn/document/server-docs/attendance-v1/shift/query",
    "access-guide": "Attendance access guide (考勤打卡接入指南, error messages of 1220600), "
    "2024-07: open.feishu.cn › Server API › Attendance › Access guide",
    "user-flow": "User flows: import, get, query, delete (导入/查询/删除打卡流水), 2024-08: "
    "https://open.feishu.cn/document/server-docs/attendance-v1/user_flow/batch_create",
    "generic": "Generic error codes (通用错误码), 2025-08: "
    "https://open.feishu.cn/document/server-docs/api-call-guide/generic-error-code",
    "quota": "Platform notice: API call limits of custom apps on the free edition "
    "(enforced from 2024-12-03), 2024-11: open.feishu.cn › Platform notices",
    "frequency": "Frequency control (频控策略): "
    "https://open.feishu.cn/document/server-docs/api-call-guide/frequency-control",
    "token": "Get tenant_access_token of a custom app (自建应用获取 tenant_access_token): "
    "https://open.feishu.cn/document/server-docs/authentication-management/access-token/"
    "tenant_access_token_internal",
}


@dataclass(frozen=True, slots=True)
class Rule:
    """One entry: codes (empty: any), a message pattern, a status range, the class and hint.

    ``hint`` may name ``{scope}``; ``does`` says what shiftctl does about it (for the docs).
    """

    codes: frozenset[int]
    cls: type[FeishuError]
    hint: str
    does: str
    source: str
    pattern: re.Pattern[str] | None = None
    status: range | None = None

    def matches(self, code: int | None, msg: str, http_status: int) -> bool:
        if self.codes and code not in self.codes:
            return False
        if self.pattern is not None and not self.pattern.search(msg):
            return False
        return self.status is None or http_status in self.status


def rule(
    codes: Sequence[int],
    cls: type[FeishuError],
    hint: str,
    does: str,
    source: str,
    pattern: str | None = None,
    status: range | None = None,
) -> Rule:
    assert source in SOURCES, source
    compiled = re.compile(pattern, re.IGNORECASE) if pattern else None
    return Rule(frozenset(codes), cls, hint, does, source, compiled, status)


_BY_STATUS: dict[int, type[FeishuError]] = {
    401: AuthError,
    403: PermissionDenied,
    404: NotFound,
    429: RateLimited,
}
_SCOPE_LIST = re.compile(r"\[([^\]]*)\]")


def by_status(http_status: int) -> type[FeishuError]:
    if http_status in _BY_STATUS:
        return _BY_STATUS[http_status]
    if http_status >= 500:
        return ServerError
    if http_status >= 400:
        return InvalidParameter
    return FeishuError


def named_scopes(msg: str) -> tuple[str, ...]:
    """The scopes a 99991672 message lists: "... required: [attendance:task:readonly]"."""
    match = _SCOPE_LIST.search(msg)
    if not match:
        return ()
    return tuple(s.strip(" '\"") for s in match.group(1).split(",") if s.strip(" '\""))
