"""Tenant access tokens: issuing them (contract §2) and checking the Authorization header."""

from __future__ import annotations

import hmac
import secrets
import time
from typing import Any

from werkzeug.wrappers import Request

from reconciler.emulator.config import EmulatorConfig
from reconciler.emulator.store import Store
from reconciler.emulator.wire import TOKEN_INVALID, TOKEN_MISSING, ApiError

#: A token with less than this left is replaced by a new one (the old stays valid).
RENEW_BELOW_S = 1800

_BAD_TOKEN_MSG = (
    "Invalid access token for authorization. Please make a request with token attached."
)


def issue_token(store: Store, config: EmulatorConfig, body: dict[str, Any]) -> dict[str, Any]:
    """The flat token answer: the same token while ≥ 30 min remain, else a new one."""
    app_id, app_secret = body.get("app_id"), body.get("app_secret")
    if not isinstance(app_id, str) or not isinstance(app_secret, str) or not app_id:
        raise ApiError(10003, "invalid param")
    if app_id != config.app_id:
        raise ApiError(10003, "invalid param: app_id not found")
    if not hmac.compare_digest(app_secret.encode(), config.app_secret.encode()):
        raise ApiError(10014, "app secret invalid")
    with store.transaction() as conn:
        now = store.now(conn).timestamp()
        row = conn.execute(
            "SELECT token, expires_at FROM tokens"
            " WHERE app_id = ? AND issued_at <= ? AND expires_at > ?"
            " ORDER BY expires_at DESC LIMIT 1",
            (app_id, now, now),
        ).fetchone()
        if row is not None and row["expires_at"] - now >= RENEW_BELOW_S:
            token, expires_at = row["token"], row["expires_at"]
        else:
            token = "t-" + secrets.token_hex(20)
            expires_at = now + config.token_ttl_s
            conn.execute(
                "INSERT INTO tokens (token, app_id, issued_at, expires_at) VALUES (?, ?, ?, ?)",
                (token, app_id, now, expires_at),
            )
        # Only tokens expired in real terms are dropped: a clock set back must not
        # revoke what a client still holds.
        conn.execute("DELETE FROM tokens WHERE expires_at <= ?", (min(now, time.time()),))
    return {
        "code": 0,
        "msg": "ok",
        "tenant_access_token": token,
        "expire": int(expires_at - now),
    }


def authenticate(store: Store, request: Request) -> str:
    """The app id behind the request's bearer token, or the Feishu auth error."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise ApiError(TOKEN_MISSING, "Missing access token for authorization.")
    with store.reading() as conn:
        now = store.now(conn).timestamp()
        row = conn.execute(
            "SELECT app_id FROM tokens WHERE token = ? AND expires_at > ?", (token, now)
        ).fetchone()
    if row is None:
        raise ApiError(TOKEN_INVALID, _BAD_TOKEN_MSG)
    return str(row["app_id"])
