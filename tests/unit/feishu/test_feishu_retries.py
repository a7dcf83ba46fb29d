"""Retries: what is retried, how long it waits, and how unknown write outcomes are settled."""

from __future__ import annotations

import copy

import httpx
import pytest
from shift_samples import RULE

from reconciler.feishu import (
    FeishuClient,
    FeishuTransportError,
    InUse,
    InvalidParameter,
    NameTaken,
    RetryBudgetExhausted,
    ServerError,
    UserFlow,
)
from reconciler.model import Shift

SHIFTS = "/open-apis/attendance/v1/shifts"
QUERY = "/open-apis/attendance/v1/shifts/query"
FLOWS = "/open-apis/attendance/v1/user_flows/batch_create"
DEL_FLOWS = "/open-apis/attendance/v1/user_flows/batch_del"
WIRE = {"shift_name": "早班", "punch_times": 1, "punch_time_rule": [RULE]}
SHIFT = Shift.from_mapping(WIRE)
STORED = {**WIRE, "shift_id": "7001", "id": "7001"}
LOST = ConnectionResetError("connection reset after commit")


def later_rule() -> dict[str, object]:
    return {**copy.deepcopy(WIRE), "punch_time_rule": [{**RULE, "on_time": "9:30"}]}


def test_server_error_on_a_read_is_retried(feishu, clock, client: FeishuClient) -> None:
    feishu.add("GET", f"{SHIFTS}/7001", feishu.error(500, 1225000), feishu.ok(STORED))
    assert client.get_shift("7001").shift == SHIFT
    assert len(feishu.business()) == 2
    assert client.stats["shift.get"].server_errors == 1


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(502, text="<html>Bad Gateway</html>"),
        httpx.Response(503, text=""),
        httpx.ReadTimeout("timed out"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        ConnectionResetError("reset"),
    ],
    ids=["proxy-502-html", "empty-503", "timeout", "dropped", "in-process-oserror"],
)
def test_reads_survive_proxies_timeouts_and_dropped_connections(
    feishu, client: FeishuClient, failure: httpx.Response | Exception
) -> None:
    feishu.add("GET", f"{SHIFTS}/7001", failure, feishu.ok(STORED))
    assert client.get_shift("7001").shift_id == "7001"


def test_rate_limited_waits_for_the_reset_header(feishu, clock, client: FeishuClient) -> None:
    limited = feishu.error(429, 99991400, headers={"x-ogw-ratelimit-reset": "2"})
    feishu.add("GET", f"{SHIFTS}/7001", limited, feishu.ok(STORED))
    start = clock.now
    client.get_shift("7001")
    assert clock.now - start >= 2.0
    assert max(clock.sleeps) >= 2.0
    assert client.stats["shift.get"].rate_limited == 1


@pytest.mark.parametrize("reset", ["0", "-3"])
def test_rate_limited_without_a_usable_reset_backs_off(
    feishu, clock, client: FeishuClient, reset: str
) -> None:
    limited = feishu.error(429, 99991400, headers={"x-ogw-ratelimit-reset": reset})
    feishu.add("GET", f"{SHIFTS}/7001", limited, limited, limited, feishu.ok(STORED))
    client.get_shift("7001")
    assert len(feishu.business()) == 4
    assert 0 < clock.now - 1000.0 <= 3 * 0.25 + 1  # jittered backoff, not a hot loop nor 60 s


def test_rate_limited_with_an_unreadable_reset_waits_a_second(
    feishu, clock, client: FeishuClient
) -> None:
    limited = feishu.error(429, 99991400, headers={"x-ogw-ratelimit-reset": "soon"})
    feishu.add("GET", f"{SHIFTS}/7001", limited, feishu.ok(STORED))
    client.get_shift("7001")
    assert 1.0 <= clock.now - 1000.0 < 1.1


def test_rate_limited_as_http_400_is_retried_too(feishu, client: FeishuClient) -> None:
    feishu.add("GET", f"{SHIFTS}/7001", feishu.error(400, 99991400), feishu.ok(STORED))
    assert client.get_shift("7001").shift_id == "7001"


@pytest.mark.parametrize("status", [500, 400])
def test_in_use_is_never_retried(feishu, client: FeishuClient, status: int) -> None:
    feishu.add("DELETE", f"{SHIFTS}/7001", feishu.error(status, 1226001, "the shift has been used"))
    with pytest.raises(InUse):
        client.delete_shift("7001")
    assert len(feishu.business()) == 1


