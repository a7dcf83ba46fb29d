"""Reliability of apply: killed at any point, or under injected faults,
a re-run converges with no duplicate and no lost shift, and a plan right after is empty.

The killed apply is the real ``shiftctl`` in a subprocess using the embedded emulator
on a shared SQLite file, so SIGKILL may land in the middle of a write on either side.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx
import pytest

from reconciler.cli import main
from reconciler.embedded import embedded_client
from reconciler.emulator import DEFAULT_APP_ID, DEFAULT_APP_SECRET, create_app, serving
from reconciler.emulator.config import EmulatorConfig
from reconciler.feishu.connect import open_client
from reconciler.model import CurrentShift
from reconciler.secret import Secret

SHIFT = """\
shift_name: {name}
punch_times: 1
punch_time_rule:
  - {{on_time: "{on}", off_time: "18:00", late_minutes_as_late: 5, late_minutes_as_lack: 60,
     on_advance_minutes: 120, early_minutes_as_early: 1, early_minutes_as_lack: 60,
     off_delay_minutes: 240}}
"""
CREATES = [f"new-{i:02d}" for i in range(10)]
UPDATES = [f"upd-{i}" for i in range(4)]
DELETES = [f"del-{i}" for i in range(3)]
# Paced at 8 requests per second per endpoint, the apply lasts long enough to be
# killed between any two operations; the guards allow its three deletes.
CONFIG = "rate_limit: 8\nconcurrency: 2\nguards: {max_delete_percent: 100}\n"
KILL_DEADLINE_S = 60.0


def write(root: Path, name: str, on: str = "09:00") -> None:
    folder = root / "shifts"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.yaml").write_text(SHIFT.format(name=name, on=on), encoding="utf-8")


def remote(db: Path, **connection: str) -> dict[str, CurrentShift]:
    """The tenant's shifts by name; fails on any duplicate name."""
    endpoint = connection.get("endpoint")
    client = (
        open_client(endpoint=endpoint, app_id=DEFAULT_APP_ID, app_secret=Secret(DEFAULT_APP_SECRET))
        if endpoint
        else embedded_client(str(db))
    )
    with client:
        shifts = list(client.list_shifts())
    names = [s.name for s in shifts]
    assert len(names) == len(set(names)), f"duplicate shifts: {sorted(names)}"
    return {s.name: s for s in shifts}


@pytest.fixture
def tenant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, CurrentShift]:
    """A repository whose files create 10, update 4 and delete 3 shifts of its tenant."""
    for name in ("FEISHU_APP_ID", "FEISHU_APP_SECRET", "FEISHU_ENDPOINT", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "shiftctl.yaml").write_text(CONFIG, encoding="utf-8")
    for name in UPDATES + DELETES:
        write(tmp_path, name)
    assert main(["--emulator", "tenant.db", "apply", "--auto-approve"]) == 0
    before = remote(tmp_path / "tenant.db")
    for name in DELETES:
        (tmp_path / "shifts" / f"{name}.yaml").unlink()
    for name in UPDATES:
        write(tmp_path, name, on="08:15")
    for name in CREATES:
        write(tmp_path, name)
    return before


def assert_converged(root: Path, before: dict[str, CurrentShift], **connection: str) -> None:
    after = remote(root / "tenant.db", **connection)
    assert sorted(after) == sorted(CREATES + UPDATES)
    for name in UPDATES:  # updated in place: attendance groups keep their reference
        assert after[name].shift_id == before[name].shift_id
        assert after[name].shift.punch_time_rule[0].on_time == "08:15"


def apply_killed_after(root: Path, operations: int) -> int:
    """Run ``shiftctl apply`` and SIGKILL it once ``operations`` have been reported.

    Returns how many operations it had reported when it died.
    """
    command = [sys.executable, "-m", "reconciler", "--emulator", "tenant.db", "--no-color"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [*command, "apply", "--auto-approve"],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    try:
        return _watch_and_kill(process, process.stdout, operations)
    finally:
        if process.poll() is None:
            process.kill()  # never leave it running, whatever failed
        process.wait(timeout=10)
        process.stdout.close()


def _watch_and_kill(process: subprocess.Popen[str], stdout: IO[str], operations: int) -> int:
    seen, started = 0, False
    deadline = time.monotonic() + KILL_DEADLINE_S
    with selectors.DefaultSelector() as selector:
        selector.register(stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(timeout=0.5):
                continue  # still starting or planning (a busy machine is slow)
            line = stdout.readline()
            if not line:
                raise AssertionError("apply ended before it could be killed")
            started = started or line.startswith("shiftctl will perform")
            seen += line.startswith(("applied ", "failed ", "skipped "))
            if started and seen >= operations:
                process.send_signal(signal.SIGKILL)
                assert process.wait(timeout=10) == -signal.SIGKILL
                return seen
    raise AssertionError(f"no kill point within {KILL_DEADLINE_S:g} s")


@pytest.mark.parametrize("operations", [0, 1, 6, 11, 15])
def test_an_apply_killed_at_any_point_converges_on_the_next_run(
    tmp_path: Path, tenant: dict[str, CurrentShift], operations: int
) -> None:
    reported = apply_killed_after(tmp_path, operations)
    assert reported == operations
    assert main(["--emulator", "tenant.db", "--no-color", "apply", "--auto-approve"]) == 0
    assert_converged(tmp_path, tenant)
    assert main(["--emulator", "tenant.db", "plan", "--detailed-exitcode"]) == 0


@pytest.fixture
def faulty(tmp_path: Path, tenant: dict[str, CurrentShift]) -> Iterator[str]:
    """The tenant served on 127.0.0.1 with 5xx, lost responses and 429 bursts on every write."""
    app = create_app(str(tmp_path / "tenant.db"), config=EmulatorConfig(seed=7))
    with serving(app) as url:
        writes = {"error_rate": 0.25, "lost_rate": 0.25}
        faults = {
            # 4 per second against a client pacing itself at 8: bursts of 429s.
            "shift.create": {**writes, "rate_limit": 4},
            "shift.delete": writes,
            "shift.list": {"error_rate": 0.5},
        }
        httpx.put(f"{url}/_emulator/faults", json={"endpoints": faults}).raise_for_status()
        yield url
    app.close()


def test_apply_under_faults_converges_without_duplicate_or_loss(
    tmp_path: Path,
    tenant: dict[str, CurrentShift],
    faulty: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("FEISHU_APP_ID", DEFAULT_APP_ID)
    monkeypatch.setenv("FEISHU_APP_SECRET", DEFAULT_APP_SECRET)
    connection = ["--endpoint", faulty, "--no-color"]
    code = main([*connection, "apply", "--auto-approve", "--report", "report.json"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["summary"] == {"applied": 17, "failed": 0, "skipped": 0}
    stats = httpx.get(f"{faulty}/_emulator/stats").json()["data"]["endpoints"]
    # Every kind of fault really happened.
    for kind in ("rate_limited", "faults_injected", "lost"):
        assert sum(s[kind] for s in stats.values()) > 0, (kind, stats)
    assert_converged(tmp_path, tenant, endpoint=faulty)
    assert main([*connection, "plan", "--detailed-exitcode"]) == 0
