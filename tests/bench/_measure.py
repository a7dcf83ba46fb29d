"""How the engine benchmarks measure: plan phases, a bare HTTP floor, a child's peak memory,
and two CPU-bound processes to measure beside."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from _tenant import PAGE_SIZE, RATE, Tenant

from reconciler import commands
from reconciler.config import Settings
from reconciler.feishu.client import FeishuClient
from reconciler.feishu.envelope import reset_seconds
from reconciler.feishu.pacing import RateLimiter
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


RATE_LIMITED = 99991400


class BareLoopError(AssertionError):
    """The bare loop met an answer other than success or a 429: its time would be no floor."""


def _bare_call(
    http: httpx.Client,
    limiter: RateLimiter,
    key: str,
    method: str,
    path: str,
    **kwargs: Any,
) -> dict[str, Any]:
    """One call paced as the client paces it; a 429 waits out its reset and goes again."""
    while True:
        limiter.acquire(key)
        response = http.request(method, path, **kwargs)
        body = response.json()
        if body.get("code") == 0 and response.is_success:
            return dict(body)
        if body.get("code") != RATE_LIMITED:
            raise BareLoopError(f"{method} {path}: HTTP {response.status_code} {body}")
        limiter.hold(key, reset_seconds(response.headers))


def bare_listing(tenant: Tenant, rate: float = RATE) -> float:
    """The same calls as a plan (one token, every page) by a bare httpx loop: the floor here.

    The plan makes one token call before its pages (a fresh process holds no
    token), so the floor makes it too: the two are compared call for call. Every
    answer's code is checked, and the loop is paced as the client paces (the
    client's own limiter), so a 429 costs it what it costs the client instead of
    ending the listing early.
    """
    time.sleep(1.1)  # a fresh rate-limit window, so the plan's last calls do not count here
    limiter = RateLimiter(rate)
    with httpx.Client(base_url=tenant.base_url) as http:
        started = time.perf_counter()
        body = {"app_id": tenant.app_id, "app_secret": tenant.app_secret}
        answer = _bare_call(http, limiter, "auth", "POST", TOKEN_PATH, json=body)
        http.headers["Authorization"] = f"Bearer {answer['tenant_access_token']}"
        params = {"page_size": str(PAGE_SIZE)}
        while True:
            data = _bare_call(http, limiter, "list", "GET", LIST_PATH, params=params)["data"]
            if not data.get("has_more"):
                return time.perf_counter() - started
            params["page_token"] = data["page_token"]


@contextmanager
def cpu_load(processes: int = 2) -> Iterator[int]:
    """``processes`` CPU-bound Python processes beside the measured code; killed on exit."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(processes)]
    try:
        time.sleep(0.2)  # running, not starting
        yield processes
    finally:
        for hog in hogs:
            hog.kill()
        for hog in hogs:
            hog.wait(timeout=10)


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


@dataclass(frozen=True, slots=True)
class ProcessSeries:
    """Whole ``shiftctl plan`` processes, each beside a bare listing of the same tenant."""

    seconds: tuple[float, ...]
    bare: tuple[float, ...]
    calls: tuple[dict[str, int], ...]


def process_plan_series(
    command: Sequence[str], cwd: Path, env: Mapping[str, str], tenant: Tenant, runs: int
) -> ProcessSeries:
    """``runs`` plan processes (start-up included), each followed by a bare listing."""
    seconds, bare, calls = [], [], []
    for _ in range(runs):
        time.sleep(1.1)  # a fresh rate-limit window for every run
        tenant.reset_stats()
        started = time.perf_counter()
        done = subprocess.run(
            list(command), cwd=cwd, env=dict(env), capture_output=True, text=True, check=False
        )
        seconds.append(time.perf_counter() - started)
        assert done.returncode == 0, done.stdout + done.stderr
        calls.append({name: c["requests"] for name, c in tenant.stats().items()})
        bare.append(bare_listing(tenant))
    return ProcessSeries(tuple(seconds), tuple(bare), tuple(calls))
