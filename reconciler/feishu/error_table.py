"""The one table that turns Feishu's answers into error classes: code, message, then status.

Each entry says which page documents it. Today's pages answer application
errors as 1220600 with a message; the older codes (1226001/1226002/1226003,
1226000) are kept, because tenants and older docs still show them. The first
entry that matches wins, so message entries come before their code's fallback.
docs/client.md lists the same table for people, and a test keeps them in step.
"""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.feishu.codes import (
    PARAM_INVALID,
    QUOTA_EXCEEDED,
    RATE_LIMITED,
    SHIFT_NOT_FOUND,
    TOKEN_INVALID_CODES,
    USER_REFUSED,
)
from reconciler.feishu.error_rules import SOURCES, Rule, by_status, named_scopes, rule
from reconciler.feishu.errors import (
    AlreadyExists,
    AuthError,
    BadCredentials,
    FeishuError,
    InvalidParameter,
    InvalidTenantToken,
    IpNotAllowed,
    MissingScope,
    NameTaken,
    NotFound,
    OptimisticLockConflict,
    PermissionDenied,
    QuotaExceeded,
    RateLimited,
    ResultSealed,
    RuleNotExist,
    ServerError,
    ShiftInUse,
    TooManyFlows,
)

__all__ = ["RULES", "SOURCES", "Rule", "classify", "rule_for"]

# Codes whose message says what happened: today's pages put the detail in the message
# of 1220600; the delete page answers 1226000 (HTTP 400) in the same way.
_ATTENDANCE = (1220600, 1226000)
_4XX, _5XX = range(400, 500), range(500, 600)
_NOT_RETRIED = "fails the call; not retried"
_RETRIED = "retried with backoff"

