"""Reading who uses a shift from the emulator's groups, and putting it on the plan."""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from shift_samples import RULE

from reconciler.blast import GroupUse, UsageInfo
from reconciler.emulator import DEFAULT_APP_ID, DEFAULT_APP_SECRET, EmulatorConfig, create_app
from reconciler.errors import GuardError
from reconciler.feishu import FeishuClient
from reconciler.model import PunchTimeRule, Shift
from reconciler.plan import Delete, Overrides, Plan, Update
from reconciler.secret import Secret
from reconciler.usage import Usage, UsageUnreadable, attach_usage, changed_shift_ids, read_usage

NOW = datetime.datetime(2030, 1, 1, 12, tzinfo=datetime.UTC)  # a Tuesday
EARLY, LATE, SPARE = "7100000000000000001", "7100000000000000002", "7100000000000000003"


def wire(name: str, shift_id: str) -> dict[str, Any]:
    return {"shift_id": shift_id, "shift_name": name, "punch_times": 1, "punch_time_rule": [RULE]}


def tenant(extra_groups: int = 0) -> dict[str, Any]:
    people = [{"employee_id": f"u{i}"} for i in range(130)]
    groups: list[dict[str, Any]] = [
        {
            "id": "fixed",
            "name": "研发",
            "departments": ["od-rd"],  # members through a department: list_user counts them
            "members": [f"u{i}" for i in range(120)],
            "shifts": {"monday": EARLY, "tuesday": EARLY},
        },
        {
            "id": "special",
            "name": "门店A",
            "members": ["u120", "u121"],
            "special_days": [
                {"day": "2030-01-04", "shift": LATE},  # ahead: counts
                {"day": "2029-12-30", "shift": SPARE},  # past: does not
            ],
        },
        {
            "id": "rota",
            "name": "门店B",
            "type": "rota",
            "members": ["u122", "u123", "u124"],
            "schedule": {
                "u122": {"2030-01-03": LATE},
                "u123": {"2030-03-01": SPARE},  # beyond 30 days ahead
            },
        },
        *({"id": f"x{i:03d}", "name": f"其他{i}"} for i in range(extra_groups)),
    ]
    shifts = [wire("早班", EARLY), wire("晚班", LATE), wire("备用", SPARE)]
    return {"users": people, "shifts": shifts, "groups": groups}


@pytest.fixture
def make_client() -> Iterator[Any]:
    apps: list[Any] = []

    def make(document: dict[str, Any]) -> FeishuClient:
        app = create_app(config=EmulatorConfig(rate_limit=0), seed=document)
        apps.append(app)
        http = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://e.local")
        return FeishuClient(
            http, app_id=DEFAULT_APP_ID, app_secret=Secret(DEFAULT_APP_SECRET), rate_limit=0
        )

    yield make
    for app in apps:
        app.close()


def test_fixed_special_day_and_rota_uses_are_found_with_member_counts(make_client: Any) -> None:
    usage = read_usage(make_client(tenant()), {EARLY, LATE, SPARE}, now=NOW)
    assert usage.by_shift[EARLY] == (GroupUse("fixed", "研发", 120, ("fixed",)),)
    assert usage.by_shift[LATE] == (
        GroupUse("special", "门店A", 2, ("special_day",)),
        GroupUse("rota", "门店B", 3, ("rota",)),
    )
    assert SPARE not in usage.by_shift  # a past special day, a rota day beyond the look-ahead


def test_the_look_ahead_decides_which_rota_days_count(make_client: Any) -> None:
    client = make_client(tenant())
    assert SPARE not in read_usage(client, {SPARE}, now=NOW).by_shift
    longer = read_usage(client, {SPARE}, now=NOW, look_ahead_days=90)
    assert longer.by_shift[SPARE] == (GroupUse("rota", "门店B", 3, ("rota",)),)
    assert longer.info.look_ahead_days == 90


@pytest.mark.parametrize("extra", [0, 120])
def test_the_calls_are_counted_and_follow_the_formula(make_client: Any, extra: int) -> None:
    usage = read_usage(make_client(tenant(extra)), {EARLY}, now=NOW)
    groups = 3 + extra
    # ⌈G/50⌉ list pages + G gets + one 30-day schedule query for the rota group (its
    # members are its bind_user_ids) + the members of the one group using EARLY, bound
    # through a department (120 people: 3 list_user pages).
    expected = math.ceil(groups / 50) + groups + 1 + 3
    assert usage.info == UsageInfo(groups=groups, calls=expected, look_ahead_days=30)


def test_no_changed_shift_reads_nothing(make_client: Any) -> None:
    client = make_client(tenant())
    usage = read_usage(client, set(), now=NOW)
    assert (usage.by_shift, usage.info.calls) == ({}, 0)
    assert "group.list" not in client.stats


def shift(name: str) -> Shift:
    return Shift(name, 1, (PunchTimeRule("09:00", "18:00", 5, 60, 120, 1, 60, 240),))


def test_attach_puts_used_by_on_updates_and_deletes_and_blocks_in_use_deletes() -> None:
    plan = Plan(
        (
            Update("1", shift("A"), shift("A"), ()),
            Delete("2", shift("B")),
            Delete("3", shift("C")),
        ),
        unchanged=0,
        unmanaged=0,
        snapshot="sha256:x",
        overrides=Overrides.of(["B"], force=True),
    )
    assert changed_shift_ids(plan) == {"1", "2", "3"}
    use = GroupUse("g1", "研发", 12, ("fixed",))
    usage = Usage({"1": (use,), "2": (use,)}, UsageInfo(groups=1, calls=3, look_ahead_days=30))
    attached = attach_usage(plan, usage)
    assert [getattr(c, "used_by", None) for c in attached.changes] == [(use,), (use,), ()]
    (guard,) = attached.guards
    assert (guard.rule, guard.overridden) == ("in_use", False)  # --force, --allow-delete B
    assert "'B' is used by 1 attendance group: 研发 (g1)" in guard.message
    assert "move those groups to another shift first" in guard.message
    with pytest.raises(GuardError) as caught:
        attached.raise_if_blocked()
    assert "--allow-delete NAME or --force" not in str(caught.value)
    assert attached.usage == usage.info
    assert attach_usage(plan, None) is plan


def test_a_failed_group_read_stops_with_a_hint_and_starts_no_more_calls() -> None:
    document = tenant(extra_groups=100)
    app = create_app(config=EmulatorConfig(rate_limit=0), seed=document)
    http = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://e.local")
    client = FeishuClient(
        http,
        app_id=DEFAULT_APP_ID,
        app_secret=Secret(DEFAULT_APP_SECRET),
        rate_limit=0,
        max_retry_seconds=0.05,
        backoff_base=0.001,
        backoff_cap=0.002,
    )
    with http:
        http.put("/_emulator/faults", json={"endpoints": {"group.get": {"error_rate": 1.0}}})
        with pytest.raises(UsageUnreadable) as caught:
            read_usage(client, {EARLY}, now=NOW, concurrency=2)
    app.close()
    message = str(caught.value)
    assert "cannot read the attendance groups" in message
    assert "code 1225000" in message
    assert "--no-usage" in message
    # 103 groups were queued; the failure cancels the reads not yet started (each read
    # counts its first request, then one more per retry).
    gets = client.stats["group.get"]
    assert gets.requests - gets.retries < 20
