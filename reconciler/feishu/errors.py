"""Feishu errors, one class per thing a caller does about it (`error_table.classify` picks).

    RemoteError  (reconciler.errors, exit 1)
    └── FeishuError                 code, msg, http_status, log_id, method, path, hint
        ├── AuthError               credentials or token refused
        │   ├── BadCredentials      wrong app id or secret (10003, 10014, 10015)
        │   └── InvalidTenantToken  the tenant token refused even after a fresh one (9999166x)
        ├── PermissionDenied        data permission (1220005-07), HTTP 403
        │   ├── MissingScope        the app lacks an API scope (99991672); names it
        │   └── IpNotAllowed        the caller is outside the app's IP whitelist (99991401)
        ├── RateLimited             99991400; retried after x-ogw-ratelimit-reset
        ├── QuotaExceeded           99991403, HTTP 429: the month's calls are spent; never retried
        ├── NotFound                the shift or record does not exist (1226003, 1220600 …)
        ├── AlreadyExists           a unique key or idempotency id is taken (1220600)
        │   └── NameTaken           … the shift name, on a shift write (1226002)
        ├── ShiftInUse (InUse)      an attendance rule uses the shift (1226001, 1220600)
        ├── OptimisticLockConflict  "no row affected": changed meanwhile; retried
        ├── TooManyFlows            over 50 punch records in one call
        ├── RuleNotExist            the attendance rule (group) does not exist
        ├── ResultSealed            the attendance results are sealed (archived)
        ├── InvalidParameter        1220001/03/04, other 1220600, any other 4xx
        ├── ServerError             1225000, 1226000, 1226500, 1227000, 1227500, 1228000, 5xx
        ├── FeishuTransportError    timeout or dropped connection; no answer at all
        └── RetryBudgetExhausted    retried for longer than allowed; wraps the last error

Which code and message give which class, and each class's one-line hint, is
one table: :mod:`reconciler.feishu.error_table`, every entry citing its page.
Messages never carry the app secret or a token (the transport redacts them first).
"""

from __future__ import annotations

from reconciler.errors import RemoteError
from reconciler.feishu.codes import TOKEN_INVALID_CODES

__all__ = [
    "TOKEN_INVALID_CODES",
    "AlreadyExists",
    "AuthError",
    "BadCredentials",
    "FeishuError",
    "FeishuTransportError",
    "InUse",
    "InvalidParameter",
    "InvalidTenantToken",
    "IpNotAllowed",
    "MissingScope",
    "NameTaken",
    "NotFound",
    "OptimisticLockConflict",
    "PermissionDenied",
    "QuotaExceeded",
    "RateLimited",
    "ResultSealed",
    "RetryBudgetExhausted",
    "RuleNotExist",
    "ServerError",
    "ShiftInUse",
    "TooManyFlows",
]


class FeishuError(RemoteError):
    """Feishu answered with a non-zero code (or a non-envelope) for one call.

    ``hint`` is one line saying what to do; it ends the message when set.
    """

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
        hint: str = "",
    ) -> None:
        self.msg = msg
        self.code = code
        self.http_status = http_status
        self.log_id = log_id
        self.method = method
        self.path = path
        self.hint = hint
        super().__init__(self._line())

    def _line(self) -> str:
        where = f"{self.method} {self.path}: " if self.method else ""
        facts = [f"code {self.code}"] if self.code is not None else []
        if self.http_status is not None:
            facts.append(f"HTTP {self.http_status}")
        if self.log_id:
            facts.append(f"log_id {self.log_id}")
        suffix = f" ({', '.join(facts)})" if facts else ""
        hint = f"; {self.hint}" if self.hint else ""
        return f"{where}{self.msg}{suffix}{hint}"

    def _reword(self) -> None:
        self.args = (self._line(),)


class AuthError(FeishuError):
    """The app credentials or the tenant token were refused."""


class BadCredentials(AuthError):
    """The app id or the app secret is wrong (or belongs to the other region)."""


class InvalidTenantToken(AuthError):
    """The tenant access token was refused, even a freshly fetched one."""


class PermissionDenied(FeishuError):
    """The app lacks a scope, the attendance data permission, or network access."""


class MissingScope(PermissionDenied):
    """The app lacks an API scope; ``scopes`` lists those of which any one would do."""

    scopes: tuple[str, ...] = ()


class IpNotAllowed(PermissionDenied):
    """The calling machine's address is not on the app's IP whitelist."""


class RateLimited(FeishuError):
    """Too many requests; ``retry_after`` is the server's reset hint in seconds."""

    retryable = True
    retry_after: float = 1.0


class QuotaExceeded(FeishuError):
    """The tenant's monthly API call quota is spent: nothing works until it resets.

    ``calls`` and ``succeeded`` say what this run spent before it was refused.
    """

    calls: int = 0
    succeeded: int = 0

    def with_usage(self, calls: int, succeeded: int) -> QuotaExceeded:
        self.calls, self.succeeded = calls, succeeded
        self.hint = (
            f"this run made {calls} API call{'s' if calls != 1 else ''} ({succeeded} succeeded) "
            "before the quota ran out; calls fail until it resets at the start of next month: "
            "wait for it, or upgrade the Feishu edition for a larger quota"
        )
        self._reword()
        return self


class NotFound(FeishuError):
    """The shift (or record) does not exist."""


class AlreadyExists(FeishuError):
    """A unique key or an idempotency id is taken already."""


class NameTaken(AlreadyExists):
    """Another shift already has this name."""


class ShiftInUse(FeishuError):
    """The shift is used by an attendance group (rule) and cannot be deleted."""


InUse = ShiftInUse  # the earlier name, kept for callers


class OptimisticLockConflict(FeishuError):
    """ "no row affected": the record changed under the write; nothing was written."""

    retryable = True


class TooManyFlows(FeishuError):
    """More punch records in one call than Feishu takes (50)."""


class RuleNotExist(FeishuError):
    """The attendance rule (group) the call refers to does not exist."""


class ResultSealed(FeishuError):
    """The attendance results of that period are sealed and cannot change."""


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
            hint=last_error.hint,
        )
