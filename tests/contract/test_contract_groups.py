"""The client's attendance-group reads against the emulator, in-process and served."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest

from reconciler.feishu import FeishuClient
from reconciler.feishu.errors import RuleNotExist
from reconciler.feishu.group_types import FIXED, NO_SHIFT, ROTA, SpecialDay

EARLY, LATE = "7100000000000000001", "7100000000000000002"
Target = Any  # the contract fixture (tests/contract/conftest.py)


def wire_shift(name: str, on_time: str = "9:00", **extra: Any) -> dict[str, Any]:
    rule = {
        "on_time": on_time,
        "off_time": "18:00",
        "late_minutes_as_late": 30,
        "late_minutes_as_lack": 60,
        "on_advance_minutes": 60,
        "early_minutes_as_early": 30,
        "early_minutes_as_lack": 60,
        "off_delay_minutes": 60,
    }
    return {"shift_name": name, "punch_times": 1, "punch_time_rule": [rule], **extra}


def tenant(groups: int = 3, crowd: int = 120) -> dict[str, Any]:
    """``groups`` small fixed groups, then one group of ``crowd`` people and a rota group."""
    people = [{"employee_id": f"u{i}", "name": f"用户{i}"} for i in range(crowd + 2)]
    fixed = [
        {"id": f"g{i:03d}", "name": f"门店{i}", "members": [], "shifts": {"monday": EARLY}}
        for i in range(groups)
    ]
    crowded = {
        "id": "big",
        "name": "研发",
        "time_zone": "Europe/Berlin",
        "members": [f"u{i}" for i in range(crowd)],
        "shifts": {"monday": EARLY, "tuesday": LATE},
        "special_days": [{"day": "2030-05-04", "shift": LATE}],
        "rest_days": ["2030-05-01"],
    }
    rota = {
        "id": "rota",
        "name": "排班组",
        "type": "rota",
        "members": [f"u{crowd}", f"u{crowd + 1}"],
        "schedule": {f"u{crowd}": {"2030-05-06": LATE, "2030-05-07": EARLY}},
    }
    return {
        "users": people,
        "shifts": [
            wire_shift("早班", shift_id=EARLY),
            wire_shift("晚班", on_time="13:00", shift_id=LATE),
        ],
        "groups": [*fixed, crowded, rota],
    }


def test_the_group_list_follows_every_page(target: Target, client: FeishuClient) -> None:
    target.admin.seed(tenant(groups=60, crowd=1))
    target.admin.reset_stats()
    listed = list(client.groups.list_groups())
    assert [g.group_id for g in listed[:3]] == ["g000", "g001", "g002"]
    assert [g.group_id for g in listed[-2:]] == ["big", "rota"]
    assert len(listed) == 62
    assert target.admin.stats()["group.list"]["requests"] == 2  # ⌈62 / 50⌉


def test_a_group_reads_with_its_schedule_special_days_and_zone(
    target: Target, client: FeishuClient
) -> None:
    target.admin.seed(tenant(groups=0, crowd=3))
    big = client.groups.get_group("big")
    assert (big.group_name, big.group_type, big.time_zone) == ("研发", FIXED, "Europe/Berlin")
    assert big.punch_day_shift_ids == (EARLY, LATE, *[NO_SHIFT] * 5)
    assert big.weekly_shift_ids() == {EARLY, LATE}
    assert big.need_punch_special_days == (SpecialDay(datetime.date(2030, 5, 4), LATE),)
    assert [d.day for d in big.no_need_punch_special_days] == [datetime.date(2030, 5, 1)]
    assert big.bind_user_ids == ("u0", "u1", "u2")
    rota = client.groups.get_group("rota")
    assert (rota.group_type, rota.punch_day_shift_ids, rota.weekly_shift_ids()) == (ROTA, (), set())


def test_members_come_fifty_to_a_page(target: Target, client: FeishuClient) -> None:
    target.admin.seed(tenant(groups=0, crowd=120))
    target.admin.reset_stats()
    members = [m.user_id for m in client.groups.list_group_users("big")]
    assert members == [f"u{i}" for i in range(120)]
    assert target.admin.stats()["group.list_user"]["requests"] == 3


def test_rota_days_come_from_the_schedule_query(target: Target, client: FeishuClient) -> None:
    target.admin.seed(tenant(groups=0, crowd=2))
    days = client.groups.query_daily_shifts(
        ["u2", "u3"], datetime.date(2030, 5, 1), datetime.date(2030, 5, 30)
    )
    assert [(d.user_id, d.group_id, d.shift_id, d.day) for d in days] == [
        ("u2", "rota", LATE, datetime.date(2030, 5, 6)),
        ("u2", "rota", EARLY, datetime.date(2030, 5, 7)),
    ]


def test_the_schedule_query_is_cut_by_the_client_to_its_limits(client: FeishuClient) -> None:
    with pytest.raises(ValueError, match="1 to 30 days"):
        client.groups.query_daily_shifts(
            ["u1"], datetime.date(2030, 5, 1), datetime.date(2030, 5, 31)
        )
    with pytest.raises(ValueError, match="1 to 50 users"):
        client.groups.query_daily_shifts(
            [f"u{i}" for i in range(51)], datetime.date(2030, 5, 1), datetime.date(2030, 5, 1)
        )


def test_search_lags_writes_and_returns_at_most_ten(target: Target, client: FeishuClient) -> None:
    target.admin.seed(tenant(groups=12, crowd=1))
    assert client.groups.search_groups("门店") == []  # the index is two seconds behind
    target.admin.advance_clock(3)
    found = client.groups.search_groups("门店")
    assert [g.group_id for g in found] == [f"g{i:03d}" for i in range(10)]
    assert [g.group_id for g in client.groups.search_groups("门店11", exactly=True)] == ["g011"]


def test_an_unknown_group_is_a_located_error(target: Target, client: FeishuClient) -> None:
    with pytest.raises(RuleNotExist) as caught:
        client.groups.get_group("nope")
    assert caught.value.code == 1220600
    assert "/groups/nope" in str(caught.value)


def test_group_reads_are_paced_and_retried_like_every_call(
    target: Target, make_client: Callable[..., FeishuClient]
) -> None:
    target.admin.seed(tenant(groups=0, crowd=1))
    target.admin.faults(endpoints={"group.get": {"rate_limit": 1}})
    client = make_client()
    # Six answers at one a second: some calls are throttled (429) and wait out the reset.
    assert [client.groups.get_group("big").group_id for _ in range(6)] == ["big"] * 6
    stats = client.stats["group.get"]
    assert stats.requests > 6
    assert stats.rate_limited >= 1
    assert stats.retries >= 1
