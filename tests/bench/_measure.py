"""How the engine benchmarks measure: plan phases, a bare HTTP floor, a child's peak memory."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from _tenant import PAGE_SIZE, Tenant

from reconciler import commands
from reconciler.config import Settings
from reconciler.feishu.client import FeishuClient
from reconciler.model import CurrentShift
from reconciler.plan import Plan

TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal"
LIST_PATH = "/open-apis/attendance/v1/shifts"


class _TimedLister:
    """The real client, noting when the listing starts and ends (make_plan's middle phase)."""

    def __init__(self, client: FeishuClient) -> None:
        self.client = client
        self.started = self.ended = 0.0

    def list_shifts(self) -> Iterator[CurrentShift]:
        self.started = time.perf_counter()
        yield from self.client.list_shifts()
        self.ended = time.perf_counter()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


@dataclass(frozen=True, slots=True)
class PlanRun:
    """One ``commands.make_plan`` and its phases: read the files, list the tenant, compare."""

    plan: Plan
    total: float
    files: float
    listing: float
    compare: float

    @property
    def remote(self) -> float:
        """Everything after the files are read: what the latency/rate bound describes."""
        return self.listing + self.compare


def run_plan(settings: Settings) -> PlanRun:
    """``commands.connect`` + ``commands.make_plan``, as ``shiftctl plan --no-usage`` runs them.

    The bound measured here is the listing's; reading the attendance groups adds
    ⌈G/50⌉ + G calls of its own (docs/engine.md), counted and reported by the plan.
    """
    started = time.perf_counter()
    with commands.connect(settings) as client:
        lister = _TimedLister(client)
        plan = commands.make_plan(settings, lister, usage=False)
        ended = time.perf_counter()
    return PlanRun(
        plan=plan,
        total=ended - started,
        files=lister.started - started,
        listing=lister.ended - lister.started,
        compare=ended - lister.ended,
    )


def bare_listing(tenant: Tenant) -> float:
    """The same calls as a plan (one token, every page) by a bare httpx loop: the floor here.

    The plan makes one token call before its pages (a fresh process holds no
    token), so the floor makes it too: the two are compared call for call.
    """
    time.sleep(1.1)  # a fresh rate-limit window, so the plan's last calls do not count here
    with httpx.Client(base_url=tenant.base_url) as http:
        started = time.perf_counter()
        body = {"app_id": tenant.app_id, "app_secret": tenant.app_secret}
        token = http.post(TOKEN_PATH, json=body).json()["tenant_access_token"]
        http.headers["Authorization"] = f"Bearer {token}"
        params = {"page_size": str(PAGE_SIZE)}
        while True:
            data = http.get(LIST_PATH, params=params).json()["data"]
            if not data.get("has_more"):
                return time.perf_counter() - started
            params["page_token"] = data["page_token"]


@dataclass(frozen=True, slots=True)
class PlanSeries:
    """Plans run one after another against one tenant, each beside a bare listing of it."""

    runs: tuple[PlanRun, ...]
    calls: tuple[dict[str, int], ...]  # what the emulator saw during each plan
    bare: tuple[float, ...]

    @property
    def typical(self) -> PlanRun:
        """The run with the median time for everything after the files (list + compare)."""
        return sorted(self.runs, key=lambda r: r.remote)[len(self.runs) // 2]

    @property
    def bare_median(self) -> float:
        return statistics.median(self.bare)


def plan_series(settings: Settings, tenant: Tenant, runs: int) -> PlanSeries:
    """``runs`` plans, each followed by a bare listing: side by side, so load hits both alike."""
    plans, calls, bare = [], [], []
    for _ in range(runs):
        time.sleep(1.1)  # a fresh rate-limit window for every run
        tenant.reset_stats()
        plans.append(run_plan(settings))
        calls.append({name: c["requests"] for name, c in tenant.stats().items()})
        bare.append(bare_listing(tenant))
    return PlanSeries(tuple(plans), tuple(calls), tuple(bare))


# Linux keeps a process's peak RSS across exec, and a child forked from this large test
# process starts out with its pages; so the command runs under a small launcher, whose
# RUSAGE_CHILDREN then holds the command's own peak.
_LAUNCHER = """\
import resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as out:
    out.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


@dataclass(frozen=True, slots=True)
class ChildRun:
    returncode: int
    peak_rss_bytes: int
    seconds: float
    stdout: str
    stderr: str


def run_measured(command: Sequence[str], cwd: Path, env: Mapping[str, str]) -> ChildRun:
    """Run ``command`` in its own process; its peak RSS from ``getrusage(RUSAGE_CHILDREN)``."""
    peak_file = cwd / ".peak-rss-kib"
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, str(peak_file), *command],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    peak_kib = int(peak_file.read_text(encoding="utf-8"))  # Linux reports KiB
    return ChildRun(done.returncode, peak_kib * 1024, seconds, done.stdout, done.stderr)
