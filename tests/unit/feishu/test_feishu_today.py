"""Today's answers against a scripted Feishu: the quota, conflicts, replays, scopes, reasons.

The contract suite runs the same behaviours against the emulator; these cover
the shapes the emulator is not asked to produce (permission_violations,
answers with unknown fields, a replay the query cannot see).
"""

from __future__ import annotations

import json

import httpx
import pytest
from shift_samples import RULE

from reconciler.feishu import (
    AlreadyExists,
    FeishuClient,
    MissingScope,
    OptimisticLockConflict,
    QuotaExceeded,
    RetryBudgetExhausted,
    UserFlow,
)
from reconciler.model import Shift

V1 = "/open-apis/attendance/v1"
WIRE = {"shift_name": "早班", "punch_times": 1, "punch_time_rule": [RULE]}
STORED = {**WIRE, "shift_id": "7001", "id": "7001"}
QUOTA = {"code": 99991403, "msg": "This month's API call quota has been exceeded"}
REPLAY = "the object already exists, 请检查业务幂等id是否重复"


def flow(n: int) -> UserFlow:
    return UserFlow("u1", "u1", "HQ", 1_700_000_000 + n, idempotent_id=f"k{n}")


def test_the_quota_is_never_retried_and_later_calls_are_not_sent(
    feishu, client: FeishuClient
) -> None:
    feishu.add("GET", f"{V1}/shifts/7001", feishu.ok(STORED), httpx.Response(429, json=QUOTA))
    client.get_shift("7001")
    with pytest.raises(QuotaExceeded) as caught:
        client.get_shift("7001")
    assert "this run made 3 API calls (2 succeeded)" in str(caught.value)
    with pytest.raises(QuotaExceeded, match="not sent"):
        list(client.list_shifts())
    assert len(feishu.business()) == 2
    assert client.calls == 3


def test_no_row_affected_is_retried(feishu, client: FeishuClient) -> None:
    conflict = feishu.error(400, 1220600, "no row affected")
    feishu.add("POST", f"{V1}/shifts", conflict, feishu.ok({"shift": STORED}))
    assert client.create_shift(Shift.from_mapping(WIRE)).shift_id == "7001"
    assert client.stats["shift.create"].retries == 1


def test_a_conflict_that_never_clears_ends_in_the_budget(feishu, make_client) -> None:
    client = make_client(max_retry_seconds=2)
    feishu.add("POST", f"{V1}/shifts", feishu.error(400, 1220600, "no row affected"))
    with pytest.raises(RetryBudgetExhausted) as caught:
        client.create_shift(Shift.from_mapping(WIRE))
    assert isinstance(caught.value.last_error, OptimisticLockConflict)


def test_a_missing_scope_names_what_the_answer_lists(feishu, client: FeishuClient) -> None:
    body = {
        "code": 99991672,
        "msg": "Access denied.",
        "error": {
            "permission_violations": [
                {"type": "action_scope_required", "subject": "attendance:task:readonly"}
            ]
        },
    }
    feishu.add("POST", f"{V1}/shifts/query", httpx.Response(400, json=body))
    with pytest.raises(MissingScope) as caught:
        client.query_shift("早班")
    assert caught.value.scopes == ("attendance:task:readonly",)


def test_a_missing_scope_without_details_names_the_endpoints_scopes(
    feishu, client: FeishuClient
) -> None:
    feishu.add("GET", f"{V1}/shifts", feishu.error(400, 99991672, "Access denied."))
    with pytest.raises(MissingScope, match="grant attendance:rule or attendance:rule:readonly"):
        list(client.list_shifts())


