"""Tenant tokens: cached, refreshed early, refreshed once on 99991663; secrets stay hidden."""

from __future__ import annotations

import logging
import threading

import httpx
import pytest
from shift_samples import RULE

from reconciler.feishu import AuthError, FeishuClient
from reconciler.feishu.auth import Redactor, Secret, TokenManager

SHIFT = "/open-apis/attendance/v1/shifts/1"
SHIFT_BODY = {
    "shift_id": "1",
    "shift_name": "早班",
    "punch_times": 1,
    "punch_time_rule": [RULE],
}


def test_token_is_cached_until_the_refresh_margin(clock, feishu, client: FeishuClient) -> None:
    feishu.add("GET", SHIFT, feishu.ok(SHIFT_BODY))
    client.get_shift("1")
    client.get_shift("1")
    assert len(feishu.tokens_issued) == 1
    clock.now += 7200 - 300 - 1
    client.get_shift("1")
    assert len(feishu.tokens_issued) == 1
    clock.now += 2
    client.get_shift("1")
    assert len(feishu.tokens_issued) == 2
    last = feishu.business()[-1]
    assert last.headers["Authorization"] == f"Bearer {feishu.tokens_issued[-1]}"


def test_short_lived_token_is_refreshed_halfway(clock, feishu, client: FeishuClient) -> None:
    feishu.expire = 120
    feishu.add("GET", SHIFT, feishu.ok(SHIFT_BODY))
    client.get_shift("1")
    clock.now += 59
    client.get_shift("1")
    clock.now += 2
    client.get_shift("1")
    assert len(feishu.tokens_issued) == 2


@pytest.mark.parametrize("code", [99991663, 99991664, 99991671])
@pytest.mark.parametrize("status", [400, 401])
def test_refused_token_is_refreshed_once_and_the_call_retried(
    feishu, client: FeishuClient, code: int, status: int
) -> None:
    refused = feishu.error(status, code, "Invalid access token")
    feishu.add("GET", SHIFT, refused, feishu.ok(SHIFT_BODY))
    assert client.get_shift("1").shift_id == "1"
    first, second = feishu.business()
    assert first.headers["Authorization"] != second.headers["Authorization"]
    assert len(feishu.tokens_issued) == 2


def test_token_refused_twice_is_an_auth_error(feishu, client: FeishuClient) -> None:
    feishu.add("GET", SHIFT, feishu.error(400, 99991663, "Invalid access token"))
    with pytest.raises(AuthError) as caught:
        client.get_shift("1")
    assert caught.value.code == 99991663
    assert len(feishu.business()) == 2


def test_wrong_app_secret_is_an_auth_error_without_the_secret() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"code": 10014, "msg": "app secret invalid"})

    http = httpx.Client(transport=httpx.MockTransport(refuse), base_url="https://x.test")
    client = FeishuClient(http, app_id="cli_a", app_secret=Secret("wrong-secret-value"))
    with client, pytest.raises(AuthError) as caught:
        client.get_shift("1")
    assert caught.value.code == 10014
    assert "wrong-secret-value" not in str(caught.value)
    assert "wrong-secret-value" not in repr(client)


def test_concurrent_callers_share_one_token_fetch() -> None:
    fetches: list[int] = []
    gate = threading.Event()

    def fetch() -> tuple[str, float]:
        gate.wait(timeout=5)
        fetches.append(1)
        return "t-shared", 7200.0

    manager = TokenManager(fetch)
    tokens: list[str] = []
    threads = [threading.Thread(target=lambda: tokens.append(manager.token())) for _ in range(8)]
    for thread in threads:
        thread.start()
    gate.set()
    for thread in threads:
        thread.join(timeout=5)
    assert tokens == ["t-shared"] * 8
    assert len(fetches) == 1


def test_invalidate_ignores_a_token_already_replaced() -> None:
    issued = iter(["t-1", "t-2", "t-3"])
    manager = TokenManager(lambda: (next(issued), 7200.0))
    assert manager.token() == "t-1"
    manager.invalidate("t-1")
    assert manager.token() == "t-2"
    manager.invalidate("t-1")  # a slow thread reporting the old token changes nothing
    assert manager.token() == "t-2"
    assert "t-2" not in repr(manager)


def test_secret_and_redactor_hide_values() -> None:
    secret = Secret("hunter2-secret")
    assert "hunter2" not in repr(secret)
    assert "hunter2" not in str(secret)
    assert secret.reveal() == "hunter2-secret"
    redact = Redactor()
    redact.add("secret")
    redact.add("secret-and-more")
    redact.add("s")  # too short to be a secret: redacting it would garble every word
    redact.add("")
    assert redact("x secret-and-more y secret z") == "x *** y *** z"
    redact = Redactor()
    redact.add('quo"te\\slash')
    assert redact('{"app_secret": "quo\\"te\\\\slash"}') == '{"app_secret": "***"}'


def test_token_request_body_is_logged_redacted(
    feishu, client: FeishuClient, caplog: pytest.LogCaptureFixture, app_secret: str
) -> None:
    feishu.add("GET", SHIFT, feishu.ok(SHIFT_BODY))
    with caplog.at_level(logging.DEBUG, logger="reconciler.feishu"):
        client.get_shift("1")
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "app_secret" in text
    assert app_secret not in text
    assert feishu.tokens_issued[0] not in text
    assert "***" in text


def test_a_short_secret_and_token_are_hidden_in_logged_bodies(
    feishu, make_client, caplog: pytest.LogCaptureFixture
) -> None:
    feishu.add("GET", SHIFT, feishu.ok(SHIFT_BODY))
    client = make_client(app_secret=Secret("Zq9!x"))  # shorter than the redactor bothers with
    with caplog.at_level(logging.DEBUG, logger="reconciler.feishu"):
        client.get_shift("1")
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert '"app_secret": "***"' in text
    assert '"tenant_access_token": "***"' in text
    assert "Zq9!x" not in text
    assert feishu.tokens_issued[0] not in text
