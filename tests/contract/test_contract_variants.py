"""Every documented variant that matters: plan → apply → plan converges, imports store once.

The variants (``conftest.VARIANTS``): today's dialect, the legacy one, reads that
invert the no-need flags (the client told so, as ``shiftctl doctor`` would
learn), updates that merge, replays answered with an error, a monthly quota.
What the tenant really stores is read from the emulator's state, not through
the client, so a misreading on both sides cannot hide.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

import pytest
from shift_samples import RULE

from reconciler.apply import apply_plan
from reconciler.config import Settings
from reconciler.feishu import FeishuClient, QuotaExceeded
from reconciler.flows import PunchRow, send_rows
from reconciler.model import Shift
from reconciler.plan import compute_plan

Target = Any  # conftest.Target: the emulator this test runs against

SETTINGS = Settings(max_delete_percent=100)
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
MONDAY_9AM = int(datetime.datetime(2024, 1, 8, 9, 0, tzinfo=SHANGHAI).timestamp())
REST = [{"rest_begin_time": "12:00", "rest_end_time": "13:00"}]


def shift(name: str, **fields: Any) -> Shift:
    rules = fields.pop("punch_time_rule", [RULE])
    body = {"shift_name": name, "punch_times": len(rules), "punch_time_rule": rules, **fields}
    return Shift.from_mapping(body)


TWO_SEGMENTS = [
    {**RULE, "off_time": "12:00", "no_need_off": True},
    {**RULE, "on_time": "13:00", "no_need_on": True},
]


def stored_shifts(target: Target) -> dict[str, Shift]:
    """What the tenant holds, straight from the emulator's state."""
    with target.app.store.reading() as conn:
        rows = conn.execute("SELECT body FROM shifts").fetchall()
    found = [Shift.from_mapping(json.loads(row["body"])) for row in rows]
    return {s.shift_name: s for s in found}


def stored_flows(target: Target) -> int:
    with target.app.store.reading() as conn:
        count: int = conn.execute("SELECT COUNT(*) FROM flows").fetchone()[0]
    return count


def test_plan_apply_plan_converges(
    variant: Target, make_variant_client: Callable[..., FeishuClient]
) -> None:
    client = make_variant_client()
    # The tenant before: a flexible shift with a break, two to change, one to go.
    client.create_shift(shift("弹性班", is_flexible=True, flexible_minutes=30, rest_time_rule=REST))
    plain = [{**rule, "no_need_on": False, "no_need_off": False} for rule in TWO_SEGMENTS]
    client.create_shift(shift("两段班", punch_time_rule=plain))
    client.create_shift(shift("早班"))
    client.create_shift(shift("旧班"))
    desired = [
        shift("弹性班"),  # flexibility off and the break removed: a merging server keeps both
        shift("两段班", punch_time_rule=TWO_SEGMENTS),  # the no-need flags, read inverted or not
        shift("早班", punch_time_rule=[{**RULE, "on_time": "9:30"}]),
        shift("夜班", punch_time_rule=[{**RULE, "on_time": "20:00", "off_time": "26:00"}]),
    ]
    plan = compute_plan(desired, list(client.list_shifts()), SETTINGS)
    assert plan.summary() == {
        "create": 1,
        "update": 3,
        "delete": 1,
        "unchanged": 0,
        "unmanaged": 0,
    }
    report = apply_plan(plan, client, concurrency=4)
    assert report.ok, [o.msg for o in report.failed]
    again = compute_plan(desired, list(client.list_shifts()), SETTINGS)
    assert again.changes == (), [c.name for c in again.changes]
    assert stored_shifts(variant) == {s.shift_name: s for s in desired}
    # Every call was counted; the whole run fits any free tenant's month many times over.
    assert 0 < client.calls < 40


def rows(users: list[str], times: list[int]) -> list[PunchRow]:
    return [
        PunchRow(line=2 + i, user_id=u, check_time=t, location_name="HQ", comment="", creator_id=u)
        for i, (u, t) in enumerate((u, t) for u in users for t in times)
    ]


@pytest.fixture
def people(variant: Target, make_variant_client: Callable[..., FeishuClient]) -> list[str]:
    """u1 in a group working 09:00-18:00 on Mondays, u2 in no group."""
    client = make_variant_client()
    shift_id = client.create_shift(shift("早班")).shift_id
    variant.admin.seed(
        {
            "users": [{"employee_id": "u1"}, {"employee_id": "u2"}],
            "groups": [{"name": "HQ", "members": ["u1"], "shifts": {"monday": shift_id}}],
        }
    )
    return ["u1", "u2"]