def test_a_replay_refused_is_looked_up_and_the_rest_sent_again(
    feishu, client: FeishuClient
) -> None:
    stored = {**flow(1).to_wire(), "record_id": "r1"}
    created = {**flow(2).to_wire(), "record_id": "r2"}
    feishu.add(
        "POST",
        f"{V1}/user_flows/batch_create",
        feishu.error(400, 1220600, REPLAY),
        feishu.ok({"flow_records": [created]}),
    )
    feishu.add("POST", f"{V1}/user_flows/query", feishu.ok({"user_flow_results": [stored]}))
    result = client.import_flows([flow(1), flow(2)])
    assert [f.record_id for f in result.present] == ["r1"]
    assert [f.record_id for f in result.created] == ["r2"]
    creates = feishu.business(f"{V1}/user_flows/batch_create")
    assert [len(json.loads(r.content)["flow_records"]) for r in creates] == [2, 1]


def test_a_replay_the_query_cannot_see_is_settled_record_by_record(
    feishu, client: FeishuClient
) -> None:
    created = {**flow(2).to_wire(), "record_id": "r2"}
    feishu.add(
        "POST",
        f"{V1}/user_flows/batch_create",
        feishu.error(400, 1220600, REPLAY),  # the batch
        feishu.error(400, 1220600, REPLAY),  # k1 alone: it is the stored one
        feishu.ok({"flow_records": [created]}),  # k2 alone
    )
    # Today's query returns valid punches only: the stored one is not among them.
    feishu.add("POST", f"{V1}/user_flows/query", feishu.ok({"user_flow_results": []}))
    result = client.import_flows([flow(1), flow(2)])
    assert [f.idempotent_id for f in result.present] == ["k1"]
    assert [f.record_id for f in result.created] == ["r2"]


def test_a_duplicate_without_idempotent_ids_is_the_error(feishu, client: FeishuClient) -> None:
    bare = UserFlow("u1", "u1", "HQ", 1_700_000_000)
    feishu.add("POST", f"{V1}/user_flows/batch_create", feishu.error(400, 1220600, REPLAY))
    with pytest.raises(AlreadyExists, match="already exists"):
        client.import_flows([bare])


def test_batch_del_reads_the_reason_of_each_failed_id(feishu, client: FeishuClient) -> None:
    answer = {
        "code": 0,
        "msg": "partial success: 40: record does not exist; 404: not imported via the open api",
        "data": {"success_record_ids": ["1"], "fail_record_ids": ["404", "40"]},
    }
    feishu.add("POST", f"{V1}/user_flows/batch_del", httpx.Response(200, json=answer))
    result = client.delete_flows(["1", "40", "404"])
    assert result.reason("40") == "record does not exist"
    assert result.reason("404") == "not imported via the open api"
    assert result.reason("1") is None


def test_a_listing_with_unknown_fields_and_empty_strings_is_read(
    feishu, client: FeishuClient
) -> None:
    odd = {
        **STORED,
        "late_minutes_as_serious_late": "",
        "shift_middle_time_rule": {"middle_time_type": 0, "fixed_middle_time": ""},
        "new_in_2026": {"anything": [1, 2]},
    }
    feishu.add("GET", f"{V1}/shifts", feishu.ok({"shift_list": [odd], "has_more": False}))
    (remote,) = client.list_shifts()
    assert remote.shift == Shift.from_mapping(WIRE)
    assert "new_in_2026" in client.read_notes.unknown


def test_updates_send_every_field(feishu, client: FeishuClient) -> None:
    feishu.add("POST", f"{V1}/shifts", feishu.ok({"shift": STORED}))
    client.update_shift("7001", Shift.from_mapping(WIRE))
    (sent,) = feishu.business(f"{V1}/shifts")
    body = json.loads(sent.content)
    assert body["id"] == "7001"
    assert (body["is_flexible"], body["rest_time_rule"], body["day_type"]) == (False, [], 1)
    assert body["punch_time_rule"][0]["no_need_on"] is False


def test_user_flows_batch_del_is_paced_at_its_documented_10_per_second(
    feishu, clock, client: FeishuClient
) -> None:
    answer = feishu.ok({"success_record_ids": ["1"], "fail_record_ids": []})
    feishu.add("POST", f"{V1}/user_flows/batch_del", answer)
    for _ in range(3):
        client.delete_flows(["1"])
    assert [round(s, 3) for s in clock.sleeps] == [0.1, 0.1]
