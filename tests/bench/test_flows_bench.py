"""Benchmark: `flows import` of 10,000 rows sends 200 batches at ≥ 90 % of the 50/s rate limit.

The emulator is served over HTTP by `shiftctl emulator serve` in its own process
(its documented 50 requests/s per endpoint); the import runs here with the
client's default pacing. Run with: pytest -m bench tests/bench/test_flows_bench.py -s
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from reconciler.emulator import DEFAULT_APP_ID, DEFAULT_APP_SECRET
from reconciler.feishu.connect import open_client
from reconciler.flows import InputFile, check_file, good_rows, send_rows
from reconciler.secret import Secret

ROWS = 10_000
USERS = 200
RATE = 50
TARGET = 0.9


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """`shiftctl emulator serve` on a free port, seeded with USERS people; yields its URL."""
    seed = tmp_path / "seed.json"
    users = [{"employee_id": f"u{i}", "name": f"User {i}"} for i in range(USERS)]
    seed.write_text(json.dumps({"users": users}), encoding="utf-8")
    command = [sys.executable, "-m", "reconciler", "emulator", "serve", "--port", "0",
               "--db", ":memory:", "--rate-limit", str(RATE), "--seed", str(seed)]  # fmt: skip
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True) as server:
        try:
            assert server.stderr is not None
            line = server.stderr.readline()
            found = re.search(r"serving on (http://\S+)", line)
            assert found, f"the emulator did not start: {line!r}"
            yield found.group(1)
        finally:
            server.terminate()
            server.wait(timeout=10)


def write_rows(path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("user_id,check_time,location_name,comment\n")
        for i in range(ROWS):
            out.write(f"u{i % USERS},{1709514000 + 60 * i},HQ,row {i}\n")


@pytest.mark.bench
def test_10000_rows_go_out_as_200_batches_near_the_rate_limit(served: str, tmp_path: Path) -> None:
    path = tmp_path / "punches.csv"
    write_rows(path)
    source = InputFile(path, "csv", path.name)
    check = check_file(source)
    assert check.good == ROWS
    with open_client(
        endpoint=served,
        app_id=DEFAULT_APP_ID,
        app_secret=Secret(DEFAULT_APP_SECRET),
        rate_limit=RATE,
    ) as client:
        client.query_flows(["u0"], 1709514000, 1709514001)  # token fetched before timing
        start = time.perf_counter()
        summary = send_rows(client, good_rows(source, frozenset()), employee_type="employee_id")
        seconds = time.perf_counter() - start
        stats = client.stats
    with httpx.Client(base_url=served) as admin:
        server_stats = admin.get("/_emulator/stats").json()["data"]["endpoints"]
    creates = stats["user_flow.batch_create"]
    rate = summary.batches / seconds
    report = {
        "rows": ROWS,
        "batches": summary.batches,
        "seconds": round(seconds, 3),
        "batches_per_second": round(rate, 2),
        "share_of_rate_limit": round(rate / RATE, 3),
        "create_requests": creates.requests,
        "create_retries": creates.retries,
        "rate_limited_429": sum(s.rate_limited for s in stats.values()),
        "lookup_requests": stats["user_flow.query"].requests - 1,
        "server": {k: v for k, v in server_stats.items() if k.startswith("user_flow")},
    }
    print()
    print(f"{'rows':>8} {'batches':>8} {'seconds':>8} {'batch/s':>8} {'of limit':>9} {'429s':>5}")
    print(f"{ROWS:>8} {summary.batches:>8} {seconds:>8.2f} {rate:>8.2f} "
          f"{rate / RATE:>8.1%} {report['rate_limited_429']:>5}")  # fmt: skip
    print(json.dumps(report, indent=2))
    assert (summary.imported, summary.batches, summary.complete) == (ROWS, ROWS // 50, True)
    assert rate >= TARGET * RATE, report
