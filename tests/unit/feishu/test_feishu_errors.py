"""Errors are classified by Feishu code and message first, HTTP status second.

Today's pages answer application errors as 1220600 with a message; the older
codes are still understood (contract §6, §11 and the newer pages above §1).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import RemoteError
from reconciler.feishu import (
    AlreadyExists,
    AuthError,
    BadCredentials,
    FeishuError,
    InUse,
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
    RetryBudgetExhausted,
    RuleNotExist,
    ServerError,
    ShiftInUse,
    TooManyFlows,
)
from reconciler.feishu.error_table import RULES, SOURCES, classify


@pytest.mark.parametrize(
    ("code", "status", "msg", "expected"),
    [
        (99991663, 400, "Invalid access token", InvalidTenantToken),
        (99991663, 401, "Invalid access token", InvalidTenantToken),
        (99991665, 400, "invalid tenant_access_token", InvalidTenantToken),
        (99991661, 400, "missing token", InvalidTenantToken),
        (10014, 400, "app secret invalid", BadCredentials),
        (10015, 400, "app secret mismatch", BadCredentials),
        (10003, 400, "invalid param", BadCredentials),
        (99991672, 400, "Access denied. One of the following scopes is required", MissingScope),
        (99991401, 400, "ip is not in the allowlist", IpNotAllowed),
        (1220005, 400, "no data permission", PermissionDenied),
        (1220002, 400, "tenant_id is empty", AuthError),
        (99991400, 429, "request trigger frequency limit", RateLimited),
        (99991400, 400, "request trigger frequency limit", RateLimited),
        (99991403, 429, "This month's API call quota has been exceeded", QuotaExceeded),
        # today's shapes: 1220600 and a message (the access guide, the shift pages)
        (1220600, 400, "shift can not be del", ShiftInUse),
        (1220600, 400, "shift does not exist", NotFound),
        (1220600, 400, "the object already exists", AlreadyExists),
        (1220600, 400, "the object already exists，请检查业务幂等id是否重复", AlreadyExists),
        (1220600, 400, "no row affected", OptimisticLockConflict),
        (1220600, 400, "operate too much flow", TooManyFlows),
        (1220600, 400, "rule not exist", RuleNotExist),
        (
            1220600,
            400,
            "the attendance result has been sealed and can not modify",
            ResultSealed,
        ),
        (1226000, 400, "shift can not be del", ShiftInUse),
        (1226000, 400, "shift service refused", InvalidParameter),
        # the historical codes
        (1226003, 400, "shift does not exist", NotFound),
        (1226003, 400, "default shift are not allowed to change.", NotFound),
        (1226002, 400, "shift name already used", NameTaken),
        (1226001, 500, "the shift has been used", ShiftInUse),
        (1226001, 400, "the shift has been used", ShiftInUse),
        (1220001, 400, "param is invalid", InvalidParameter),
        (1220004, 400, "user_id is not exist", InvalidParameter),
        (1220600, 400, "something else went wrong", InvalidParameter),
        (1225000, 500, "internal server error", ServerError),
        (1226000, 500, "shift service error", ServerError),
        (None, 502, "answer is not a Feishu JSON envelope", ServerError),
        (None, 503, "answer is not a Feishu JSON envelope", ServerError),
        (777, 500, "unknown code on a 500", ServerError),
        (777, 401, "unknown code on a 401", AuthError),
        (777, 404, "unknown code on a 404", NotFound),
        (777, 418, "unknown code on a 4xx", InvalidParameter),
    ],
)
def test_classified_by_code_then_status(
    code: int | None, status: int, msg: str, expected: type[FeishuError]
) -> None:
    error = classify(code=code, msg=msg, http_status=status)
    assert type(error) is expected
    assert isinstance(error, RemoteError)
    assert (error.code, error.http_status, error.msg) == (code, status, msg)


def test_a_taken_key_on_a_shift_write_is_the_name() -> None:
    error = classify(code=1220600, msg="班次名称 早班 重复", http_status=400, shift_name="早班")
    assert isinstance(error, NameTaken)
    taken = classify(code=1220600, msg="the object already exists", http_status=400)
    assert type(taken) is AlreadyExists
    on_write = classify(
        code=1220600, msg="the object already exists", http_status=400, shift_name="早班"
    )
    assert type(on_write) is NameTaken
    assert isinstance(on_write, AlreadyExists)


def test_in_use_keeps_its_earlier_name() -> None:
    assert InUse is ShiftInUse


def test_in_use_and_parameter_errors_are_not_retryable() -> None:
    assert not classify(code=1226001, msg="used", http_status=500).retryable
    assert not classify(code=1220600, msg="shift can not be del", http_status=400).retryable
    assert not classify(code=1220001, msg="bad", http_status=400).retryable
    assert classify(code=1225000, msg="oops", http_status=500).retryable
    assert classify(code=99991400, msg="slow down", http_status=429).retryable
    assert classify(code=1220600, msg="no row affected", http_status=400).retryable
    # The quota answers HTTP 429 like a rate limit, but waiting seconds never helps.
    assert not classify(code=99991403, msg="quota", http_status=429).retryable


def test_a_missing_scope_names_the_scope_in_its_hint() -> None:
    listed = classify(
        code=99991672,
        msg="Access denied. One of the following scopes is required: [attendance:task:readonly]",
        http_status=400,
    )
    assert isinstance(listed, MissingScope)
    assert listed.scopes == ("attendance:task:readonly",)
    assert "grant attendance:task:readonly to the app" in str(listed)
    # No list in the message: the endpoint's documented scopes are named instead.
    bare = classify(
        code=99991672,
        msg="Access denied",
        http_status=400,
        scopes=("attendance:rule", "attendance:rule:readonly"),
    )
    assert "grant attendance:rule or attendance:rule:readonly" in str(bare)


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (99991401, "IP whitelist"),
        (10014, "FEISHU_APP_SECRET"),
        (10003, "FEISHU_APP_ID"),
        (99991665, "installed"),
        (1220600, None),
    ],
)
def test_hints_are_one_line_and_say_what_to_do(code: int, words: str | None) -> None:
    error = classify(code=code, msg="refused", http_status=400)
    assert "\n" not in str(error)
    if words is None:
        assert error.hint == ""
    else:
        assert words in error.hint
        assert str(error).endswith(error.hint)


def test_the_quota_message_says_what_the_run_spent_and_what_to_do() -> None:
    error = classify(code=99991403, msg="quota exceeded", http_status=429)
    assert isinstance(error, QuotaExceeded)
    error.with_usage(12, 9)
    text = str(error)
    assert "this run made 12 API calls (9 succeeded)" in text
    assert "next month" in text
    assert "upgrade" in text


def test_every_table_entry_cites_a_page_and_says_what_shiftctl_does() -> None:
    for rule in RULES:
        assert rule.source in SOURCES
        assert rule.does
        assert "\n" not in rule.hint
    assert all(page.strip() for page in SOURCES.values())


def test_rate_limited_carries_the_reset_hint() -> None:
    error = classify(code=99991400, msg="limit", http_status=429, retry_after=2.5)
    assert isinstance(error, RateLimited)
    assert error.retry_after == 2.5


def test_message_reads_as_one_line_with_code_status_and_log_id() -> None:
    error = classify(
        code=1226003,
        msg="shift does not exist",
        http_status=400,
        log_id="20240101abc",
        method="GET",
        path="/open-apis/attendance/v1/shifts/42",
    )
    assert str(error) == (
        "GET /open-apis/attendance/v1/shifts/42: shift does not exist "
        "(code 1226003, HTTP 400, log_id 20240101abc); "
        "the shift is not in the tenant (deleted meanwhile?): run plan again"
    )


def test_budget_exhausted_names_the_attempts_and_the_last_error() -> None:
    last = classify(code=1225000, msg="internal server error", http_status=500, method="POST")
    error = RetryBudgetExhausted(last, attempts=7, seconds=119.6)
    assert "gave up after 7 attempts in 119.6 s; last error: internal server error" in str(error)
    assert error.last_error is last
    assert error.code == 1225000
    assert not error.retryable


ROOT = Path(__file__).resolve().parents[3]


def test_every_code_of_the_table_is_in_the_docs_and_the_troubleshooting_table() -> None:
    client_doc = (ROOT / "docs" / "client.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    troubleshooting = readme.split("## Troubleshooting", 1)[1].split("\n## ", 1)[0]
    codes = {code for rule in RULES for code in rule.codes}
    missing_doc = sorted(c for c in codes if str(c) not in client_doc)
    missing_readme = sorted(c for c in codes if f"`{c}`" not in troubleshooting)
    assert (missing_doc, missing_readme) == ([], [])
    for page in SOURCES.values():
        name = page.split(" (", 1)[0].split(":", 1)[0]
        assert name in client_doc, name
