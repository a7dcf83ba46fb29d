"""Concurrency and durability: one name is created once, pages never skip or repeat, crashes
leave no half-written batch."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from emulator_helpers import API, create_shift, ok, shift_body

from reconciler.emulator import EmulatorConfig, create_app


def test_32_concurrent_creates_of_one_name_make_one_shift(
    served_emulator: Any, emulator_token: Any
) -> None:
    barrier = threading.Barrier(32)
    answers: list[tuple[int, int]] = []
    lock = threading.Lock()
    # One client (thread-safe) with a pool of 32 connections: the requests really overlap.
    limits = httpx.Limits(max_connections=32)
    with httpx.Client(base_url=served_emulator.base_url, limits=limits) as client:
        client.headers["Authorization"] = f"Bearer {emulator_token(client)}"

        def create() -> None:
            barrier.wait(timeout=10)
            response = client.post(f"{API}/shifts", json=shift_body("同名"))
            with lock:
                answers.append((response.status_code, response.json()["code"]))

        threads = [threading.Thread(target=create) for _ in range(32)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        listed = ok(client.get(f"{API}/shifts", params={"page_size": 50}))["shift_list"]
    assert sorted(answers) == [(200, 0)] + [(400, 1220600)] * 31  # "the object already exists"
    assert [s["shift_name"] for s in listed] == ["同名"]


def _list_all(client: httpx.Client, size: int, between_pages: Any) -> list[str]:
    seen: list[str] = []
    token: str | None = None
    while True:
        params: dict[str, Any] = {"page_size": size}
        if token:
            params["page_token"] = token
        page = ok(client.get(f"{API}/shifts", params=params))
        assert len(page["shift_list"]) <= size
        seen += [s["shift_name"] for s in page["shift_list"]]
        if not page["has_more"]:
            assert "page_token" not in page
            return seen
        token = page["page_token"]
        between_pages(page["shift_list"])


@pytest.mark.parametrize("size", range(1, 51))
def test_pages_never_skip_or_repeat_under_inserts_and_deletes(
    emulator_api: httpx.Client, size: int
) -> None:
    rng = random.Random(size)
    stable: list[str] = []
    volatile: dict[str, str] = {}  # name → shift_id
    for i in range(45):
        name = f"s{i}"
        (stable.append(name) if i % 3 else volatile.update({name: ""}))
        shift = create_shift(emulator_api, name)
        if name in volatile:
            volatile[name] = shift["shift_id"]
    counter = iter(range(10_000))

    def mutate(page: list[dict[str, Any]]) -> None:
        # Delete the page's last item when it is volatile (the cursor's own row) and one
        # more volatile shift anywhere; add two new ones (one after 40 pages, so it ends).
        n = next(counter)
        last = page[-1]["shift_name"]
        doomed = [last] if last in volatile else []
        if volatile:
            doomed.append(rng.choice(sorted(volatile)))
        for name in dict.fromkeys(doomed):
            ok(emulator_api.delete(f"{API}/shifts/{volatile.pop(name)}"))
        for extra in range(2 if n < 40 else 1):
            name = f"new{n}.{extra}"
            volatile[name] = create_shift(emulator_api, name)["shift_id"]

    seen = _list_all(emulator_api, size, mutate)
    assert len(seen) == len(set(seen)), "an item was repeated"
    assert [n for n in seen if n in set(stable)] == stable, "a stable item was skipped"


def test_pages_hold_under_a_concurrent_writer(served_emulator: Any, emulator_token: Any) -> None:
    with httpx.Client(base_url=served_emulator.base_url) as client:
        client.headers["Authorization"] = f"Bearer {emulator_token(client)}"
        stable = [create_shift(client, f"stable{i}")["shift_name"] for i in range(30)]
        stop = threading.Event()

        def writer() -> None:
            with httpx.Client(base_url=served_emulator.base_url) as w:
                w.headers["Authorization"] = client.headers["Authorization"]
                n = 0
                while not stop.is_set() and n < 5000:
                    shift = create_shift(w, f"churn{n}")
                    ok(w.delete(f"{API}/shifts/{shift['shift_id']}"))
                    n += 1

        thread = threading.Thread(target=writer)
        thread.start()
        try:
            for size in (1, 3, 10, 50):
                seen = _list_all(client, size, lambda page: None)
                assert len(seen) == len(set(seen))
                assert [n for n in seen if n.startswith("stable")] == stable
        finally:
            stop.set()
            thread.join(timeout=30)


_WRITER = textwrap.dedent(
    """
    import sys
    import httpx
    from reconciler.emulator import EmulatorConfig, create_app

    app = create_app(sys.argv[1], config=EmulatorConfig(rate_limit=0),
                     seed={"users": [{"employee_id": "u1"}]})
    client = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://e")
    token = client.post("/open-apis/auth/v3/tenant_access_token/internal",
                        json={"app_id": app.config.app_id,
                              "app_secret": app.config.app_secret}).json()
    client.headers["Authorization"] = "Bearer " + token["tenant_access_token"]
    print("ready", flush=True)
    n = 0
    while True:
        records = [{"user_id": "u1", "creator_id": "u1", "location_name": "x",
                    "comment": "", "check_time": str(1700000000 + n * 50 + i)}
                   for i in range(50)]
        client.post("/open-apis/attendance/v1/user_flows/batch_create?employee_type=employee_id",
                    json={"flow_records": records})
        n += 1
    """
)


@pytest.mark.parametrize("delay", [0.05, 0.2, 0.4])
def test_a_killed_writer_leaves_whole_batches_only(tmp_path: Path, delay: float) -> None:
    db = tmp_path / "crash.sqlite3"
    process = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(db)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        time.sleep(delay)  # let some batches land, then kill mid-stream
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        (count,) = conn.execute("SELECT count(*) FROM flows").fetchone()
    conn.close()
    assert count % 50 == 0


def test_two_apps_on_one_file_still_create_a_name_once(tmp_path: Path, emulator_token: Any) -> None:
    db = tmp_path / "shared.sqlite3"
    config = EmulatorConfig(rate_limit=0)
    with create_app(db, config=config) as first, create_app(db, config=config) as second:
        clients = [
            httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://e")
            for app in (first, second)
        ]
        token = emulator_token(clients[0])
        for client in clients:  # tokens live in the shared file too
            client.headers["Authorization"] = f"Bearer {token}"
        barrier = threading.Barrier(16)
        codes: list[int] = []

        def create(client: httpx.Client) -> None:
            barrier.wait(timeout=10)
            codes.append(client.post(f"{API}/shifts", json=shift_body("共享")).json()["code"])

        threads = [threading.Thread(target=create, args=(clients[i % 2],)) for i in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(codes) == [0] + [1220600] * 15
        for client in clients:
            listed = ok(client.get(f"{API}/shifts"))["shift_list"]
            assert [s["shift_name"] for s in listed] == ["共享"]
            client.close()
