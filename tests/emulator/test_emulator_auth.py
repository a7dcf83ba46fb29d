"""Tenant tokens (contract §2, §11 "token")."""

from __future__ import annotations

import json

import httpx
import pytest
from emulator_helpers import API, fails, ok

from reconciler.emulator import DEFAULT_APP_ID, DEFAULT_APP_SECRET

TOKEN = "/open-apis/auth/v3/tenant_access_token/internal"
CREDENTIALS = {"app_id": DEFAULT_APP_ID, "app_secret": DEFAULT_APP_SECRET}


def _token(client: httpx.Client) -> dict[str, object]:
    body: dict[str, object] = client.post(TOKEN, json=CREDENTIALS).json()
    return body


@pytest.fixture(autouse=True)
def _frozen_clock(emulator_http: httpx.Client) -> None:
    """Token ages are exact only on a frozen clock."""
    ok(emulator_http.put("/_emulator/clock", json={"frozen": "2026-01-05T09:00:00+08:00"}))


def _advance(client: httpx.Client, seconds: int) -> None:
    ok(client.put("/_emulator/clock", json={"advance_seconds": seconds}))


def test_token_answer_is_flat_with_a_two_hour_expiry(emulator_http: httpx.Client) -> None:
    body = _token(emulator_http)
    assert set(body) == {"code", "msg", "tenant_access_token", "expire"}
    assert body["code"] == 0
    assert body["expire"] == 7200
    assert str(body["tenant_access_token"]).startswith("t-")


def test_body_is_json_whatever_the_content_type(emulator_http: httpx.Client) -> None:
    raw = json.dumps(CREDENTIALS).encode()
    for headers in ({}, {"Content-Type": "text/plain"}, {"Content-Type": "application/x-www-form"}):
        response = emulator_http.post(TOKEN, content=raw, headers=headers)
        assert response.json()["code"] == 0


def test_same_token_while_half_an_hour_or_more_is_left(emulator_http: httpx.Client) -> None:
    first = _token(emulator_http)
    _advance(emulator_http, 7200 - 1800)
    again = _token(emulator_http)
    assert again["tenant_access_token"] == first["tenant_access_token"]
    assert again["expire"] == 1800


def test_new_token_below_half_an_hour_and_the_old_stays_valid(
    emulator_http: httpx.Client,
) -> None:
    old = str(_token(emulator_http)["tenant_access_token"])
    _advance(emulator_http, 7200 - 1799)
    fresh = _token(emulator_http)
    assert fresh["tenant_access_token"] != old
    assert fresh["expire"] == 7200
    listing = emulator_http.get(f"{API}/shifts", headers={"Authorization": f"Bearer {old}"})
    ok(listing)
    _advance(emulator_http, 1800)  # the old one has now expired, the new one has not
    fails(
        emulator_http.get(f"{API}/shifts", headers={"Authorization": f"Bearer {old}"}),
        400,
        99991663,
    )
    new_auth = {"Authorization": f"Bearer {fresh['tenant_access_token']}"}
    ok(emulator_http.get(f"{API}/shifts", headers=new_auth))


def test_wrong_secret_is_10014(emulator_http: httpx.Client) -> None:
    response = emulator_http.post(TOKEN, json={**CREDENTIALS, "app_secret": "nope"})
    fails(response, 400, 10014)
    assert "tenant_access_token" not in response.json()


@pytest.mark.parametrize(
    "body", [{}, {"app_id": DEFAULT_APP_ID}, {"app_id": 1, "app_secret": "x"}, {"app_id": "cli_x"}]
)
def test_missing_or_unknown_app_is_10003(emulator_http: httpx.Client, body: object) -> None:
    fails(emulator_http.post(TOKEN, json=body), 400, 10003)


@pytest.mark.parametrize(
    "header", [None, "", "Bearer", "Bearer ", "Basic abc", "t-abc", "Bearer a b"]
)
def test_missing_or_malformed_header_is_99991661(
    emulator_http: httpx.Client, header: str | None
) -> None:
    headers = {} if header is None else {"Authorization": header}
    fails(emulator_http.get(f"{API}/shifts", headers=headers), 400, 99991661)


def test_unknown_token_is_99991663(emulator_http: httpx.Client) -> None:
    headers = {"Authorization": "Bearer t-0000"}
    msg = fails(emulator_http.get(f"{API}/shifts", headers=headers), 400, 99991663)
    assert msg.startswith("Invalid access token")


def test_configured_credentials_replace_the_defaults() -> None:
    from reconciler.emulator import EmulatorConfig, create_app

    app = create_app(config=EmulatorConfig(app_id="cli_mine", app_secret="s3cret"))
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://e") as client:
        assert client.post(TOKEN, json=CREDENTIALS).json()["code"] == 10003
        body = client.post(TOKEN, json={"app_id": "cli_mine", "app_secret": "s3cret"}).json()
        assert body["code"] == 0
    assert "s3cret" not in repr(app.config)
    app.close()
