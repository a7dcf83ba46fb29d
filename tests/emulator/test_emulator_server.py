"""The served emulator: HTTP/1.1 keep-alive, refused bodies, and `shiftctl emulator serve`."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import yaml
from emulator_helpers import API, ok

from reconciler.emulator import DEFAULT_APP_ID, DEFAULT_APP_SECRET

TOKEN = "/open-apis/auth/v3/tenant_access_token/internal"


def _connection(base_url: str) -> http.client.HTTPConnection:
    parts = urlsplit(base_url)
    return http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)


def test_one_connection_carries_many_requests(served_emulator: Any) -> None:
    conn = _connection(served_emulator.base_url)
    credentials = json.dumps({"app_id": DEFAULT_APP_ID, "app_secret": DEFAULT_APP_SECRET})
    conn.request("POST", TOKEN, body=credentials)
    first = conn.getresponse()
    token = json.loads(first.read())["tenant_access_token"]
    sock = conn.sock
    assert first.version == 11
    assert not first.will_close
    for _ in range(3):
        conn.request("GET", f"{API}/shifts", headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        assert json.loads(response.read())["code"] == 0
        assert conn.sock is sock  # the same socket: kept alive
    # Errors whose body was never needed still leave the connection usable.
    conn.request("POST", "/nowhere", body=b"x" * 5000)
    missing = conn.getresponse()
    assert (missing.status, json.loads(missing.read())["code"]) == (404, 1220001)
    conn.request("GET", f"{API}/shifts", headers={"Authorization": f"Bearer {token}"})
    assert json.loads(conn.getresponse().read())["code"] == 0
    assert conn.sock is sock
    conn.close()


def test_a_too_large_body_is_refused_and_the_connection_closed(served_emulator: Any) -> None:
    conn = _connection(served_emulator.base_url)
    conn.request("POST", f"{API}/shifts", body=b"{" + b" " * (1024 * 1024 + 10) + b"}")
    response = conn.getresponse()
    body = json.loads(response.read())
    assert (response.status, body["code"]) == (400, 1220001)
    assert "too large" in body["msg"]
    conn.close()


def test_serve_command_serves_the_seed(tmp_path: Path) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text(yaml.safe_dump({"users": [{"employee_id": "u1", "name": "张三"}]}))
    db = tmp_path / "state" / "emulator.sqlite3"
    env = {**os.environ, "SHIFTCTL_EMULATOR_APP_SECRET": "from-env"}
    command = [
        sys.executable,
        "-m",
        "reconciler",
        "emulator",
        "serve",
        "--port",
        "0",
        "--db",
        str(db),
        "--seed",
        str(seed),
        "--rate-limit",
        "0",
    ]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        match = re.search(r"serving on (http://\S+)", line)
        assert match, line
        assert "from-env" not in line
        with httpx.Client(base_url=match.group(1)) as client:
            refused = client.post(
                TOKEN, json={"app_id": DEFAULT_APP_ID, "app_secret": DEFAULT_APP_SECRET}
            )
            assert refused.json()["code"] == 10014
            token = client.post(
                TOKEN, json={"app_id": DEFAULT_APP_ID, "app_secret": "from-env"}
            ).json()
            client.headers["Authorization"] = f"Bearer {token['tenant_access_token']}"
            body = {"user_ids": ["u1"], "check_time_from": "0", "check_time_to": "1"}
            ok(client.post(f"{API}/user_flows/query?employee_type=employee_id", json=body))
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert db.exists()


def test_serve_command_plays_the_dialect_and_knobs_asked_for(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "reconciler", "emulator", "serve", "--port", "0",
               "--db", ":memory:", "--dialect", "legacy", "--monthly-quota", "5",
               "--no-need-inverted-on-read", "--update-merges",
               "--idempotent-replay", "error"]  # fmt: skip
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        assert "legacy dialect" in line
        match = re.search(r"serving on (http://\S+)", line)
        assert match, line
        knobs = ok(httpx.get(f"{match.group(1)}/_emulator/faults"))
        assert {k: knobs[k] for k in ("dialect", "monthly_quota", "idempotent_replay")} == {
            "dialect": "legacy",
            "monthly_quota": 5,
            "idempotent_replay": "error",
        }
        assert knobs["no_need_inverted_on_read"] is True
        assert knobs["update_merges"] is True
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=10)
    assert process.returncode == 0, err


def test_serve_command_reports_a_bad_seed(tmp_path: Path) -> None:
    from reconciler.cli import main

    seed = tmp_path / "seed.yaml"
    seed.write_text("groups:\n  - id: g\n    members: [ghost]\n")
    code = main(["emulator", "serve", "--db", ":memory:", "--seed", str(seed)])
    assert code == 1
    seed.write_text("- not a mapping\n")
    assert main(["emulator", "serve", "--db", ":memory:", "--seed", str(seed)]) == 1
    seed.write_text("users: " + "[" * 5000 + "]" * 5000)
    assert main(["emulator", "serve", "--db", ":memory:", "--seed", str(seed)]) == 1


def test_a_truncated_body_gets_an_envelope(served_emulator: Any) -> None:
    request = (
        b"POST /open-apis/attendance/v1/shifts HTTP/1.1\r\nHost: x\r\n"
        b'Content-Length: 100\r\n\r\n{"shift_name"'
    )
    head, _, body = _raw_exchange(served_emulator.base_url, request, half_close=True).partition(
        b"\r\n\r\n"
    )
    assert head.startswith(b"HTTP/1.1 400")
    assert json.loads(body)["code"] == 1220001


def _raw_exchange(base_url: str, data: bytes, *, half_close: bool = False) -> bytes:
    parts = urlsplit(base_url)
    with socket.create_connection((parts.hostname or "", parts.port or 0), timeout=10) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_malformed_http_gets_an_envelope_and_no_traceback(served_emulator: Any, capfd: Any) -> None:
    for garbage in (
        b"GARBAGE\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET /" + b"a" * 70000 + b"\r\n",
    ):
        head, _, body = _raw_exchange(served_emulator.base_url, garbage).partition(b"\r\n\r\n")
        assert head.split()[1] in (b"400", b"414", b"505"), head
        assert json.loads(body)["code"] == 1220001
    # A client that goes away mid-headers.
    _raw_exchange(
        served_emulator.base_url, b"POST /x HTTP/1.1\r\nContent-Length: 5\r\n", half_close=True
    )
    with httpx.Client(base_url=served_emulator.base_url) as client:
        assert client.get("/_emulator/stats").json()["code"] == 0
    assert "Traceback" not in capfd.readouterr().err


def test_serve_command_refuses_bad_settings(capfd: Any) -> None:
    from reconciler.cli import main

    assert main(["emulator", "serve", "--db", ":memory:", "--latency-ms", "100000"]) == 1
    assert main(["emulator", "serve", "--db", ":memory:", "--host", "256.0.0.1"]) == 1
    err = capfd.readouterr().err
    assert "latency_ms" in err
    assert "cannot listen" in err
    assert "Traceback" not in err
