"""Benchmarks of plan and apply against the served emulator with latency and the 50/s limit.

The engine's performance targets, asserted here (docs/benchmarks.md states and explains
each). Every test prints a table and adds a section to the JSON report
(``_report.report_path()``).
Run with: pytest -m bench tests/bench/test_engine_bench.py -s
"""

from __future__ import annotations

import math
import os
import random
import statistics
import sys
import time
from collections import Counter
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest
from _measure import cpu_load, plan_series, process_plan_series, run_measured, run_plan
from _naive_sdk import naive_sync
from _report import Check, Table, pacing_checks, record, table
from _tenant import (
    JITTER_MS,
    LATENCY_MS,
    PAGE_SIZE,
    RATE,
    Tenant,
    served_tenant,
    shift_body,
    write_shift_files,
)

from reconciler import commands
from reconciler.apply import apply_plan
from reconciler.config import Settings, load_settings

# List + compare is part of the whole plan process, whose target (issue 16) is 1.3 × the
# same bound with start-up and the files included; the older 1.2 for this part alone is
# superseded by it.
PLAN_TARGET = 1.3
APPLY_SHARE = 0.97  # of the busiest endpoint's rate limit, beside two CPU hogs too
PROCESS_TARGETS = {300: 2.0, 2000: 1.3}  # whole plan process ÷ its bound, by N
SDK_TARGET = 20.0
MEMORY_LIMIT_BYTES = 200_000_000
SDK_SAMPLE = int(os.environ.get("SHIFTCTL_BENCH_SDK_SAMPLE", "200"))
CHANGED_EVERY = 50  # one desired shift in 50 differs from the tenant
NEW_SHIFTS = 5  # files the tenant does not have yet
RUNS = 5  # plans per measurement; the median is reported and asserted


def desired_bodies(n: int) -> list[dict[str, Any]]:
    """The tenant's ``n`` shifts as files, every 50th with another late threshold, plus 5 new."""
    bodies = [shift_body(i, late=10 if i % CHANGED_EVERY == 7 else 5) for i in range(n)]
    return bodies + [shift_body(n + i) for i in range(NEW_SHIFTS)]


def prepare(
    root: Path, tenant: Tenant, bodies: list[dict[str, Any]], mp: pytest.MonkeyPatch
) -> Settings:
    """A repository folder with the shift files; credentials from the environment, as in CI."""
    repo = root / "repo"
    write_shift_files(repo / "shifts", bodies)
    for name, value in tenant.env().items():
        mp.setenv(name, value)
    return load_settings(endpoint=tenant.base_url, cwd=repo)


