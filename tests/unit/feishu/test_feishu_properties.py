"""Properties over many inputs: batching, classification and record conversion."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reconciler.feishu import FeishuError, UserFlow, chunked
from reconciler.feishu.errors import classify


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
