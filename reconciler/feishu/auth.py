"""The app secret and tenant tokens: kept out of reprs and logs, cached and refreshed early.

Feishu hands out a new token once the current one has under 30 minutes left
(the old one stays valid), so refreshing a few minutes early never strands a
call on a token that expires in flight.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

from reconciler.secret import REDACTED, Secret

__all__ = ["MIN_REDACTED", "REDACTED", "Redactor", "Secret", "TokenManager", "mask_secret_fields"]

MIN_REDACTED = 6

#: JSON fields that hold a credential whatever its length (the token call and its answer).
SECRET_FIELDS = ("app_secret", "tenant_access_token")


def mask_secret_fields(text: str) -> str:
    """A JSON object's text with every :data:`SECRET_FIELDS` value replaced by ``***``.

    The redactor only knows values it was given and skips short ones; this
    catches a credential by where it stands, so even a short secret is hidden.
    """
    if not any(f'"{name}"' in text for name in SECRET_FIELDS):
        return text
    try:
        body = json.loads(text)
    except ValueError:
        return text
    if not isinstance(body, dict):
        return text
    masked = {k: REDACTED if k in SECRET_FIELDS else v for k, v in body.items()}
    return json.dumps(masked, ensure_ascii=False)


class Redactor:
    """Replaces every registered secret value (app secret, tokens seen) in a text.

    Values shorter than :data:`MIN_REDACTED` are not real secrets (Feishu's are
    dozens of characters); hiding them would garble every word they occur in.
    """

    def __init__(self) -> None:
        self._values: frozenset[str] = frozenset()
        self._lock = threading.Lock()

    def add(self, value: str) -> None:
        if len(value) < MIN_REDACTED:
            return
        # Bodies are logged as JSON, where quotes and backslashes come escaped.
        escaped = json.dumps(value, ensure_ascii=False)[1:-1]
        with self._lock:
            self._values = self._values | {value, escaped}

    def __call__(self, text: str) -> str:
        # Longest first, so a secret containing another is hidden whole.
        for value in sorted(self._values, key=len, reverse=True):
            if value in text:
                text = text.replace(value, REDACTED)
        return text


class TokenManager:
    """Caches the tenant token and fetches a new one ``margin`` seconds before expiry.

    ``fetch`` returns ``(token, expire_seconds)``. One thread fetches while the
    others wait for its result; :meth:`invalidate` drops a token the server refused.
    """

    def __init__(
        self,
        fetch: Callable[[], tuple[str, float]],
        *,
        margin: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._margin = margin
        self._clock = clock
        self._token: str | None = None
        self._refresh_at = 0.0
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        state = "cached" if self._token else "empty"
        return f"TokenManager({state})"

    def token(self) -> str:
        with self._lock:
            if self._token is None or self._clock() >= self._refresh_at:
                token, expire = self._fetch()
                # A short-lived token is refreshed halfway instead of never being cached.
                margin = min(self._margin, expire / 2)
                self._token, self._refresh_at = token, self._clock() + expire - margin
            return self._token

    def invalidate(self, token: str) -> None:
        """Forget ``token`` unless another thread has already replaced it."""
        with self._lock:
            if self._token == token:
                self._token = None