def test_importing_twice_stores_every_punch_once(
    variant: Target, people: list[str], make_variant_client: Callable[..., FeishuClient]
) -> None:
    # 03:00 is outside every window of u1's shift: today's query does not return it,
    # so the second import sends it again and Feishu answers the replay.
    times = [MONDAY_9AM - 6 * 3600, MONDAY_9AM + 60, MONDAY_9AM + 9 * 3600]
    punches = rows(people, times)
    first = send_rows(make_variant_client(), punches, employee_type="employee_id")
    assert (first.imported, first.present, first.failed_rows) == (6, 0, 0)
    second = send_rows(make_variant_client(), punches, employee_type="employee_id")
    assert second.complete
    assert second.failed_rows == 0
    assert second.imported + second.present == 6
    hidden = 1 if variant.dialect == "current" else 0  # u1's 03:00 punch
    if variant.variant == "replay-as-error":
        assert second.present == 6  # the refused replay is settled: present, not failed
    else:  # a replay answered with the stored record cannot be told from a new one
        assert second.present == 6 - hidden
    assert stored_flows(variant) == 6


def test_lost_import_answers_are_settled_without_a_failure(
    variant: Target, people: list[str], make_variant_client: Callable[..., FeishuClient]
) -> None:
    variant.admin.faults(endpoints={"user_flow.batch_create": {"lost_rate": 0.5}})
    times = [MONDAY_9AM + 60 * i for i in range(60)]
    summary = send_rows(make_variant_client(), rows(people, times), employee_type="employee_id")
    assert summary.failed_rows == 0
    assert summary.imported + summary.present == 120
    assert stored_flows(variant) == 120


def test_a_spent_quota_stops_at_the_first_refusal_and_says_what_ran(
    target: Target, make_client: Callable[..., FeishuClient]
) -> None:
    target.admin.faults(monthly_quota=5)
    client = make_client()
    for n in range(5):
        client.create_shift(shift(f"班{n}"))
    with pytest.raises(QuotaExceeded) as caught:
        client.create_shift(shift("one too many"))
    text = str(caught.value)
    assert "this run made 7 API calls (6 succeeded)" in text  # the token, 5 creates, the refusal
    assert "next month" in text
    assert "upgrade" in text
    # Never retried, and nothing more is sent: every later call fails at once.
    with pytest.raises(QuotaExceeded):
        list(client.list_shifts())
    assert target.admin.stats()["shift.create"]["requests"] == 6
    assert "shift.list" not in target.admin.stats()
    assert client.calls == 7


def test_an_apply_that_meets_the_quota_fails_loud_and_a_later_run_converges(
    target: Target, make_client: Callable[..., FeishuClient]
) -> None:
    target.admin.faults(monthly_quota=4)
    client = make_client()
    desired = [shift(f"班{n}") for n in range(6)]
    plan = compute_plan(desired, list(client.list_shifts()), SETTINGS)
    report = apply_plan(plan, client, concurrency=1)
    assert report.count("applied") == 3
    assert {o.code for o in report.failed} == {99991403}
    assert all("next month" in (o.hint or "") for o in report.failed)
    target.admin.faults(monthly_quota=0)  # the month turned, or the edition was upgraded
    fresh = make_client()
    report = apply_plan(compute_plan(desired, list(fresh.list_shifts()), SETTINGS), fresh)
    assert report.ok
    assert compute_plan(desired, list(fresh.list_shifts()), SETTINGS).changes == ()


def test_the_inversion_setting_is_what_makes_inverted_reads_converge(
    target: Target, make_client: Callable[..., FeishuClient]
) -> None:
    target.admin.faults(no_need_inverted_on_read=True)
    desired = [shift("两段班", punch_time_rule=TWO_SEGMENTS)]
    told, untold = make_client(no_need_inverted_on_read=True), make_client()
    apply_plan(compute_plan(desired, [], SETTINGS), told)
    assert compute_plan(desired, list(told.list_shifts()), SETTINGS).changes == ()
    # Read as stored, the same tenant looks different from the files: never settles.
    (wrong,) = compute_plan(desired, list(untold.list_shifts()), SETTINGS).changes
    assert wrong.action == "update"
