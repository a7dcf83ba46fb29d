"""Build a :class:`FeishuClient` for an endpoint: credentials and URL checked before any call."""

from __future__ import annotations

from typing import Any

import httpx

from reconciler.config import FEISHU_ENDPOINT, LARK_ENDPOINT
from reconciler.errors import ConfigError
from reconciler.feishu.client import FeishuClient
from reconciler.secret import Secret

__all__ = ["FEISHU_ENDPOINT", "LARK_ENDPOINT", "http_client", "open_client"]


def open_client(
    *,
    endpoint: str | None,
    app_id: str | None,
    app_secret: Secret | None,
    rate_limit: float = 50.0,
    timeout: float = 30.0,
    **options: Any,
) -> FeishuClient:
    """A client for ``endpoint`` (default Feishu) with the app's credentials, both required.

    ``options`` go to :class:`FeishuClient` (``rate_limit_per_minute``, the inversions).
    The embedded emulator (``--emulator``) is wired in ``reconciler.embedded``.
    """
    missing = [
        name
        for name, value in (("FEISHU_APP_ID", app_id), ("FEISHU_APP_SECRET", app_secret))
        if not value or (isinstance(value, Secret) and not value.reveal())
    ]
    if missing or app_id is None or app_secret is None:
        raise ConfigError(
            f"{' and '.join(missing)} not set: export the app's credentials, "
            "or use --emulator to run against the offline emulator"
        )
    http = http_client(endpoint or FEISHU_ENDPOINT, timeout=timeout)
    return FeishuClient(
        http, app_id=app_id, app_secret=app_secret, rate_limit=rate_limit, **options
    )


def http_client(endpoint: str, *, timeout: float) -> httpx.Client:
    """An ``httpx.Client`` for ``endpoint``; TLS settings only where there is TLS.

    A plain-http endpoint (a served emulator) skips loading the CA bundle: there is
    no certificate to verify, and the load is a tenth of a short command's start-up.
    """
    url = _base_url(endpoint)
    verify = url.startswith("https://")
    return httpx.Client(base_url=url, timeout=timeout, verify=verify)


def _base_url(endpoint: str) -> str:
    """The endpoint without a trailing slash; anything but an http(s) URL is refused now,
    not after minutes of retrying a request that can never be sent."""
    try:
        url = httpx.URL(endpoint.rstrip("/"))
    except httpx.InvalidURL:
        url = None
    if url is not None and url.userinfo:
        # Never echoed: it would print the password (and reprs would carry it).
        raise ConfigError("the endpoint must not carry a user name or password")
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise ConfigError(
            f"endpoint {endpoint!r} is not an http(s) URL such as {FEISHU_ENDPOINT} "
            f"or {LARK_ENDPOINT}"
        )
    return str(url)