@pytest.mark.bench
@pytest.mark.parametrize("n", [500, 2000])
def test_plan_lists_each_page_once_within_the_latency_bound(
    n: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with served_tenant(tmp_path, [shift_body(i) for i in range(n)]) as tenant:
        settings = prepare(tmp_path, tenant, desired_bodies(n), monkeypatch)
        series = plan_series(settings, tenant, RUNS)
    run, bare, pages = series.typical, series.bare_median, math.ceil(n / PAGE_SIZE)
    nominal = max(pages * LATENCY_MS / 1000, pages / RATE)
    # The latency a client sees is the knob plus the emulator's own time per page, which a
    # bare HTTP loop over the same pages measures (side by side, so load hits both alike).
    bound = max(bare, pages / RATE)
    report = {
        "remote_shifts": n,
        "desired_shifts": n + NEW_SHIFTS,
        "latency_ms": LATENCY_MS,
        "jitter_ms": JITTER_MS,
        "rate_limit": RATE,
        "runs": RUNS,
        "summary": run.plan.summary(),
        "calls_per_run": list(series.calls),
        "median_run_s": {
            "total": round(run.total, 3),
            "read_files": round(run.files, 3),
            "listing": round(run.listing, 3),
            "compare": round(run.compare, 3),
            "list_and_compare": round(run.remote, 3),
        },
        "list_and_compare_s": [round(r.remote, 3) for r in series.runs],
        "bare_httpx_listing_s": [round(b, 3) for b in series.bare],
        "nominal_bound_s": round(nominal, 3),
        "bound_s": round(bound, 3),
        "over_nominal_bound": round(run.remote / nominal, 3),
        "over_bound": round(run.remote / bound, 3),
        "target": f"list + compare ≤ {PLAN_TARGET} × max(bare listing, pages / rate); "
        f"{pages} list calls and ≤ 1 token call per plan",
    }
    print()
    shown = Table(
        f"plan over {n} remote shifts ({LATENCY_MS:g} ± {JITTER_MS:g} ms, {RATE}/s), "
        f"median of {RUNS}",
        ["phase", "seconds", "× bound", "× nominal"],
        [
            ["read files", run.files, run.files / bound, run.files / nominal],
            ["list", run.listing, run.listing / bound, run.listing / nominal],
            ["compare", run.compare, run.compare / bound, run.compare / nominal],
            ["list + compare", run.remote, run.remote / bound, run.remote / nominal],
            ["total", run.total, run.total / bound, run.total / nominal],
            ["bare httpx list = bound", bound, 1.0, bound / nominal],
            [f"nominal: {pages} pages × {LATENCY_MS:g} ms", nominal, nominal / bound, 1.0],
        ],
    )
    print(shown.text())
    checks = [
        Check(
            f"plan list + compare at N = {n}, × max(bare listing, pages / rate)",
            round(run.remote / bound, 3),
            f"≤ {PLAN_TARGET}",
            run.remote <= PLAN_TARGET * bound,
        )
    ]
    print(f"report: {record(f'plan_{n}', report, table=shown, checks=checks)}")
    changed = len([i for i in range(n) if i % CHANGED_EVERY == 7])
    assert run.plan.summary()["update"] == changed
    assert run.plan.summary()["create"] == NEW_SHIFTS
    for calls in series.calls:
        assert calls["shift.list"] == pages, calls
        assert calls.get("auth.tenant_access_token", 0) <= 1, calls
        assert set(calls) <= {"shift.list", "auth.tenant_access_token"}, calls
    assert run.remote <= PLAN_TARGET * bound, report


APPLY_REMOTE = 500
APPLY_UPDATES = 100
APPLY_CREATES = 100
_ENDPOINT_OF = {"create": "shift.create", "update": "shift.create", "delete": "shift.delete"}


def _apply_once(root: Path, mp: pytest.MonkeyPatch, *, loaded: bool) -> dict[str, Any]:
    """One apply of 100 creates + 100 updates on a fresh tenant, beside two CPU hogs or not."""
    remote = [shift_body(i) for i in range(APPLY_REMOTE)]
    desired = [shift_body(i, late=10 if i < APPLY_UPDATES else 5) for i in range(APPLY_REMOTE)]
    desired += [shift_body(APPLY_REMOTE + i) for i in range(APPLY_CREATES)]
    root.mkdir()
    with served_tenant(root, remote) as tenant:
        settings = prepare(root, tenant, desired, mp)
        with commands.connect(settings) as client:
            plan = commands.make_plan(settings, client)
            tenant.reset_stats()
            with cpu_load(2) if loaded else nullcontext(0) as hogs:
                started = time.perf_counter()
                result = apply_plan(plan, client, concurrency=settings.concurrency)
                seconds = time.perf_counter() - started
            calls = tenant.stats()
            retries = sum(s.retries for s in client.stats.values())
            again = commands.make_plan(settings, client)
    per_endpoint = Counter(_ENDPOINT_OF[change.action] for change in plan.changes)
    busiest, operations = per_endpoint.most_common(1)[0]
    bound = operations / RATE
    return {
        "cpu_bound_processes_beside": hogs,
        "changes": plan.summary(),
        "concurrency": settings.concurrency,
        "busiest_endpoint": busiest,
        "busiest_operations": operations,
        "bound_s": bound,
        "seconds": round(seconds, 3),
        "over_bound": round(seconds / bound, 3),
        "share_of_rate_limit": round(bound / seconds, 3),
        "operations_per_second": round(len(plan.changes) / seconds, 2),
        "outcomes": {s: result.count(s) for s in ("applied", "failed", "skipped")},
        "requests": sum(c["requests"] for c in calls.values()),
        "rate_limited_429": sum(c["rate_limited"] for c in calls.values()),
        "client_retries": retries,
        "calls": {name: c["requests"] for name, c in calls.items()},
        "not_applied": [o.status for o in result.outcomes if o.status != "applied"],
        "changes_left": again.summary() if again.has_changes else None,
    }


@pytest.mark.bench
def test_apply_runs_at_the_rate_limit_of_its_busiest_endpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    quiet = _apply_once(tmp_path / "quiet", monkeypatch, loaded=False)
    loaded = _apply_once(tmp_path / "loaded", monkeypatch, loaded=True)
    target = f"≥ {APPLY_SHARE:.0%} of the busiest endpoint's rate limit, zero 429s, no failure"
    report = {**quiet, "beside_two_cpu_bound": loaded, "target": target}
    print()
    shown = Table(
        f"apply of 200 changes ({LATENCY_MS:g} ± {JITTER_MS:g} ms, {RATE}/s)",
        ["run", "seconds", "of limit", "ops/s", "requests", "429s", "failed"],
        [
            [
                "beside 2 CPU hogs" if run["cpu_bound_processes_beside"] else "quiet",
                run["seconds"],
                run["share_of_rate_limit"],
                run["operations_per_second"],
                run["requests"],
                run["rate_limited_429"],
                run["outcomes"]["failed"],
            ]
            for run in (quiet, loaded)
        ]
        + [["bound", quiet["bound_s"], 1, RATE, quiet["busiest_operations"], "", ""]],
    )
    print(shown.text())
    checks = pacing_checks("apply", (quiet, loaded), APPLY_SHARE)
    print(f"report: {record('apply_200', report, table=shown, checks=checks)}")
    for run in (quiet, loaded):
        assert (run["changes"]["create"], run["changes"]["update"]) == (
            APPLY_CREATES,
            APPLY_UPDATES,
        )
        assert run["not_applied"] == [], run
        assert run["changes_left"] is None, run
    assert (quiet["rate_limited_429"], loaded["rate_limited_429"]) == (0, 0), report
    assert quiet["share_of_rate_limit"] >= APPLY_SHARE, report
    assert loaded["share_of_rate_limit"] >= APPLY_SHARE, report


@pytest.mark.bench
@pytest.mark.parametrize("n", sorted(PROCESS_TARGETS))
def test_whole_plan_process_is_within_its_bound(n: int, tmp_path: Path) -> None:
    """``python -m reconciler plan`` as users run it: start-up, files, listing, compare, output."""
    with served_tenant(tmp_path, [shift_body(i) for i in range(n)]) as tenant:
        repo = tmp_path / "repo"
        write_shift_files(repo / "shifts", desired_bodies(n))
        command = [sys.executable, "-m", "reconciler", "--endpoint", tenant.base_url,
                   "--no-color", "plan", "--no-usage"]  # fmt: skip
        series = process_plan_series(command, repo, {**os.environ, **tenant.env()}, tenant, RUNS)
    pages, limit = math.ceil(n / PAGE_SIZE), PROCESS_TARGETS[n]
    rate_bound = pages / RATE
    # The bound is max(pages × latency, pages / rate), the latency as the bare listing
    # beside each run measures it; at 50 a page and 20 ms of latency the listing's
    # round trips are the larger term.
    bounds = [max(b, rate_bound) for b in series.bare]
    over = sorted(s / b for s, b in zip(series.seconds, bounds, strict=True))
    report = {
        "remote_shifts": n,
        "desired_shifts": n + NEW_SHIFTS,
        "latency_ms": LATENCY_MS,
        "jitter_ms": JITTER_MS,
        "rate_limit": RATE,
        "runs": RUNS,
        "command": "python -m reconciler --endpoint URL --no-color plan --no-usage",
        "process_s": [round(s, 3) for s in series.seconds],
        "bare_httpx_listing_s": [round(b, 3) for b in series.bare],
        "pages_over_rate_s": round(rate_bound, 3),
        "calls_per_run": list(series.calls),
        "over_bound_per_run": [round(r, 3) for r in over],
        "over_bound": round(statistics.median(over), 3),
        "target": f"median of process ÷ max(bare listing, pages / rate) ≤ {limit}",
    }
    print()
    shown = Table(
        f"whole plan process over {n} remote shifts ({LATENCY_MS:g} ± {JITTER_MS:g} ms, "
        f"{RATE}/s), {RUNS} runs side by side",
        ["run", "process s", "bare listing s", "× bound"],
        [
            [str(i + 1), s, b, s / max(b, rate_bound)]
            for i, (s, b) in enumerate(zip(series.seconds, series.bare, strict=True))
        ]
        + [["median", *(statistics.median(v) for v in (series.seconds, series.bare, over))]],
    )
    print(shown.text())
    checks = [
        Check(
            f"whole plan process at N = {n}, × max(bare listing, pages / rate)",
            round(statistics.median(over), 3),
            f"≤ {limit}",
            statistics.median(over) <= limit,
        )
    ]
    print(f"report: {record(f'plan_process_{n}', report, table=shown, checks=checks)}")
    for calls in series.calls:
        assert calls["shift.list"] == pages, calls
        assert calls.get("auth.tenant_access_token", 0) <= 1, calls
    assert statistics.median(over) <= limit, report


SDK_N = 2000


@pytest.mark.bench
def test_plan_is_20x_faster_than_the_sdk_one_shift_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with served_tenant(tmp_path, [shift_body(i) for i in range(SDK_N)]) as tenant:
        settings = prepare(tmp_path, tenant, desired_bodies(SDK_N), monkeypatch)
        plans = []
        for _ in range(RUNS):
            tenant.reset_stats()
            plans.append(run_plan(settings))
            plan_calls = sum(c["requests"] for c in tenant.stats().values())
        run = sorted(plans, key=lambda r: r.total)[RUNS // 2]
        files = sorted(settings.shifts_dir.glob("*.yaml"))
        sample = random.Random(11).sample(files, min(SDK_SAMPLE, len(files)))
        tenant.reset_stats()
        sdk = naive_sync(tenant.base_url, tenant.app_id, tenant.app_secret, sample, RATE)
        calls = tenant.stats()
    sdk_calls = sum(c["requests"] for c in calls.values())
    extrapolated = sdk.seconds * len(files) / len(sample)
    ratio = extrapolated / run.total
    whole = len(sample) == len(files)
    report = {
        "desired_shifts": len(files),
        "remote_shifts": SDK_N,
        "latency_ms": LATENCY_MS,
        "jitter_ms": JITTER_MS,
        "rate_limit": RATE,
        "shiftctl_plan_s": round(run.total, 3),
        "shiftctl_plan_runs_s": [round(r.total, 3) for r in plans],
        "shiftctl_plan_calls": plan_calls,
        "shiftctl_plan_phases_s": {
            "read_files": round(run.files, 3),
            "listing": round(run.listing, 3),
            "compare": round(run.compare, 3),
        },
        "sdk_sample": len(sample),
        "sdk_sample_s": round(sdk.seconds, 3),
        "sdk_seconds_per_shift": round(sdk.seconds / len(sample), 5),
        "sdk_s": round(extrapolated, 3),
        "sdk_extrapolated": not whole,
        "sdk_did": {"create": sdk.creates, "update": sdk.updates, "unchanged": sdk.unchanged},
        "sdk_429": sdk.rate_limited,
        "sdk_calls": {name: c["requests"] for name, c in calls.items()},
        "ratio": round(ratio, 2),
        "target": f"ratio ≥ {SDK_TARGET}",
    }
    how = "measured whole" if whole else f"extrapolated from {len(sample)} of {len(files)}"
    print()
    print(
        table(
            f"{len(files)} shift files against {SDK_N} remote shifts, side by side",
            ["run", "seconds", "calls", "note"],
            [
                ["shiftctl plan", run.total, plan_calls, f"median of {RUNS}"],
                [f"lark-oapi, {len(sample)} shifts", sdk.seconds, sdk_calls, "measured"],
                ["lark-oapi, all shifts", extrapolated, "", how],
            ],
        )
    )
    print(f"shiftctl plan is {ratio:.1f}x faster ({how})")
    print(f"report: {record('plan_vs_sdk_2000', report)}")
    assert sdk.queries == len(sample)
    assert ratio >= SDK_TARGET, report


MEMORY_N = 10_000


@pytest.mark.bench
def test_plan_over_10000_shifts_peaks_under_200_mb(tmp_path: Path) -> None:
    remote = [shift_body(i) for i in range(MEMORY_N)]
    with served_tenant(tmp_path, remote) as tenant:
        repo = tmp_path / "repo"
        write_shift_files(repo / "shifts", remote)
        tenant.reset_stats()
        command = [sys.executable, "-m", "reconciler", "--endpoint", tenant.base_url,
                   "--no-color", "plan"]  # fmt: skip
        child = run_measured(command, repo, {**os.environ, **tenant.env()})
        calls = tenant.stats()
    peak, seconds = child.peak_rss_bytes, child.seconds
    report = {
        "shifts": MEMORY_N,
        "how": "peak RSS of a `python -m reconciler plan` process, from its launcher's "
        "getrusage(RUSAGE_CHILDREN).ru_maxrss; the emulator is another process",
        "peak_rss_bytes": peak,
        "peak_rss_mb": round(peak / 1e6, 1),
        "limit_mb": MEMORY_LIMIT_BYTES / 1e6,
        "seconds": round(seconds, 3),
        "calls": {name: c["requests"] for name, c in calls.items()},
    }
    print()
    print(
        table(
            f"shiftctl plan over {MEMORY_N} shifts (separate process)",
            ["run", "peak RSS MB", "limit MB", "seconds", "list calls"],
            [
                [
                    "shiftctl plan",
                    peak / 1e6,
                    MEMORY_LIMIT_BYTES / 1e6,
                    seconds,
                    calls.get("shift.list", {}).get("requests", 0),
                ]
            ],
        )
    )
    print(f"report: {record('plan_memory_10000', report)}")
    assert child.returncode == 0, child.stdout + child.stderr
    assert "Plan: 0 to create, 0 to update, 0 to delete" in child.stdout
    assert calls["shift.list"]["requests"] == math.ceil(MEMORY_N / PAGE_SIZE)
    assert peak < MEMORY_LIMIT_BYTES, report