def test_parameter_errors_are_not_retried(feishu, client: FeishuClient) -> None:
    feishu.add("POST", SHIFTS, feishu.error(400, 1220001, "param is invalid"))
    with pytest.raises(InvalidParameter):
        client.create_shift(SHIFT)
    assert len(feishu.business()) == 1


def test_backoff_is_capped_and_bounded_by_the_budget(feishu, clock, make_client) -> None:
    client = make_client(max_retry_seconds=10, backoff_base=0.5, backoff_cap=2.0, rate_limit=0)
    feishu.add("GET", f"{SHIFTS}/7001", feishu.error(500, 1225000, "internal server error"))
    start = clock.now
    with pytest.raises(RetryBudgetExhausted) as caught:
        client.get_shift("7001")
    assert all(0 <= s <= 2.0 for s in clock.sleeps)
    assert clock.now - start <= 10
    assert caught.value.attempts == len(feishu.business()) > 3
    assert "gave up after" in str(caught.value)
    assert "internal server error" in str(caught.value)


def test_lost_create_that_took_effect_is_not_sent_again(feishu, client: FeishuClient) -> None:
    feishu.add("POST", SHIFTS, LOST)
    feishu.add("POST", QUERY, feishu.ok(STORED))
    assert client.create_shift(SHIFT).shift_id == "7001"
    assert len(feishu.business(SHIFTS)) == 1
    assert feishu.business(QUERY)[0].url.params["shift_name"] == "早班"


def test_failed_create_that_did_not_take_effect_is_retried(feishu, client: FeishuClient) -> None:
    feishu.add("POST", SHIFTS, feishu.error(500, 1226000), feishu.ok({"shift": STORED}))
    feishu.add("POST", QUERY, feishu.error(400, 1226003, "shift does not exist"))
    assert client.create_shift(SHIFT).shift_id == "7001"
    assert len(feishu.business(SHIFTS)) == 2


def test_create_landing_after_the_check_is_recognised(feishu, client: FeishuClient) -> None:
    # The lost attempt commits only after the first check: the resend meets its own shift.
    feishu.add("POST", SHIFTS, LOST, feishu.error(400, 1226002, "shift name 早班 already used"))
    feishu.add("POST", QUERY, feishu.error(400, 1226003), feishu.ok(STORED))
    assert client.create_shift(SHIFT).shift_id == "7001"


def test_name_taken_without_doubt_is_an_error(feishu, client: FeishuClient) -> None:
    feishu.add("POST", SHIFTS, feishu.error(400, 1226002, "shift name 早班 already used"))
    with pytest.raises(NameTaken):
        client.create_shift(SHIFT)
    assert feishu.business(QUERY) == []


def test_lost_create_meeting_a_different_shift_of_that_name_fails(
    feishu, client: FeishuClient
) -> None:
    other = {**later_rule(), "shift_id": "9999"}
    feishu.add("POST", SHIFTS, LOST, feishu.error(400, 1226002, "shift name 早班 already used"))
    feishu.add("POST", QUERY, feishu.ok(other))
    with pytest.raises(NameTaken):
        client.create_shift(SHIFT)


def test_lost_update_that_took_effect_is_recognised(feishu, client: FeishuClient) -> None:
    wanted = Shift.from_mapping(later_rule())
    feishu.add("POST", SHIFTS, httpx.ReadTimeout("timed out"))
    feishu.add("POST", QUERY, feishu.ok({**later_rule(), "shift_id": "7001"}))
    assert client.update_shift("7001", wanted).shift == wanted
    assert len(feishu.business(SHIFTS)) == 1
    assert b'"id":"7001"' in feishu.business(SHIFTS)[0].content.replace(b" ", b"")


def test_lost_update_still_showing_old_content_is_resent(feishu, client: FeishuClient) -> None:
    wanted = Shift.from_mapping(later_rule())
    updated = {"shift": {**later_rule(), "shift_id": "7001"}}
    feishu.add("POST", SHIFTS, feishu.error(502, 0), feishu.ok(updated))
    feishu.add("POST", QUERY, feishu.ok(STORED))
    assert client.update_shift("7001", wanted).shift == wanted
    assert len(feishu.business(SHIFTS)) == 2


def test_lost_delete_then_not_found_is_done(feishu, client: FeishuClient) -> None:
    feishu.add("DELETE", f"{SHIFTS}/7001", LOST, feishu.error(400, 1226003))
    feishu.add("GET", f"{SHIFTS}/7001", feishu.ok(STORED), feishu.error(400, 1226003))
    client.delete_shift("7001")
    assert len(feishu.business(f"{SHIFTS}/7001")) == 4