RULES: tuple[Rule, ...] = (
    # -- platform (the generic error-code page) -------------------------------------------
    # generic + quota notice: past the free edition's monthly quota, HTTP 429.
    rule(
        [QUOTA_EXCEEDED],
        QuotaExceeded,
        "",
        "stops: never retried; says how many calls ran",
        "quota",
    ),
    # generic: "request trigger frequency limit", HTTP 429 (some older APIs 400).
    rule(
        [RATE_LIMITED],
        RateLimited,
        "shiftctl waits for x-ogw-ratelimit-reset and retries; lower rate_limit if other "
        "tools share the app",
        "waits the reset, then retries",
        "frequency",
    ),
    # generic: "Access denied. One of the following scopes is required: [...]".
    rule(
        [99991672, 99991679],
        MissingScope,
        "grant {scope} to the app (developer console › Permissions & Scopes) and publish "
        "a new version",
        _NOT_RETRIED,
        "generic",
    ),
    # generic: the caller's address is not on the app's IP whitelist.
    rule(
        [99991401],
        IpNotAllowed,
        "this machine's IP is not on the app's IP whitelist: add it (developer console › "
        "Security Settings) or run from an allowed address",
        _NOT_RETRIED,
        "generic",
    ),
    # generic: invalid tenant_access_token (99991665), invalid access token (99991663),
    # app token (99991664), generic access token (99991671); refreshed once first.
    rule(
        [*sorted(TOKEN_INVALID_CODES), 99991668, 99991661],
        InvalidTenantToken,
        "the tenant token is refused even when fresh: is the app installed and enabled "
        "in this tenant?",
        "fetches a new token and tries once more (99991663/64/65/71), then fails",
        "generic",
    ),
    # token page + generic: wrong app secret (10014), app secret mismatch (10015).
    rule(
        [10014, 10015],
        BadCredentials,
        "check FEISHU_APP_SECRET against the app's Credentials page",
        _NOT_RETRIED,
        "token",
    ),
    # token page: 10003 "invalid param", also an app id unknown at this endpoint.
    rule(
        [10003],
        BadCredentials,
        "check FEISHU_APP_ID; a Lark app needs --endpoint https://open.larksuite.com, a "
        "Feishu app the default https://open.feishu.cn",
        _NOT_RETRIED,
        "token",
    ),
    # -- the historical shift codes (older pages; tenants still send them) ---------------
    # create page: 1226002 "shift name already used" (historical since 2025).
    rule(
        [1226002],
        NameTaken,
        "another shift has this name, maybe outside the managed scope",
        _NOT_RETRIED,
        "shift-create",
    ),
    # create page (historical) / delete page: 1226001 "the shift has been used" (400 or 500).
    rule(
        [1226001],
        ShiftInUse,
        "an attendance group uses this shift: move the group to another shift first, "
        "or keep its file",
        _NOT_RETRIED + ", even as HTTP 500",
        "shift-delete",
    ),
    # get / delete / query pages: 1226003 "shift does not exist" (also the default shift).
    rule(
        [SHIFT_NOT_FOUND],
        NotFound,
        "the shift is not in the tenant (deleted meanwhile?): run plan again",
        "query by name reads it as absent; a delete after a lost answer counts it as done",
        "shift-get",
    ),
    # -- attendance application errors by message (access guide, 1220600) -----------------
    # access guide + delete page: "shift can not be del": an attendance rule uses it.
    rule(
        _ATTENDANCE,
        ShiftInUse,
        "an attendance group uses this shift: move the group to another shift first, "
        "or keep its file",
        _NOT_RETRIED + "; no delete runs after it",
        "shift-delete",
        r"can ?not be del|has been used|in use",
    ),
    # access guide + get/query pages: "shift does not exist".
    rule(
        _ATTENDANCE,
        NotFound,
        "the shift is not in the tenant (deleted meanwhile?): run plan again",
        "query by name reads it as absent; a delete after a lost answer counts it as done",
        "shift-get",
        r"(shift|record|flow).*(not|n't) exist|not found",
    ),
    # access guide: "the object already exists" (a unique key or 请检查业务幂等id是否重复).
    rule(
        _ATTENDANCE,
        AlreadyExists,
        "a record with this unique key or idempotent_id is stored already",
        "a shift write reads it as a taken name; a punch import counts the record as "
        "present (looked up)",
        "access-guide",
        r"already exist|幂等|duplicat|repeat|重复|already used",
    ),
    # access guide: "no row affected": an optimistic-lock conflict, nothing written.
    rule(
        _ATTENDANCE,
        OptimisticLockConflict,
        "the record changed while it was written; nothing was written",
        _RETRIED,
        "access-guide",
        r"no row affected",
    ),
    # access guide: "operate too much flow": over 50 punch records in one call.
    rule(
        _ATTENDANCE,
        TooManyFlows,
        "at most 50 punch records per call",
        _NOT_RETRIED,
        "access-guide",
        r"too much flow|too many flow",
    ),
    # access guide: "rule not exist".
    rule(
        _ATTENDANCE,
        RuleNotExist,
        "the attendance group (rule) the call refers to does not exist",
        _NOT_RETRIED,
        "access-guide",
        r"rule not exist",
    ),
    # access guide: "the attendance result has been sealed and can not modify".
    rule(
        _ATTENDANCE,
        ResultSealed,
        "that period's attendance results are sealed (archived) in attendance admin; "
        "leave the period alone or unseal it",
        _NOT_RETRIED,
        "access-guide",
        r"sealed",
    ),
    # -- attendance codes (the shift and flow pages' tables) ------------------------------
    # delete page: 1226000 with HTTP 400: the shift service refused the call.
    rule(
        [1226000],
        InvalidParameter,
        "the shift service refused the call; its message says why",
        _NOT_RETRIED,
        "shift-delete",
        status=_4XX,
    ),
    # every attendance page: 1220002 tenant missing ("tenant_id is empty").
    rule(
        [1220002],
        AuthError,
        "the tenant token names no tenant: check the app's credentials",
        _NOT_RETRIED,
        "shift-create",
    ),
    # every attendance page: 1220005 no data permission; 1220006/07 enterprise-only.
    rule(
        [1220005, 1220006, 1220007],
        PermissionDenied,
        "widen the app's data permission in attendance admin (the enterprise edition for "
        "1220006/1220007)",
        _NOT_RETRIED,
        "shift-create",
    ),
    # user flow pages: 1220004 user does not exist or no permission.
    rule(
        [USER_REFUSED],
        InvalidParameter,
        "the user does not exist, has left, or is outside the app's data scope; the "
        "tenant must have finished API integration in attendance admin",
        "flows import: only that user's rows fail",
        "user-flow",
    ),
    # every attendance page: 1220001 param invalid, 1220003 bad employee_type; 1220600 else.
    rule(
        [PARAM_INVALID, 1220003, 1220600],
        InvalidParameter,
        "",
        _NOT_RETRIED,
        "access-guide",
    ),
    # every attendance page: system errors, HTTP 500.
    rule(
        [1225000, 1226000, 1226500, 1227000, 1227500, 1228000],
        ServerError,
        "a failure on Feishu's side",
        _RETRIED + "; a write is checked first",
        "shift-create",
    ),
)


def rule_for(code: int | None, msg: str, http_status: int) -> Rule | None:
    """The first entry matching the answer, or None (then the HTTP status decides)."""
    return next((r for r in RULES if r.matches(code, msg, http_status)), None)


def classify(
    *,
    code: int | None,
    msg: str,
    http_status: int,
    log_id: str | None = None,
    method: str = "",
    path: str = "",
    retry_after: float = 1.0,
    shift_name: str | None = None,
    scopes: Sequence[str] = (),
) -> FeishuError:
    """The error for one failed answer, by code and message first, by HTTP status second.

    ``shift_name`` marks a shift write (a taken unique key there is the name);
    ``scopes`` are those the answer or the endpoint names, for a missing scope.
    """
    rule = rule_for(code, msg, http_status)
    cls = rule.cls if rule is not None else by_status(http_status)
    if cls is AlreadyExists and shift_name:
        cls = NameTaken  # the only unique key a shift write carries is its name
    named = named_scopes(msg) or tuple(scopes)
    hint = rule.hint if rule is not None else ""
    if "{scope}" in hint:
        hint = hint.format(scope=" or ".join(named) if named else "the attendance scope")
    error = cls(
        msg, code=code, http_status=http_status, log_id=log_id, method=method, path=path, hint=hint
    )
    if isinstance(error, RateLimited):
        error.retry_after = retry_after
    if isinstance(error, MissingScope):
        error.scopes = named
    return error
