"""The emulator as a pytest plugin: the fixtures this package offers to anyone's tests,
used here as a user would, and the lark-oapi example of docs/emulator.md run for real."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from reconciler.pytest_plugin import EmulatorError, FeishuEmulator

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "/open-apis/auth/v3/tenant_access_token/internal"
RULE = {
    "on_time": "9:00",
    "off_time": "18:00",
    "late_minutes_as_late": 5,
    "late_minutes_as_lack": 60,
    "on_advance_minutes": 60,
    "early_minutes_as_early": 5,
    "early_minutes_as_lack": 60,
    "off_delay_minutes": 120,
}


def _token(emulator: FeishuEmulator, client: httpx.Client) -> str:
    body = {"app_id": emulator.app_id, "app_secret": emulator.app_secret}
    answer = client.post(f"{emulator.url}{TOKEN}", json=body).json()
    assert answer["code"] == 0, answer
    token: str = answer["tenant_access_token"]
    return token


def test_the_fixture_serves_an_emulator_on_the_loopback(feishu_emulator: FeishuEmulator) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", feishu_emulator.url)
    assert feishu_emulator.app_id.startswith("cli_")
    assert feishu_emulator.app_secret not in repr(feishu_emulator)
    with httpx.Client() as client:
        token = _token(feishu_emulator, client)
        listed = client.get(
            f"{feishu_emulator.url}/open-apis/attendance/v1/shifts",
            headers={"Authorization": f"Bearer {token}"},
        ).json()
    assert listed["code"] == 0
    assert listed["data"]["shift_list"] == []


def test_seed_faults_and_stats(feishu_emulator: FeishuEmulator) -> None:
    stored = feishu_emulator.seed(
        {"shifts": [{"shift_name": "早班", "punch_times": 1, "punch_time_rule": [RULE]}]}
    )
    assert [shift["shift_name"] for shift in stored["shifts"]] == ["早班"]
    knobs = feishu_emulator.faults(endpoints={"shift.list": {"error_rate": 1.0}})
    assert knobs["endpoints"]["shift.list"]["error_rate"] == 1.0
    with httpx.Client() as client:
        headers = {"Authorization": f"Bearer {_token(feishu_emulator, client)}"}
        url = f"{feishu_emulator.url}/open-apis/attendance/v1/shifts"
        failed = client.get(url, headers=headers)
        assert failed.status_code == 500
        feishu_emulator.clear_faults()
        listed = client.get(url, headers=headers).json()
    assert [shift["shift_name"] for shift in listed["data"]["shift_list"]] == ["早班"]
    stats = feishu_emulator.stats()
    assert stats["shift.list"]["requests"] == 2
    assert stats["shift.list"]["faults_injected"] == 1
    assert stats["auth.tenant_access_token"]["succeeded"] == 1


def test_a_bad_seed_or_knob_raises_with_the_emulators_message(
    feishu_emulator: FeishuEmulator,
) -> None:
    with pytest.raises(EmulatorError, match="unknown fault setting 'lag_ms'"):
        feishu_emulator.faults(lag_ms=5)
    with pytest.raises(EmulatorError, match=r"groups\[0\]"):
        feishu_emulator.seed({"groups": [{"members": ["ghost"]}]})


def test_each_test_gets_a_fresh_emulator(feishu_emulator: FeishuEmulator) -> None:
    # The seed of test_seed_faults_and_stats is not here.
    assert feishu_emulator.stats() == {}
    assert feishu_emulator.faults()["error_rate"] == 0


def test_the_session_twin_is_shared_and_resets(
    feishu_emulator_session: FeishuEmulator, feishu_emulator: FeishuEmulator
) -> None:
    assert feishu_emulator_session.url != feishu_emulator.url
    assert feishu_emulator_session.app_id != feishu_emulator.app_id
    feishu_emulator_session.seed({"users": [{"employee_id": "u1"}]})
    feishu_emulator_session.faults(latency_ms=1)
    feishu_emulator_session.reset()
    assert feishu_emulator_session.faults()["latency_ms"] == 0


def test_environ_points_shiftctl_at_it(
    feishu_emulator: FeishuEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from reconciler.cli import main

    for name, value in feishu_emulator.environ.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    feishu_emulator.seed(
        {"shifts": [{"shift_name": "早班", "punch_times": 1, "punch_time_rule": [RULE]}]}
    )
    assert main(["shifts", "list", "--format", "json"]) == 0
    assert feishu_emulator.stats()["shift.list"]["succeeded"] == 1


def _docs_example() -> str:
    text = (ROOT / "docs" / "emulator.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(# test_attendance\.py\n.*?)```", text, re.DOTALL)
    assert len(blocks) == 1, "docs/emulator.md has one test_attendance.py example"
    return blocks[0]


def test_the_lark_oapi_example_in_the_docs_passes(tmp_path: Path) -> None:
    # A pytest of its own, which finds the fixtures through the installed entry point.
    (tmp_path / "test_attendance.py").write_text(_docs_example(), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_DISABLE_PLUGIN_AUTOLOAD"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
