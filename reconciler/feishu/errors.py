"""Feishu errors, one class per thing a caller does about it, classified by code then status.

    RemoteError  (reconciler.errors, exit 1)
    └── FeishuError                 code, msg, http_status, log_id, method, path
        ├── AuthError               credentials or token refused (9999166x/71, 10014, 1220002, 401)
        ├── PermissionDenied        missing scope or data permission (99991672/79, 1220005-07, 403)
        ├── RateLimited             99991400 with 429 or 400; retried after x-ogw-ratelimit-reset
        ├── NotFound                1226003 (shift missing, or the default shift), 404
        ├── NameTaken               1226002, or 1220600 whose msg names the shift
        ├── InUse                   1226001, HTTP 400 or 500, never retried
        ├── InvalidParameter        1220001/03/04, 10003, 1220600 otherwise, any other 4xx
        ├── ServerError             1225000, 1226000, 1226500, 1227000, 1227500, 1228000, any 5xx
        ├── FeishuTransportError    timeout or dropped connection; no answer at all
        └── RetryBudgetExhausted    retried for longer than allowed; wraps the last error

Messages never carry the app secret or a token (the transport redacts them first).
"""

from __future__ import annotations

import re

from reconciler.errors import RemoteError

__all__ = [
    "TOKEN_INVALID_CODES",
    "AuthError",
    "FeishuError",
    "FeishuTransportError",
    "InUse",
    "InvalidParameter",
    "NameTaken",
    "NotFound",
    "PermissionDenied",
    "RateLimited",
    "RetryBudgetExhausted",
    "ServerError",
    "classify",
]

# Codes after which a fresh tenant token is fetched and the call tried once more.
TOKEN_INVALID_CODES = frozenset({99991663, 99991664, 99991671})

_RATE_LIMITED = 99991400
_GENERIC = 1220600
# A 1220600 about a duplicate name: the contract leaves its exact wording open (§10).
_DUPLICATE_WORDING = re.compile(r"name.*(exist|already|used|repeat|duplicat)", re.IGNORECASE)


class FeishuError(RemoteError):
    """Feishu answered with a non-zero code (or a non-envelope) for one call."""

    retryable = False

    def __init__(
        self,
        msg: str,
        *,
        code: int | None = None,
        http_status: int | None = None,
        log_id: str | None = None,
        method: str = "",
        path: str = "",
    ) -> None:
        self.msg = msg
        self.code = code
        self.http_status = http_status
        self.log_id = log_id
        self.method = method
        self.path = path
        super().__init__(self._line())

    def _line(self) -> str:
        where = f"{self.method} {self.path}: " if self.method else ""
        facts = [f"code {self.code}"] if self.code is not None else []
        if self.http_status is not None:
            facts.append(f"HTTP {self.http_status}")
        if self.log_id:
            facts.append(f"log_id {self.log_id}")
        suffix = f" ({', '.join(facts)})" if facts else ""
        return f"{where}{self.msg}{suffix}"


class AuthError(FeishuError):
    """The app credentials or the tenant token were refused."""


class PermissionDenied(FeishuError):
    """The app lacks a scope or the attendance data permission."""


class RateLimited(FeishuError):
    """Too many requests; ``retry_after`` is the server's reset hint in seconds."""

    retryable = True
    retry_after: float = 1.0


class NotFound(FeishuError):
    """The shift (or record) does not exist."""


class NameTaken(FeishuError):
    """Another shift already has this name."""


class InUse(FeishuError):
    """The shift is used by an attendance group and cannot be deleted."""


class InvalidParameter(FeishuError):
    """Feishu refused the request's content."""


class ServerError(FeishuError):
    """A failure on Feishu's side (or a proxy's); a write's outcome is unknown."""

    retryable = True


class FeishuTransportError(FeishuError):
    """No answer: timeout, refused or dropped connection.

    ``request_sent`` is False when no connection was made, so nothing can have
    happened; otherwise a write's outcome is unknown.
    """

    retryable = True
    request_sent = True


class RetryBudgetExhausted(FeishuError):
    """Retries went on for longer than allowed; ``last_error`` is the final failure."""

    def __init__(self, last_error: FeishuError, *, attempts: int, seconds: float) -> None:
        self.last_error = last_error
        self.attempts = attempts
        self.seconds = seconds
        super().__init__(
            f"gave up after {attempts} attempt{'s' if attempts != 1 else ''} "
            f"in {seconds:.1f} s; last error: {last_error.msg}",
            code=last_error.code,
            http_status=last_error.http_status,
            log_id=last_error.log_id,
            method=last_error.method,
            path=last_error.path,
        )


_BY_CODE: dict[int, type[FeishuError]] = {
    99991661: AuthError,
    99991663: AuthError,
    99991664: AuthError,
    99991668: AuthError,
    99991671: AuthError,
    10014: AuthError,
    1220002: AuthError,
    99991672: PermissionDenied,
    99991679: PermissionDenied,
    1220005: PermissionDenied,
    1220006: PermissionDenied,
    1220007: PermissionDenied,
    1226003: NotFound,
    1226002: NameTaken,
    1226001: InUse,
    1220001: InvalidParameter,
    1220003: InvalidParameter,
    1220004: InvalidParameter,
    10003: InvalidParameter,
    1225000: ServerError,
    1226000: ServerError,
    1226500: ServerError,
    1227000: ServerError,
    1227500: ServerError,
    1228000: ServerError,
}

_BY_STATUS: dict[int, type[FeishuError]] = {
    401: AuthError,
    403: PermissionDenied,
    404: NotFound,
    429: RateLimited,
}


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
) -> FeishuError:
    """The error for one failed answer: by ``code`` first, by HTTP status second.

    ``shift_name`` is the name a shift write carried, so a generic 1220600 that
    mentions it reads as :class:`NameTaken`.
    """
    cls = _class_for(code, msg, http_status, shift_name)
    error = cls(msg, code=code, http_status=http_status, log_id=log_id, method=method, path=path)
    if isinstance(error, RateLimited):
        error.retry_after = retry_after
    return error


def _class_for(
    code: int | None, msg: str, http_status: int, shift_name: str | None
) -> type[FeishuError]:
    if code == _RATE_LIMITED:
        return RateLimited
    if code in _BY_CODE:
        return _BY_CODE[code]
    if code == _GENERIC:
        mentions_name = shift_name is not None and shift_name != "" and shift_name in msg
        return NameTaken if mentions_name or _DUPLICATE_WORDING.search(msg) else InvalidParameter
    if http_status in _BY_STATUS:
        return _BY_STATUS[http_status]
    if http_status >= 500:
        return ServerError
    if http_status >= 400:
        return InvalidParameter
    return FeishuError
