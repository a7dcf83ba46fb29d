"""Ctrl-C during ``doctor --write-probe`` never leaves the probe shift behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from reconciler.config import Settings
from reconciler.doctor import run_doctor
from reconciler.emulator import (
    DEFAULT_APP_ID,
    DEFAULT_APP_SECRET,
    EmulatorApp,
    EmulatorConfig,
    create_app,
    serving,
)
from reconciler.feishu import FeishuClient
from reconciler.secret import Secret

NAME = "shiftctl-doctor-c0ffee00"


class Interrupting(httpx.BaseTransport):
    """The emulator in-process; Ctrl-C lands at the request ``when`` picks, before or after
    the emulator has answered it (a create that committed but whose answer never came)."""

    def __init__(
        self, app: EmulatorApp, when: Callable[[httpx.Request], bool], after: bool
    ) -> None:
        self.inner = httpx.WSGITransport(app=app)
        self.when = when
        self.after = after
        self.fired = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        hit = not self.fired and self.when(request)
        if hit and not self.after:
            self.fired = True
            raise KeyboardInterrupt
        response = self.inner.handle_request(request)
        if hit:
            self.fired = True
            raise KeyboardInterrupt
        return response


@pytest.fixture
def app() -> Iterator[EmulatorApp]:
    made = create_app(":memory:", config=EmulatorConfig(rate_limit=0))
    yield made
    made.close()


def names(app: EmulatorApp) -> list[str]:
    with app.store.reading() as conn:
        return [r["shift_name"] for r in conn.execute("SELECT shift_name FROM shifts")]


def _is_create(request: httpx.Request) -> bool:
    return request.method == "POST" and request.url.path.endswith("/attendance/v1/shifts")


def _is_update(request: httpx.Request) -> bool:
    return _is_create(request) and b'"id"' in request.content


@pytest.mark.parametrize(
    ("when", "after"),
    [
        (_is_create, True),  # the create committed, its answer lost to Ctrl-C
        (_is_create, False),  # Ctrl-C before the create left
        (_is_update, False),  # Ctrl-C in the middle of the probe
        (lambda r: r.method == "DELETE", False),  # Ctrl-C at the probe's own delete
    ],
)
def test_ctrl_c_anywhere_in_the_probe_removes_it(
    app: EmulatorApp, tmp_path: Path, when: Callable[[httpx.Request], bool], after: bool
) -> None:
    transport = Interrupting(app, when, after)
    http = httpx.Client(transport=transport, base_url="http://emulator.invalid")
    notes: list[str] = []
    settings = Settings(emulator_db=":memory:", state_dir=tmp_path / ".shiftctl")
    client = FeishuClient(http, app_id=DEFAULT_APP_ID, app_secret=Secret(DEFAULT_APP_SECRET))
    with client, pytest.raises(KeyboardInterrupt):
        run_doctor(settings, client, write=True, notify=notes.append, name=NAME)
    assert transport.fired
    assert names(app) == []
    assert notes == [f"the probe shift {NAME!r} is removed"]


def test_sigint_to_a_running_doctor_cleans_up_and_exits_1(tmp_path: Path) -> None:
    app = create_app(":memory:", config=EmulatorConfig(rate_limit=0, latency_ms=150))
    env = {
        **os.environ,
        "FEISHU_APP_ID": DEFAULT_APP_ID,
        "FEISHU_APP_SECRET": DEFAULT_APP_SECRET,
    }
    env.pop("FEISHU_ENDPOINT", None)
    with serving(app) as url:
        command = [sys.executable, "-m", "reconciler", "--endpoint", url, "-v", "doctor",
                   "--write-probe"]  # fmt: skip
        with subprocess.Popen(
            command,
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        ) as process:
            assert process.stderr is not None
            seen = []
            for line in process.stderr:
                seen.append(line)
                if "POST /open-apis/attendance/v1/shifts →" in line:  # the probe exists
                    process.send_signal(signal.SIGINT)
                    break
            _, err = process.communicate(timeout=60)
        stats = httpx.get(f"{url}/_emulator/stats").json()["data"]["endpoints"]
    err = "".join(seen) + err
    assert process.returncode == 1, err
    assert "shiftctl: interrupted" in err
    assert "is removed" in err
    assert "Traceback" not in err
    assert names(app) == []
    assert stats["shift.delete"]["succeeded"] >= 1
    app.close()
