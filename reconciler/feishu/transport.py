"""One Feishu call end to end: pace, sign, send, read the envelope, classify, retry, log, count.

Writes whose outcome is unknown (a 5xx, a timeout, a dropped connection) are
settled by the caller's ``verify`` before any retry, so a retry never repeats
a write that already happened.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import httpx

from reconciler.feishu.auth import Redactor, Secret, TokenManager, mask_secret_fields
from reconciler.feishu.calls import TOKEN, Call
from reconciler.feishu.envelope import (
    Envelope,
    data_of,
    read_envelope,
    reset_seconds,
    violated_scopes,
)
from reconciler.feishu.error_table import classify
from reconciler.feishu.errors import (
    TOKEN_INVALID_CODES,
    AuthError,
    FeishuError,
    FeishuTransportError,
    QuotaExceeded,
    RateLimited,
    RetryBudgetExhausted,
    ServerError,
)
from reconciler.feishu.pacing import RateLimiter
from reconciler.feishu.retry import Progress, RetryPolicy, outcome_unknown
from reconciler.feishu.stats import CallStats

__all__ = ["Transport"]

log = logging.getLogger("reconciler.feishu")

_LOGGED_BODY_CHARS = 4000
_MAX_RESET_WAIT = 60.0
_CONNECT_ATTEMPTS = 3
_NOT_AN_ENVELOPE = "answer is not a Feishu JSON envelope"
# Failures before any byte of the request left: no connection, or a URL httpx cannot send.
_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.UnsupportedProtocol,
    ConnectionRefusedError,
)

T = TypeVar("T")


class Transport:
    """Sends :class:`Call` s through an ``httpx.Client`` whose ``base_url`` is the endpoint."""

    def __init__(
        self,
        http: httpx.Client,
        *,
        app_id: str,
        app_secret: Secret,
        rate_limit: float,
        retry: RetryPolicy,
        per_minute: int = 0,
        token_margin: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.http = http
        self.app_id = app_id
        self._secret = app_secret
        self.retry = retry
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()
        self.redact = Redactor()
        self.redact.add(app_secret.reveal())
        self.limiter = RateLimiter(rate_limit, per_minute=per_minute, clock=clock, sleep=sleep)
        self.stats = CallStats()
        # Once the month's quota is spent every call fails; none is sent after the first.
        self._quota_spent: QuotaExceeded | None = None
        self.tokens = TokenManager(self._fetch_token, margin=token_margin, clock=clock)
        self._budget = threading.local()  # the deadline of the call this thread is inside
        self._expire = 0.0

    def call(
        self,
        call: Call,
        parse: Callable[[Envelope], T],
        *,
        idempotent: bool = True,
        verify: Callable[[], T | None] | None = None,
    ) -> T:
        """Send until success, a final error, or the retry budget runs out.

        ``verify`` settles an unknown outcome: a value means the write happened.
        A call that is not ``idempotent`` and has no ``verify`` is never resent
        after an unknown outcome. Calls made inside this one (the token, a
        ``verify`` lookup) share its budget.
        """
        outer = getattr(self._budget, "deadline", None)
        now = self._clock()
        deadline = now + self.retry.max_seconds
        progress = Progress(
            started=now, deadline=deadline if outer is None else min(outer, deadline)
        )
        self._budget.deadline = progress.deadline
        try:
            while True:
                progress.attempts += 1
                try:
                    envelope = self._once(call)
                except FeishuError as error:
                    settled = self._recover(call, error, progress, idempotent, verify)
                    if settled is not None:
                        return settled
                    continue
                return self._parse(call, parse, envelope)
        finally:
            self._budget.deadline = outer

    def _recover(
        self,
        call: Call,
        error: FeishuError,
        progress: Progress,
        idempotent: bool,
        verify: Callable[[], T | None] | None,
    ) -> T | None:
        """After a failed attempt: the verified result, None to try again, or raise."""
        if call.authorized and error.code in TOKEN_INVALID_CODES and not progress.refreshed:
            progress.refreshed = True  # _once dropped the refused token; one fresh try
            return None
        unknown = outcome_unknown(error)
        if isinstance(error, FeishuTransportError) and not error.request_sent:
            progress.unreachable += 1
            if progress.unreachable >= _CONNECT_ATTEMPTS:
                raise error  # a wrong endpoint fails in seconds, not after the whole budget
        if verify is not None and (unknown or (progress.uncertain and not error.retryable)):
            settled = verify()
            if settled is not None:
                log.info("%s %s: an earlier attempt took effect", call.method, call.path)
                return settled
        if not error.retryable or (unknown and not idempotent and verify is None):
            raise error
        progress.uncertain = progress.uncertain or unknown
        delay = self._delay(error, progress.failures)
        progress.failures += 0 if isinstance(error, RateLimited) else 1
        self._wait(call, error, delay, progress)
        return None

    @staticmethod
    def _parse(call: Call, parse: Callable[[Envelope], T], envelope: Envelope) -> T:
        try:
            return parse(envelope if call.flat else data_of(envelope))
        except (AttributeError, KeyError, OverflowError, TypeError, ValueError) as exc:
            # A success envelope whose data is not what the contract promises
            # (AttributeError: an object where a list or a string was due, or the reverse).
            raise FeishuError(
                f"unexpected answer ({type(exc).__name__}: {exc})",
                code=0,
                method=call.method,
                path=call.path,
            ) from None

    def _delay(self, error: FeishuError, failures: int) -> float:
        if isinstance(error, RateLimited) and error.retry_after > 0:
            return min(error.retry_after, _MAX_RESET_WAIT)
        # No usable reset hint: back off as for any other failure.
        return self.retry.backoff(failures, self._rng)

    def _wait(self, call: Call, error: FeishuError, delay: float, progress: Progress) -> None:
        now = self._clock()
        if now + delay > progress.deadline:
            raise RetryBudgetExhausted(
                error, attempts=progress.attempts, seconds=now - progress.started
            ) from None
        self.stats.add(call.key, retries=1)
        log.info(
            "%s %s: %s; retry %d in %.2f s",
            call.method,
            call.path,
            error.msg,
            progress.attempts,
            delay,
        )
        if isinstance(error, RateLimited):
            # Every thread waits out the reset, not just this one.
            self.limiter.hold(call.key, delay)
        elif delay > 0:
            self._sleep(delay)

    def _once(self, call: Call) -> Envelope:
        spent = self._quota_spent
        if spent is not None and call.authorized:
            raise QuotaExceeded(
                "not sent: this month's API call quota is spent (see the first refusal)",
                code=spent.code,
                http_status=spent.http_status,
                method=call.method,
                path=call.path,
                hint=spent.hint,
            )
        waited = self.limiter.acquire(call.key, call.endpoint.rate)
        headers: dict[str, str] = {}
        token = self.tokens.token() if call.authorized else None
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        content = None
        if call.body is not None:
            content = json.dumps(call.body, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json; charset=utf-8"
        self.stats.add(call.key, requests=1, paced_seconds=waited)
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s %s request %s", call.method, call.path, self._clip(content))
        started = self._clock()
        try:
            response = self.http.request(
                call.method, call.path, params=dict(call.params), content=content, headers=headers
            )
        except (httpx.TransportError, OSError) as exc:
            self.stats.add(call.key, transport_errors=1)
            text = self.redact(f"{type(exc).__name__}: {exc}".rstrip(": "))
            log.info("%s %s → %s in %.0f ms", call.method, call.path, text, self._ms(started))
            error = FeishuTransportError(text, method=call.method, path=call.path)
            error.request_sent = not isinstance(exc, _NOT_SENT)
            # Not chained: the httpx exception holds the request and its Authorization header.
            raise error from None
        return self._read(call, response, token, started)

    def _read(
        self, call: Call, response: httpx.Response, token: str | None, started: float
    ) -> Envelope:
        envelope = read_envelope(response)
        if envelope is not None and envelope.get("tenant_access_token"):
            self.redact.add(str(envelope["tenant_access_token"]))
        code = envelope.get("code") if envelope is not None else None
        log_id = response.headers.get("X-Tt-Logid")
        log.info(
            "%s %s → HTTP %d code %s in %.0f ms%s",
            call.method,
            call.path,
            response.status_code,
            code,
            self._ms(started),
            f" log_id {log_id}" if log_id else "",
        )
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s %s response %s", call.method, call.path, self._clip(response.content))
        if envelope is not None and code == 0 and response.is_success:
            self.stats.add(call.key, succeeded=1)
            return envelope
        msg = _NOT_AN_ENVELOPE if envelope is None else str(envelope.get("msg", ""))
        error = classify(
            code=code,
            msg=self.redact(msg),
            http_status=response.status_code,
            log_id=log_id,
            method=call.method,
            path=call.path,
            retry_after=reset_seconds(response.headers),
            shift_name=call.shift_name,
            scopes=violated_scopes(envelope) or call.endpoint.scopes,
        )
        self._count_failure(call.key, error)
        if isinstance(error, QuotaExceeded):
            total = self.stats.total()
            self._quota_spent = error.with_usage(total.requests, total.succeeded)
        if token is not None and code in TOKEN_INVALID_CODES:
            self.tokens.invalidate(token)
        raise error

    def _count_failure(self, key: str, error: FeishuError) -> None:
        if isinstance(error, RateLimited):
            self.stats.add(key, rate_limited=1)
        elif isinstance(error, ServerError):
            self.stats.add(key, server_errors=1)

    def token_seconds(self) -> float:
        """Fetch (or reuse) the tenant token; the seconds it has left when fetched."""
        self.tokens.token()
        return self._expire

    def _fetch_token(self) -> tuple[str, float]:
        body = {"app_id": self.app_id, "app_secret": self._secret.reveal()}
        call = Call(TOKEN, body=body, authorized=False, flat=True)
        envelope = self.call(call, lambda env: env)
        token, expire = envelope.get("tenant_access_token"), envelope.get("expire")
        if not isinstance(token, str) or not token or not isinstance(expire, int | float):
            raise AuthError("the token answer carries no tenant_access_token", path=TOKEN.route)
        self._expire = float(expire)
        return token, float(expire)

    def _clip(self, content: bytes | None) -> str:
        if not content:
            return "(no body)"
        # Redact before clipping, so no secret is cut where the redactor cannot see it.
        text = self.redact(mask_secret_fields(content.decode("utf-8", errors="replace")))
        if len(text) > _LOGGED_BODY_CHARS:
            text = f"{text[:_LOGGED_BODY_CHARS]}… ({len(text)} chars)"
        return text

    def _ms(self, started: float) -> float:
        return (self._clock() - started) * 1000
