"""apply_plan against the emulator in-process: order, the no-delete-after-failure rule,
the concurrency bound, the report, and the guard gate."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from reconciler.apply import SKIPPED_AFTER_FAILURE, Outcome, apply_plan
from reconciler.embedded import embedded_client
from reconciler.errors import GuardError
from reconciler.feishu.client import FeishuClient
from reconciler.model import CurrentShift, PunchTimeRule, Shift
from reconciler.plan import Create, Delete, GuardFinding, Plan, Update


def shift(name: str, on_time: str = "09:00") -> Shift:
    rule = PunchTimeRule(on_time, "18:00", 5, 60, 120, 1, 60, 240)
    return Shift(name, 1, (rule,))


@pytest.fixture
def client() -> Iterator[FeishuClient]:
    with embedded_client(":memory:") as c:
        yield c


class Counting:
    """The real client, watched: how many calls are in flight at once, and in what order."""

    def __init__(self, inner: FeishuClient) -> None:
        self.inner = inner
        self.lock = threading.Lock()
        self.active = 0
        self.peak = 0
        self.calls: list[str] = []

    def _enter(self, what: str) -> None:
        with self.lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
            self.calls.append(what)

    def _leave(self) -> None:
        with self.lock:
            self.active -= 1

    def create_shift(self, s: Shift) -> CurrentShift:
        self._enter("create")
        try:
            return self.inner.create_shift(s)
        finally:
            self._leave()

    def update_shift(self, shift_id: str, s: Shift) -> CurrentShift:
        self._enter("update")
        try:
            return self.inner.update_shift(shift_id, s)
        finally:
            self._leave()

    def delete_shift(self, shift_id: str) -> None:
        self._enter("delete")
        try:
            self.inner.delete_shift(shift_id)
        finally:
            self._leave()


def test_creates_then_updates_then_deletes_within_the_bound(client: FeishuClient) -> None:
    old = [client.create_shift(shift(f"old-{i}")) for i in range(4)]
    changes = (
        *(Create(shift(f"new-{i}")) for i in range(6)),
        *(Update(r.shift_id, r.shift, shift(r.name, "10:00"), ()) for r in old[:2]),
        *(Delete(r.shift_id, r.shift) for r in old[2:]),
    )
    watched = Counting(client)
    seen: list[Outcome] = []
    report = apply_plan(Plan(changes, 0, 0, "x"), watched, concurrency=3, on_done=seen.append)
    assert report.ok
    assert watched.calls == ["create"] * 6 + ["update"] * 2 + ["delete"] * 2
    assert 1 <= watched.peak <= 3
    assert sorted(o.shift_name for o in seen) == sorted(c.name for c in changes)
    remote = {r.name: r for r in client.list_shifts()}
    assert sorted(remote) == [*(f"new-{i}" for i in range(6)), "old-0", "old-1"]
    assert remote["old-0"].shift_id == old[0].shift_id
    assert remote["old-0"].shift.punch_time_rule[0].on_time == "10:00"
    created = {o.shift_name: o.shift_id for o in report.outcomes if o.action == "create"}
    assert created["new-0"] == remote["new-0"].shift_id


def test_no_delete_runs_once_something_failed(client: FeishuClient) -> None:
    taken = client.create_shift(shift("taken"))
    doomed = client.create_shift(shift("doomed"))
    # A create of a name the tenant already has: Feishu refuses it.
    plan = Plan((Create(shift("taken", "07:00")), Delete(doomed.shift_id, doomed.shift)), 0, 0, "x")
    report = apply_plan(plan, client, concurrency=4)
    failed, skipped = report.outcomes
    assert (failed.status, failed.code) == ("failed", 1220600)  # "the object already exists"
    assert failed.msg
    assert (skipped.status, skipped.reason) == ("skipped", SKIPPED_AFTER_FAILURE)
    assert not report.ok
    assert {r.name for r in client.list_shifts()} == {"taken", "doomed"}
    assert client.get_shift(taken.shift_id).shift == taken.shift
    doc = report.document()
    assert doc["summary"] == {"applied": 0, "failed": 1, "skipped": 1}
    assert doc["operations"][0]["code"] == 1220600
    assert doc["operations"][1]["reason"] == SKIPPED_AFTER_FAILURE


def test_a_blocked_plan_is_never_executed(client: FeishuClient) -> None:
    victim = client.create_shift(shift("victim"))
    guard = GuardFinding("protected", "'victim' is protected", False)
    plan = Plan((Delete(victim.shift_id, victim.shift),), 0, 0, "x", guards=(guard,))
    with pytest.raises(GuardError, match="'victim' is protected"):
        apply_plan(plan, client)
    assert [r.name for r in client.list_shifts()] == ["victim"]


def test_an_empty_plan_reports_nothing(client: FeishuClient) -> None:
    report = apply_plan(Plan((), 3, 0, "x"), client)
    assert report.ok
    assert report.outcomes == ()


def test_a_failed_delete_stops_the_deletes_not_yet_started(client: FeishuClient) -> None:
    kept = client.create_shift(shift("kept"))
    # Deleting an id the tenant does not have fails ("shift does not exist"); the later
    # delete must not run.
    plan = Plan((Delete("404", shift("ghost")), Delete(kept.shift_id, kept.shift)), 0, 0, "x")
    report = apply_plan(plan, client, concurrency=1)
    assert [(o.shift_name, o.status) for o in report.outcomes] == [
        ("ghost", "failed"),
        ("kept", "skipped"),
    ]
    assert report.outcomes[0].code == 1220600
    assert report.outcomes[0].msg.startswith("shift does not exist")
    assert [r.name for r in client.list_shifts()] == ["kept"]
