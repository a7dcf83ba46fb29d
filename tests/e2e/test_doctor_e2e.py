"""shiftctl doctor against the served emulator in each dialect and knob: it learns the right
facts every time, a plan after it converges, and the probe shift never stays behind."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.cli import main
from reconciler.emulator import DEFAULT_APP_ID, EmulatorApp, EmulatorConfig, create_app, serving

SECRET = "doctor-canary-Secret-5c1e"
TWO_SEGMENTS = """\
shift_name: 两段班
punch_times: 2
punch_time_rule:
  - {on_time: "09:00", off_time: "12:00", late_minutes_as_late: 5, late_minutes_as_lack: 60,
     on_advance_minutes: 60, early_minutes_as_early: 5, early_minutes_as_lack: 60,
     off_delay_minutes: 60, no_need_off: true}
  - {on_time: "13:00", off_time: "18:00", late_minutes_as_late: 5, late_minutes_as_lack: 60,
     on_advance_minutes: 60, early_minutes_as_early: 5, early_minutes_as_lack: 60,
     off_delay_minutes: 60, no_need_on: true}
"""
FLEXIBLE = """\
shift_name: 弹性班
punch_times: 1
punch_time_rule:
  - {on_time: "09:00", off_time: "18:00", late_minutes_as_late: 5, late_minutes_as_lack: 60,
     on_advance_minutes: 60, early_minutes_as_early: 5, early_minutes_as_lack: 60,
     off_delay_minutes: 60}