def flow(n: int, *, idempotent: bool) -> UserFlow:
    return UserFlow(
        user_id="u1",
        creator_id="u1",
        location_name="HQ",
        check_time=1700000000 + n,
        comment="in",
        idempotent_id=f"imp-{n}" if idempotent else None,
    )


def test_flow_import_with_idempotent_ids_is_resent(feishu, client: FeishuClient) -> None:
    stored = {"flow_records": [{**flow(1, idempotent=True).to_wire(), "record_id": "r1"}]}
    feishu.add("POST", FLOWS, LOST, feishu.ok(stored))
    records = client.create_flows([flow(1, idempotent=True)])
    assert [r.record_id for r in records] == ["r1"]
    assert feishu.business(FLOWS)[0].content == feishu.business(FLOWS)[1].content


def test_flow_import_without_idempotent_ids_is_not_resent(feishu, client: FeishuClient) -> None:
    feishu.add("POST", FLOWS, feishu.error(500, 1225000))
    with pytest.raises(ServerError):
        client.create_flows([flow(1, idempotent=False)])
    assert len(feishu.business(FLOWS)) == 1


def test_flow_import_refused_for_a_rate_limit_is_resent_anyway(
    feishu, client: FeishuClient
) -> None:
    stored = {"flow_records": [{**flow(1, idempotent=False).to_wire(), "record_id": "r1"}]}
    feishu.add("POST", FLOWS, feishu.error(429, 99991400), feishu.ok(stored))
    assert len(client.create_flows([flow(1, idempotent=False)])) == 1


def test_flow_delete_after_a_lost_answer_counts_what_is_gone(feishu, client: FeishuClient) -> None:
    answer = {"success_record_ids": ["r2"], "fail_record_ids": ["r1", "r3"]}
    feishu.add("POST", DEL_FLOWS, LOST, feishu.ok(answer))
    feishu.add("GET", "/open-apis/attendance/v1/user_flows/r1", feishu.error(400, 1220001))
    existing = {**flow(3, idempotent=True).to_wire(), "record_id": "r3"}
    feishu.add("GET", "/open-apis/attendance/v1/user_flows/r3", feishu.ok(existing))
    result = client.delete_flows(["r1", "r2", "r3"])
    assert result.success_record_ids == ("r2", "r1")
    assert result.fail_record_ids == ("r3",)


def test_transport_error_hides_the_token(feishu, make_client) -> None:
    client = make_client(max_retry_seconds=0.5)
    feishu.add("GET", f"{SHIFTS}/7001", httpx.ReadTimeout("timed out"))
    with pytest.raises(RetryBudgetExhausted) as caught:
        client.get_shift("7001")
    assert isinstance(caught.value.last_error, FeishuTransportError)
    assert caught.value.__cause__ is None
    assert caught.value.last_error.__cause__ is None
    for token in feishu.tokens_issued:
        assert token not in str(caught.value)


@pytest.mark.parametrize(
    "refused",
    [
        httpx.ConnectError("[Errno 111] Connection refused"),
        ConnectionRefusedError(111, "refused"),
        httpx.ConnectTimeout("connect timed out, connection refused"),
        httpx.UnsupportedProtocol("refused: the URL is missing 'http://'"),
    ],
)
def test_an_unreachable_endpoint_fails_after_three_tries(
    feishu, clock, client: FeishuClient, refused: Exception
) -> None:
    feishu.add("POST", SHIFTS, refused)
    start = clock.now
    with pytest.raises(FeishuTransportError) as caught:
        client.create_shift(SHIFT)
    assert not caught.value.request_sent
    assert "refused" in str(caught.value)
    assert len(feishu.business(SHIFTS)) == 3
    assert feishu.business(QUERY) == []  # nothing was sent, so nothing to check
    assert clock.now - start < 5


def test_checks_made_inside_a_call_share_its_retry_budget(feishu, clock, make_client) -> None:
    client = make_client(max_retry_seconds=10, backoff_base=0.5, backoff_cap=2.0)
    feishu.add("POST", SHIFTS, LOST)
    missing = feishu.error(400, 1226003, "shift does not exist")
    feishu.add("POST", QUERY, *[missing] * 4, feishu.error(500, 1225000, "internal server error"))
    start = clock.now
    with pytest.raises(RetryBudgetExhausted):
        client.create_shift(SHIFT)
    assert clock.now - start <= 10
    assert len(feishu.business(SHIFTS)) == 5
