"""Every shift call of the client against the emulator, in-process and served."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from reconciler.emulator import DEFAULT_APP_ID
from reconciler.feishu import (
    AuthError,
    FeishuClient,
    FeishuTransportError,
    InUse,
    InvalidParameter,
    NameTaken,
    NotFound,
    RateLimited,
    RetryBudgetExhausted,
    ServerError,
)
from reconciler.model import Shift
from reconciler.secret import Secret

MakeShift = Callable[..., Shift]


def test_create_get_query_update_delete(client: FeishuClient, make_shift: MakeShift) -> None:
    early = make_shift("早班")
    created = client.create_shift(early)
    assert created.shift == early
    assert client.get_shift(created.shift_id) == created
    assert client.query_shift("早班") == created

    later = make_shift("早班", on_time="9:30", is_flexible=True, flexible_minutes=15)
    updated = client.update_shift(created.shift_id, later)
    assert updated.shift_id == created.shift_id
    assert updated.shift == later
    assert client.get_shift(created.shift_id).shift == later

    plain = make_shift("晚班", on_time="14:00")
    renamed = client.update_shift(created.shift_id, plain)
    assert renamed.shift_id == created.shift_id
    assert renamed.shift == plain  # fields left at their default are reset, not kept
    assert client.query_shift("早班") is None
    assert client.query_shift("晚班") == renamed

    client.delete_shift(created.shift_id)
    with pytest.raises(NotFound):
        client.get_shift(created.shift_id)
    assert list(client.list_shifts()) == []


def test_every_field_survives_the_round_trip(client: FeishuClient) -> None:
    full = Shift.from_mapping(
        {
            "shift_name": "两段班",
            "punch_times": 2,
            "punch_time_rule": [
                {"on_time": "8:00", "off_time": "12:00", "late_minutes_as_late": 5,
                 "late_minutes_as_lack": 60, "on_advance_minutes": 30,
                 "early_minutes_as_early": 5, "early_minutes_as_lack": 60,
                 "off_delay_minutes": 30, "no_need_off": True},
                {"on_time": "13:00", "off_time": "26:00", "late_minutes_as_late": 5,
                 "late_minutes_as_lack": 60, "on_advance_minutes": 30,
                 "early_minutes_as_early": 5, "early_minutes_as_lack": 60,
                 "off_delay_minutes": 30, "no_need_on": True,
                 "late_minutes_as_serious_late": 20},
            ],
            "rest_time_rule": [{"rest_begin_time": "18:00", "rest_end_time": "18:30"}],
            "late_minutes_as_serious_late": 40,
            "day_type": 1,
            "shift_middle_time_rule": {"middle_time_type": 3, "fixed_middle_time": "12:30"},
            "late_off_late_on_setting": {"late_off_base_on_time_type": 1},
            "rest_time_flexible_configs": [{"need_flexible": True, "late_mins": 30}],
        }
    )  # fmt: skip
    created = client.create_shift(full)
    assert created.shift == full
    assert client.get_shift(created.shift_id).shift == full
    (listed,) = client.list_shifts()
    assert listed.shift == full


def test_listing_pages_through_hundreds_of_shifts(
    target, client: FeishuClient, make_shift: MakeShift
) -> None:
    count = 230
    seeded = target.admin.seed(
        {"shifts": [make_shift(f"班次{n:03d}").to_mapping() for n in range(count)]}
    )
    ids = {entry["shift_id"] for entry in seeded["shifts"]}
    target.admin.reset_stats()
    listed = list(client.list_shifts())
    assert [remote.name for remote in listed] == [f"班次{n:03d}" for n in range(count)]
    assert {remote.shift_id for remote in listed} == ids
    pages = math.ceil(count / 50)
    assert client.stats["shift.list"].requests == pages
    assert target.admin.stats()["shift.list"]["requests"] == pages


def test_small_pages_are_followed_too(client: FeishuClient, make_shift: MakeShift) -> None:
    for n in range(7):
        client.create_shift(make_shift(f"s{n}"))
    assert len(list(client.list_shifts(page_size=3))) == 7
    assert client.stats["shift.list"].requests == 3


def test_duplicate_name_is_name_taken(target, client: FeishuClient, make_shift: MakeShift) -> None:
    client.create_shift(make_shift("早班"))
    with pytest.raises(NameTaken) as caught:
        client.create_shift(make_shift("早班", on_time="10:00"))
    assert (caught.value.code, caught.value.http_status) == target.shape("name_taken")


def test_renaming_onto_another_shift_is_name_taken(
    client: FeishuClient, make_shift: MakeShift
) -> None:
    client.create_shift(make_shift("早班"))
    late = client.create_shift(make_shift("晚班"))
    with pytest.raises(NameTaken):
        client.update_shift(late.shift_id, make_shift("早班"))


def test_unknown_ids_are_not_found(target, client: FeishuClient, make_shift: MakeShift) -> None:
    for call in (
        lambda: client.get_shift("123456789"),
        lambda: client.delete_shift("123456789"),
        lambda: client.update_shift("123456789", make_shift("x")),
    ):
        with pytest.raises(NotFound) as caught:
            call()
        assert (caught.value.code, caught.value.http_status) == target.shape("not_found")
    assert client.query_shift("nobody") is None


def test_query_by_name_never_takes_a_near_match(
    target, client: FeishuClient, make_shift: MakeShift
) -> None:
    # Today's query page matches fuzzily: a shift containing the name may come back.
    client.create_shift(make_shift("早班 A"))
    assert client.query_shift("早班") is None
    exact = client.create_shift(make_shift("早班"))
    assert client.query_shift("早班") == exact


def test_a_shift_in_use_cannot_be_deleted_and_is_not_retried(
    target, client: FeishuClient, make_shift: MakeShift
) -> None:
    used = client.create_shift(make_shift("早班"))
    target.admin.seed(
        {
            "users": [{"employee_id": "u1"}],
            "groups": [{"name": "HQ", "members": ["u1"], "shifts": {"monday": used.shift_id}}],
        }
    )
    target.admin.reset_stats()
    with pytest.raises(InUse) as caught:
        client.delete_shift(used.shift_id)
    assert (caught.value.code, caught.value.http_status) == target.shape("in_use")
    assert "move the group to another shift" in str(caught.value)
    assert target.admin.stats()["shift.delete"]["requests"] == 1
    assert client.get_shift(used.shift_id) == used


def test_bad_parameters_are_invalid_parameter(client: FeishuClient) -> None:
    with pytest.raises(InvalidParameter) as caught:
        list(client.list_shifts(page_size=51))
    assert caught.value.code == 1220001
    assert caught.value.log_id is None or caught.value.log_id


def test_wrong_secret_is_an_auth_error(make_client: Callable[..., FeishuClient]) -> None:
    client = make_client(app_secret=Secret("not-the-secret"))
    with pytest.raises(AuthError) as caught:
        client.get_shift("1")
    assert caught.value.code == 10014
    assert "not-the-secret" not in str(caught.value)
    assert client.stats["auth.tenant_access_token"].requests == 1
    assert DEFAULT_APP_ID in repr(client)


def test_rate_limit_is_rate_limited_once_the_budget_is_spent(
    target, make_client: Callable[..., FeishuClient], make_shift: MakeShift
) -> None:
    # No budget at all: the reset (the time left in the window, however short) never fits.
    client = make_client(max_retry_seconds=0.0)
    target.admin.faults(endpoints={"shift.get": {"rate_limit": 1}})
    created = client.create_shift(make_shift("早班"))
    client.get_shift(created.shift_id)
    with pytest.raises(RetryBudgetExhausted) as caught:
        client.get_shift(created.shift_id)
    assert isinstance(caught.value.last_error, RateLimited)
    assert caught.value.last_error.http_status == 429
    # x-ogw-ratelimit-reset: the seconds left in the one-second window, not a whole second.
    assert 0 < caught.value.last_error.retry_after <= 1


def test_server_errors_are_retried_until_the_budget_is_spent(
    target, make_client: Callable[..., FeishuClient]
) -> None:
    client = make_client(max_retry_seconds=0.3)
    target.admin.faults(endpoints={"shift.list": {"error_rate": 1.0}})
    with pytest.raises(RetryBudgetExhausted) as caught:
        list(client.list_shifts())
    assert isinstance(caught.value.last_error, ServerError)
    assert caught.value.last_error.code == 1226000
    assert caught.value.attempts > 1
    assert target.admin.stats()["shift.list"]["requests"] == caught.value.attempts


def test_lost_answers_are_transport_errors(
    target, make_client: Callable[..., FeishuClient]
) -> None:
    client = make_client(max_retry_seconds=0.3)
    target.admin.faults(endpoints={"shift.list": {"lost_rate": 1.0}})
    with pytest.raises(RetryBudgetExhausted) as caught:
        list(client.list_shifts())
    assert isinstance(caught.value.last_error, FeishuTransportError)
    assert client.stats["shift.list"].transport_errors == caught.value.attempts
