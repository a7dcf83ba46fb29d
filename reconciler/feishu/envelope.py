"""Feishu's response envelope ``{code, msg, data}`` and the rate-limit reset header."""

from __future__ import annotations

from typing import Any

import httpx

__all__ = ["Envelope", "data_of", "read_envelope", "reset_seconds", "violated_scopes"]

Envelope = dict[str, Any]


def read_envelope(response: httpx.Response) -> Envelope | None:
    """The JSON envelope, or None when the body is not one (a proxy's HTML page, say)."""
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    code = body.get("code")
    return body if isinstance(code, int) and not isinstance(code, bool) else None


def data_of(envelope: Envelope) -> Envelope:
    data = envelope.get("data")
    return data if isinstance(data, dict) else {}


def reset_seconds(headers: httpx.Headers) -> float:
    try:
        return float(headers.get("x-ogw-ratelimit-reset", "1"))
    except ValueError:
        return 1.0


def violated_scopes(envelope: Envelope | None) -> tuple[str, ...]:
    """The scopes an error's ``permission_violations`` name (generic error-code page)."""
    error = envelope.get("error") if envelope is not None else None
    violations = error.get("permission_violations") if isinstance(error, dict) else None
    if not isinstance(violations, list):
        return ()
    return tuple(str(v["subject"]) for v in violations if isinstance(v, dict) and v.get("subject"))
