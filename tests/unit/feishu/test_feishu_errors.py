"""Errors are classified by Feishu code first and HTTP status second (contract §6, §11)."""

from __future__ import annotations

import pytest

from reconciler.errors import RemoteError
from reconciler.feishu import (
    AuthError,
    FeishuError,
    InUse,
    InvalidParameter,
    NameTaken,
    NotFound,
    PermissionDenied,
    RateLimited,
    RetryBudgetExhausted,
    ServerError,
)
from reconciler.feishu.errors import classify


@pytest.mark.parametrize(
    ("code", "status", "msg", "expected"),
    [
        (99991663, 400, "Invalid access token", AuthError),
        (99991663, 401, "Invalid access token", AuthError),
        (99991661, 400, "missing token", AuthError),
        (10014, 400, "app secret invalid", AuthError),
        (99991672, 400, "Access denied. One of the following scopes is required", PermissionDenied),
        (1220005, 400, "no data permission", PermissionDenied),
        (99991400, 429, "request trigger frequency limit", RateLimited),
        (99991400, 400, "request trigger frequency limit", RateLimited),
        (1226003, 400, "shift does not exist", NotFound),
        (1226002, 400, "shift name already used", NameTaken),
        (1226001, 500, "the shift has been used", InUse),
        (1226001, 400, "the shift has been used", InUse),
        (1220001, 400, "param is invalid", InvalidParameter),
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


def test_generic_code_naming_the_shift_is_name_taken() -> None:
    error = classify(code=1220600, msg="班次名称 早班 重复", http_status=400, shift_name="早班")
    assert isinstance(error, NameTaken)
    assert isinstance(classify(code=1220600, msg="name already exists", http_status=400), NameTaken)


def test_in_use_and_parameter_errors_are_not_retryable() -> None:
    assert not classify(code=1226001, msg="used", http_status=500).retryable
    assert not classify(code=1220001, msg="bad", http_status=400).retryable
    assert classify(code=1225000, msg="oops", http_status=500).retryable
    assert classify(code=99991400, msg="slow down", http_status=429).retryable


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
        "(code 1226003, HTTP 400, log_id 20240101abc)"
    )


def test_budget_exhausted_names_the_attempts_and_the_last_error() -> None:
    last = classify(code=1225000, msg="internal server error", http_status=500, method="POST")
    error = RetryBudgetExhausted(last, attempts=7, seconds=119.6)
    assert "gave up after 7 attempts in 119.6 s; last error: internal server error" in str(error)
    assert error.last_error is last
    assert error.code == 1225000
    assert not error.retryable
