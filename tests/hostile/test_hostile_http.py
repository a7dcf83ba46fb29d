"""Hostile HTTP to the served emulator, byte for byte over a socket: text it cannot decode
or encode (lone surrogates, bytes that are not UTF-8) anywhere in a request gets a JSON
envelope with a 4xx status on every route, admin routes included; never a 500."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.emulator import EmulatorConfig, create_app, serving

_app = create_app(config=EmulatorConfig(rate_limit=0))


def _routes() -> list[tuple[str, str]]:
    found = []
    for rule in _app.url_map.iter_rules():
        path = rule.rule
        for argument in rule.arguments:
            path = path.replace(f"<{argument}>", "123")
        found += [(m, path) for m in sorted(rule.methods or ()) if m not in ("HEAD", "OPTIONS")]
    return found


ROUTES = _routes()
# Query by name reads its name from the query string and no body (contract §3.1).
BODYLESS = {("POST", "/open-apis/attendance/v1/shifts/query")}
WRITES = [r for r in ROUTES if r[0] in ("POST", "PUT", "PATCH") and r not in BODYLESS]


@pytest.fixture(scope="module")
def address() -> Iterator[tuple[str, int]]:
    with serving(_app) as url:
        parts = urlsplit(url)
        assert parts.hostname == "127.0.0.1"
        yield parts.hostname, int(parts.port or 0)
    _app.close()


@pytest.fixture(scope="module")
def token(address: tuple[str, int]) -> str:
    body = json.dumps({"app_id": _app.config.app_id, "app_secret": _app.config.app_secret})
    status, answer = send(address, "POST", "/open-apis/auth/v3/tenant_access_token/internal",
                          body.encode())  # fmt: skip
    assert status == 200
    value: str = answer["tenant_access_token"]
    return value


def send(
    address: tuple[str, int],
    method: str,
    target: str | bytes,
    body: bytes = b"",
    headers: dict[str, bytes] | None = None,
) -> tuple[int, dict[str, Any]]:
    """One request as raw bytes on a fresh connection; the status and the JSON body."""
    raw_target = target.encode() if isinstance(target, str) else target
    lines = [method.encode() + b" " + raw_target + b" HTTP/1.1", b"Host: 127.0.0.1"]
    lines += [name.encode() + b": " + value for name, value in (headers or {}).items()]
    lines += [b"Content-Length: " + str(len(body)).encode(), b"Connection: close"]
    with socket.create_connection(address, timeout=60) as conn:
        conn.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + body)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    response = b"".join(chunks)
    head, _, payload = response.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    assert b"application/json" in head.lower(), head
    answer: dict[str, Any] = json.loads(payload)  # every answer is a JSON envelope
    assert isinstance(answer["code"], int)
    assert isinstance(answer["msg"], str)
    return status, answer


def _auth(token: str) -> dict[str, bytes]:
    return {"Authorization": f"Bearer {token}".encode(), "Content-Type": b"application/json"}


@pytest.mark.parametrize(("method", "path"), WRITES)
@pytest.mark.parametrize(
    "body",
    [
        b'{"shift_name": "\\ud83d", "users": ["\\udfff"]}',
        b'{"a": {"b": [["\\ud800x"]]}}',
        b'{"\\udc00": true}',
    ],
    ids=["value", "nested", "key"],
)
def test_a_lone_surrogate_body_is_400_on_every_route_that_reads_a_body(
    address: tuple[str, int], token: str, method: str, path: str, body: bytes
) -> None:
    status, answer = send(address, method, path + "?employee_type=employee_id", body, _auth(token))
    assert status == 400, answer
    assert answer["code"] == 1220001
    assert "lone surrogate" in answer["msg"]


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_a_body_that_is_not_utf8_is_400(
    address: tuple[str, int], token: str, method: str, path: str
) -> None:
    status, answer = send(address, method, path, b'{"shift_name": "\xff\xfe\xed\xa0\xbd"}',
                          _auth(token))  # fmt: skip
    assert status == 400
    assert answer["code"] == 1220001


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    route=st.sampled_from(ROUTES),
    junk=st.binary(min_size=1, max_size=12),
    where=st.sampled_from(["path", "query", "header"]),
)
def test_undecodable_bytes_anywhere_get_an_envelope_never_a_500(
    address: tuple[str, int], token: str, route: tuple[str, str], junk: bytes, where: str
) -> None:
    method, path = route
    junk = junk.translate(None, b" \r\n\x00?#")  # keep the request line one line
    target, headers = path.encode(), _auth(token)
    if where == "path":
        target += b"/" + junk
    elif where == "query":
        target += b"?employee_type=" + junk + b"&shift_name=%ED%A0%BD" + junk
    else:
        headers = {**headers, "X-Junk": junk.translate(None, b":")}
    status, _ = send(address, method, target, b"{}", headers)
    assert status < 500
