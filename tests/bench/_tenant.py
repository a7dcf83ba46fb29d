"""The engine benchmarks' tenant: generated shifts, and ``shiftctl emulator serve`` in a process.

The emulator runs in a separate process so that its request handling never competes with the
measured client for the interpreter lock, and so a memory measurement sees the client alone.
Shifts are seeded through the emulator's seed document, never through the timed path.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from reconciler.emulator import DEFAULT_APP_ID, DEFAULT_APP_SECRET

LATENCY_MS = 20.0
JITTER_MS = 5.0
RATE = 50
PAGE_SIZE = 50


def shift_body(index: int, *, late: int = 5) -> dict[str, Any]:
    """Shift ``index`` as Feishu's create body: one segment, a lunch break, six start hours."""
    hour = 6 + index % 6
    return {
        "shift_name": f"Bench {index:05d}",
        "punch_times": 1,
        "punch_time_rule": [
            {
                "on_time": f"{hour:02d}:00",
                "off_time": f"{hour + 9:02d}:00",
                "late_minutes_as_late": late,
                "late_minutes_as_lack": 60,
                "on_advance_minutes": 60,
                "early_minutes_as_early": 5,
                "early_minutes_as_lack": 60,
                "off_delay_minutes": 120,
            }
        ],
        "rest_time_rule": [{"rest_begin_time": "12:00", "rest_end_time": "12:30"}],
    }


def shift_yaml(body: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(body), sort_keys=False, allow_unicode=True)


def write_shift_files(folder: Path, bodies: Iterable[Mapping[str, Any]]) -> int:
    """One YAML file per shift under ``folder`` (created); returns how many were written."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for body in bodies:
        name = str(body["shift_name"]).replace(" ", "-")
        (folder / f"{name}.yaml").write_text(shift_yaml(body), encoding="utf-8")
        count += 1
    return count


@dataclass(frozen=True, slots=True)
class Tenant:
    """A served emulator: its URL, the credentials it accepts, and its admin statistics."""

    base_url: str
    app_id: str = DEFAULT_APP_ID
    app_secret: str = DEFAULT_APP_SECRET

    def env(self) -> dict[str, str]:
        return {"FEISHU_APP_ID": self.app_id, "FEISHU_APP_SECRET": self.app_secret}

    def stats(self) -> dict[str, dict[str, int]]:
        """Per-endpoint counts the emulator saw (only endpoints with requests)."""
        with httpx.Client(base_url=self.base_url) as admin:
            endpoints = admin.get("/_emulator/stats").json()["data"]["endpoints"]
        return {name: counts for name, counts in endpoints.items() if counts["requests"]}

    def reset_stats(self) -> None:
        with httpx.Client(base_url=self.base_url) as admin:
            admin.delete("/_emulator/stats").raise_for_status()


@contextmanager
def served_tenant(
    folder: Path,
    shifts: Sequence[Mapping[str, Any]],
    *,
    latency_ms: float = LATENCY_MS,
    jitter_ms: float = JITTER_MS,
    rate: int = RATE,
) -> Iterator[Tenant]:
    """``shiftctl emulator serve`` on a free port with ``shifts`` seeded; stopped on exit."""
    seed = folder / "seed.json"
    seed.write_text(json.dumps({"shifts": list(shifts)}, ensure_ascii=False), encoding="utf-8")
    command = [
        sys.executable, "-m", "reconciler", "emulator", "serve",
        "--port", "0", "--db", ":memory:", "--seed", str(seed), "--random-seed", "7",
        "--latency-ms", str(latency_ms), "--jitter-ms", str(jitter_ms), "--rate-limit", str(rate),
    ]  # fmt: skip
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True, cwd=folder) as server:
        try:
            assert server.stderr is not None
            line = server.stderr.readline()
            found = re.search(r"serving on (http://\S+)", line)
            assert found, f"the emulator did not start: {line!r}"
            # Drained so that anything the server logs can never fill the pipe and stall it.
            threading.Thread(target=server.stderr.read, daemon=True).start()
            yield Tenant(found.group(1))
        finally:
            server.terminate()
            server.wait(timeout=10)