"""

#: knobs → what doctor must learn.
VARIANTS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "current": ({}, {"no_need_inverted_on_read": False, "updates": "replace", "code": 1220600}),
    "legacy": (
        {"dialect": "legacy"},
        {"no_need_inverted_on_read": False, "updates": "replace", "code": 1226002},
    ),
    "inverted-reads": (
        {"no_need_inverted_on_read": True},
        {"no_need_inverted_on_read": True, "updates": "replace", "code": 1220600},
    ),
    "merging-updates": (
        {"update_merges": True},
        {"no_need_inverted_on_read": False, "updates": "merge", "code": 1220600},
    ),
    "replay-as-error": (
        {"idempotent_replay": "error"},
        {"no_need_inverted_on_read": False, "updates": "replace", "code": 1220600},
    ),
    "quota": (
        {"monthly_quota": 60},
        {"no_need_inverted_on_read": False, "updates": "replace", "code": 1220600},
    ),
}


class Tenant:
    def __init__(self, app: EmulatorApp, url: str, root: Path) -> None:
        self.app, self.url, self.root = app, url, root

    def run(self, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
        code = main(["--endpoint", self.url, *args])
        out, err = capsys.readouterr()
        return code, out, err

    def names(self) -> list[str]:
        with self.app.store.reading() as conn:
            return sorted(r["shift_name"] for r in conn.execute("SELECT shift_name FROM shifts"))

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        answer = httpx.request(method, f"{self.url}/_emulator/{path}", json=body).json()
        assert answer["code"] == 0, answer
        return answer["data"]

    def facts(self) -> dict[str, Any]:
        document = json.loads((self.root / ".shiftctl" / "tenant.json").read_text("utf-8"))
        (entry,) = document["tenants"].values()
        facts: dict[str, Any] = entry
        return facts


def _tenant(tmp: Path, monkeypatch: pytest.MonkeyPatch, **knobs: Any) -> Iterator[Tenant]:
    monkeypatch.setenv("FEISHU_APP_ID", DEFAULT_APP_ID)
    monkeypatch.setenv("FEISHU_APP_SECRET", SECRET)
    monkeypatch.delenv("FEISHU_ENDPOINT", raising=False)
    monkeypatch.chdir(tmp)
    (tmp / "shifts").mkdir()
    (tmp / "shifts" / "two.yaml").write_text(TWO_SEGMENTS, "utf-8")
    (tmp / "shifts" / "flex.yaml").write_text(FLEXIBLE, "utf-8")
    (tmp / "shiftctl.yaml").write_text("guards: {max_delete_percent: 100}\n", "utf-8")
    app = create_app(":memory:", config=EmulatorConfig(app_secret=SECRET, rate_limit=0, **knobs))
    with serving(app) as url:
        yield Tenant(app, url, tmp)
    app.close()


@pytest.fixture(params=list(VARIANTS))
def variant(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Tenant, dict[str, Any]]]:
    knobs, expected = VARIANTS[request.param]
    for tenant in _tenant(tmp_path, monkeypatch, **knobs):
        yield tenant, expected


@pytest.fixture
def tenant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Tenant]:
    yield from _tenant(tmp_path, monkeypatch)


def test_doctor_learns_the_tenant_and_a_plan_after_it_converges(
    variant: tuple[Tenant, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    tenant, expected = variant
    # A flexible shift with a break, as a console user left it: the files turn both off.
    flexible = _probe_body("弹性班")
    flexible.update(
        is_flexible=True,
        flexible_minutes=30,
        rest_time_rule=[{"rest_begin_time": "12:00", "rest_end_time": "13:00"}],
    )
    tenant.admin("POST", "seed", {"shifts": [flexible]})
    code, _, err = tenant.run(capsys, "doctor", "--write-probe")
    assert code == 0, err
    facts = tenant.facts()
    assert facts["no_need_inverted_on_read"] is expected["no_need_inverted_on_read"]
    assert facts["no_need_inverted_in_answers"] is False
    assert facts["updates"] == expected["updates"]
    assert facts["duplicate_name"]["code"] == expected["code"]
    assert facts["duplicate_name"]["recognised"] is True
    assert facts["not_found"]["recognised"] is True
    assert set(facts["scopes"].values()) == {True}
    assert tenant.names() == ["弹性班"]  # the probe shift is gone
    code, out, err = tenant.run(capsys, "apply", "--auto-approve")
    assert code == 0, out + err
    code, out, err = tenant.run(capsys, "plan", "--detailed-exitcode")
    assert code == 0, err
    assert out.startswith("No changes.")


def test_without_doctor_inverted_reads_never_settle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for tenant in _tenant(tmp_path, monkeypatch, no_need_inverted_on_read=True):
        assert tenant.run(capsys, "apply", "--auto-approve")[0] == 0
        # Read as stored, the flags look flipped: every plan wants the same update again.
        assert tenant.run(capsys, "plan", "--detailed-exitcode")[0] == 2
        assert tenant.run(capsys, "apply", "--auto-approve")[0] == 0
        assert tenant.run(capsys, "plan", "--detailed-exitcode")[0] == 2
        assert tenant.run(capsys, "doctor", "--write-probe")[0] == 0
        assert tenant.run(capsys, "plan", "--detailed-exitcode")[0] == 0
        # An explicit setting wins over what doctor learned.
        (tenant.root / "shiftctl.yaml").write_text(
            "tenant: {no_need_inverted_on_read: false}\n", "utf-8"
        )
        assert tenant.run(capsys, "plan", "--detailed-exitcode")[0] == 2


def test_json_report_and_no_secret_anywhere(
    tenant: Tenant, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = tenant.run(capsys, "-vv", "doctor", "--write-probe", "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert report["format_version"] == 1
    assert report["problems"] == 0
    assert report["app_id"] == DEFAULT_APP_ID
    statuses = {c["check"]: c["status"] for c in report["checks"]}
    assert statuses["credentials"] == "ok"
    assert statuses["scope attendance:task:readonly"] == "ok"
    assert statuses["updates"] == "learned"
    assert report["calls"]["total"] == sum(report["calls"]["by_endpoint"].values())
    assert report["calls"]["by_endpoint"]["shift.create"] == 3  # probe, update, duplicate
    assert report["learned"]["updates"] == "replace"
    with tenant.app.store.reading() as conn:
        tokens = [row["token"] for row in conn.execute("SELECT token FROM tokens")]
    text = out + err + (tenant.root / ".shiftctl" / "tenant.json").read_text("utf-8")
    assert SECRET not in text
    assert all(token not in text for token in tokens)


def test_a_missing_scope_is_named_with_its_hint_and_exits_1(
    tenant: Tenant, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant.admin("PUT", "faults", {"missing_scopes": ["attendance:task:readonly"]})
    code, out, err = tenant.run(capsys, "doctor")
    assert code == 1
    assert "PROBLEM  scope attendance:task:readonly: missing" in out
    assert "grant attendance:task:readonly to the app" in out
    assert "ok       scope attendance:rule:readonly" in out
    assert "1 problem found." in out
    assert "doctor found 1 problem" in err
    assert tenant.facts()["scopes"]["attendance:task:readonly"] is False


def test_an_address_outside_the_ip_whitelist_is_said_so(
    tenant: Tenant, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant.admin("PUT", "faults", {"ip_whitelist": ["10.0.0.1"]})
    code, out, _ = tenant.run(capsys, "doctor")
    assert code == 1
    assert "PROBLEM  IP whitelist: the request ip 127.0.0.1 is not in the app's IP whitelist" in out
    assert "add it" in out
    assert "skipped  scope attendance:task" in out  # every later call would fail the same way


def test_wrong_credentials_are_one_problem_with_a_hint(
    tenant: Tenant, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FEISHU_APP_SECRET", "not-the-secret-at-all")
    code, out, _ = tenant.run(capsys, "doctor", "--write-probe")
    assert code == 1
    assert "PROBLEM  credentials: app secret invalid (code 10014)" in out
    assert "FEISHU_APP_SECRET" in out
    assert "not-the-secret-at-all" not in out
    assert "skipped  write probe" in out
    assert not (tenant.root / ".shiftctl" / "tenant.json").exists()  # nothing was learned


def test_a_spent_quota_is_a_problem_that_says_what_to_do(
    tenant: Tenant, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant.admin("PUT", "faults", {"monthly_quota": 1})
    code, out, _ = tenant.run(capsys, "doctor")
    assert code == 1
    assert "This month's API call quota has been exceeded (code 99991403)" in out
    assert "wait for it, or upgrade the Feishu edition" in out


def test_a_leftover_probe_is_found_and_removed_by_the_next_doctor(
    tenant: Tenant, capsys: pytest.CaptureFixture[str]
) -> None:
    # A doctor killed outright (SIGKILL) left its probe behind.
    tenant.admin(
        "POST",
        "seed",
        {"shifts": [_probe_body("shiftctl-doctor-0badc0de")]},
    )
    code, out, _ = tenant.run(capsys, "doctor")
    assert code == 1
    assert "PROBLEM  leftover probe: 'shiftctl-doctor-0badc0de'" in out
    assert "run shiftctl doctor --write-probe to remove it" in out
    code, out, err = tenant.run(capsys, "doctor", "--write-probe")
    assert code == 0, err
    assert "ok       leftover probe: removed 'shiftctl-doctor-0badc0de'" in out
    assert tenant.names() == []


def _probe_body(name: str) -> dict[str, Any]:
    rule = {
        "on_time": "9:00",
        "off_time": "18:00",
        "late_minutes_as_late": 5,
        "late_minutes_as_lack": 60,
        "on_advance_minutes": 60,
        "early_minutes_as_early": 5,
        "early_minutes_as_lack": 60,
        "off_delay_minutes": 60,
    }
    return {"shift_name": name, "punch_times": 1, "punch_time_rule": [rule]}
