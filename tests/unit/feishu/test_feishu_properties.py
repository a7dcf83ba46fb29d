"""Properties over many inputs: batching, classification, record conversion, odd answers."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.feishu import FeishuClient, FeishuError, UserFlow, chunked
from reconciler.feishu.error_table import classify
from reconciler.secret import Secret


@given(st.lists(st.integers()), st.integers(min_value=1, max_value=60))
def test_chunks_keep_order_and_respect_the_size(items: list[int], size: int) -> None:
    chunks = list(chunked(items, size))
    assert [x for chunk in chunks for x in chunk] == items
    assert all(1 <= len(chunk) <= size for chunk in chunks)
    assert all(len(chunk) == size for chunk in chunks[:-1])


@given(
    st.one_of(st.none(), st.integers(min_value=-(2**31), max_value=2**31)),
    st.integers(min_value=100, max_value=599),
    st.text(max_size=40),
)
def test_every_answer_gets_one_error_class(code: int | None, status: int, msg: str) -> None:
    error = classify(code=code, msg=msg, http_status=status)
    assert isinstance(error, FeishuError)
    assert error.msg == msg
    assert "\n" not in str(error).replace(msg, "")
    if code in (1226001, 1226002, 1226003, 1220001):
        assert not error.retryable
    elif status >= 500 and code in (None, 0, 1225000, 1226000):
        assert error.retryable


flows = st.builds(
    UserFlow,
    user_id=st.text(min_size=1, max_size=10),
    creator_id=st.text(min_size=1, max_size=10),
    location_name=st.text(max_size=20),
    check_time=st.integers(min_value=1_640_995_200, max_value=4_000_000_000),
    comment=st.text(max_size=20),
    idempotent_id=st.one_of(st.none(), st.text(min_size=1, max_size=20)),
    is_wifi=st.one_of(st.none(), st.booleans()),
    longitude=st.one_of(st.none(), st.floats(-180, 180)),
    type=st.one_of(st.none(), st.integers(0, 7)),
    photo_urls=st.lists(st.text(max_size=10), max_size=3).map(tuple),
)


@given(flows)
def test_user_flows_survive_the_wire(flow: UserFlow) -> None:
    wire = flow.to_wire()
    assert isinstance(wire["check_time"], str)
    assert UserFlow.from_wire(wire) == flow


# Success envelopes whose ``data`` has the contract's keys holding anything at all.
WIRE_KEYS = [
    "shift", "shift_list", "has_more", "page_token", "shift_id", "shift_name", "punch_times",
    "punch_time_rule", "on_time", "flow_records", "user_flow_results", "user_id", "check_time",
    "user_task_results", "records", "day", "success_record_ids", "fail_record_ids",
    "invalid_user_ids",
]  # fmt: skip
ANY_DATA = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(WIRE_KEYS), inner),
    max_leaves=15,
)
PUNCH = UserFlow("u1", "u1", "HQ", 1_700_000_000, idempotent_id="k1")
CALLS: dict[str, Callable[[FeishuClient], Any]] = {
    "list_shifts": lambda c: list(c.list_shifts()),
    "get_shift": lambda c: c.get_shift("1"),
    "query_shift": lambda c: c.query_shift("x"),
    "create_flows": lambda c: c.create_flows([PUNCH]),
    "get_flow": lambda c: c.get_flow("1"),
    "query_flows": lambda c: c.query_flows(["u1"], 0, 1),
    "delete_flows": lambda c: c.delete_flows(["1"]),
    "query_tasks": lambda c: c.query_tasks(
        ["u1"], datetime.date(2024, 1, 8), datetime.date(2024, 1, 8)
    ),
}


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(CALLS)), ANY_DATA)
def test_an_odd_success_answer_is_a_feishu_error_or_a_value(call: str, data: Any) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/tenant_access_token/internal"):
            token = {"code": 0, "msg": "ok", "tenant_access_token": "t-0123456789", "expire": 7200}
            return httpx.Response(200, json=token)
        return httpx.Response(200, json={"code": 0, "msg": "success", "data": data})

    http = httpx.Client(transport=httpx.MockTransport(answer), base_url="https://open.feishu.cn")
    with FeishuClient(http, app_id="cli_test", app_secret=Secret("odd-answers-secret")) as client:
        try:
            CALLS[call](client)
        except FeishuError as error:  # anything else would end as a traceback
            message = str(error)
        else:
            message = ""
    assert "odd-answers-secret" not in message
