"""What reading the blast radius costs: calls and time for G attendance groups on the served
emulator with latency and the 50/s limit per endpoint.

Reading who uses a shift makes ⌈G/50⌉ list pages and G group reads (members come from
``bind_user_ids``; no group here binds a department or is a rota group). The group reads run
``concurrency`` at once, so the 50/s limit of ``group.get`` is the bound: G / 50 seconds.
Run with: pytest -m bench tests/bench/test_usage_bench.py -s
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import httpx
import pytest
from _report import record, table
from _tenant import JITTER_MS, LATENCY_MS, PAGE_SIZE, RATE, served_tenant, shift_body

from reconciler import commands
from reconciler.config import load_settings
from reconciler.usage import read_usage

TARGET = 1.25


@pytest.mark.bench
@pytest.mark.parametrize("groups", [100, 1000])
def test_reading_usage_costs_one_call_per_group_at_the_rate_limit(
    groups: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with served_tenant(tmp_path, [shift_body(0)]) as tenant:
        with httpx.Client(base_url=tenant.base_url) as admin:
            seeded = admin.post(
                "/_emulator/seed",
                json={
                    "users": [{"employee_id": f"u{i}"} for i in range(groups)],
                    "groups": [
                        {"id": f"g{i:05d}", "members": [f"u{i}"], "shifts": {"mon": "Bench 00000"}}
                        for i in range(groups)
                    ],
                },
            )
            seeded.raise_for_status()
        for name, value in tenant.env().items():
            monkeypatch.setenv(name, value)
        settings = load_settings(endpoint=tenant.base_url, cwd=tmp_path)
        with commands.connect(settings) as client:
            shift_id = next(iter(client.list_shifts())).shift_id
            tenant.reset_stats()
            started = time.perf_counter()
            usage = read_usage(client, {shift_id}, concurrency=settings.concurrency)
            seconds = time.perf_counter() - started
        calls = tenant.stats()
    pages = math.ceil(groups / PAGE_SIZE)
    bound = max(groups / RATE, (pages + groups) * LATENCY_MS / 1000 / settings.concurrency)
    report = {
        "groups": groups,
        "latency_ms": LATENCY_MS,
        "jitter_ms": JITTER_MS,
        "rate_limit": RATE,
        "concurrency": settings.concurrency,
        "calls_reported": usage.info.calls,
        "calls_by_endpoint": {name: c["requests"] for name, c in calls.items()},
        "rate_limited": sum(c["rate_limited"] for c in calls.values()),
        "seconds": round(seconds, 3),
        "bound_s": round(bound, 3),
        "over_bound": round(seconds / bound, 3),
        "target": f"⌈G/50⌉ + G calls; ≤ {TARGET} × G / {RATE} s",
    }
    print()
    print(
        table(
            f"usage over {groups} groups ({LATENCY_MS:g} ± {JITTER_MS:g} ms, {RATE}/s)",
            ["measure", "value"],
            [
                ["group.list calls", calls["group.list"]["requests"]],
                ["group.get calls", calls["group.get"]["requests"]],
                ["calls the plan reports", usage.info.calls],
                ["seconds", seconds],
                ["bound (G / rate) s", bound],
            ],
        )
    )
    print(f"report: {record(f'usage_{groups}', report)}")
    requests = sum(c["requests"] for c in calls.values())
    assert len(usage.by_shift[shift_id]) == groups
    assert calls["group.list"]["succeeded"] == pages
    assert calls["group.get"]["succeeded"] == groups
    assert set(calls) == {"group.list", "group.get"}
    assert usage.info.calls == requests  # every request counted, a throttled one too
    assert report["rate_limited"] <= 0.01 * requests, report
    assert seconds <= TARGET * bound, report
