"""The package's public names are deliberate: adding or dropping one is a visible change."""

from __future__ import annotations

import reconciler.feishu as feishu
from reconciler.errors import RemoteError

EXPECTED = {
    "DELETE_BATCH",
    "FEISHU_ENDPOINT",
    "FLOW_BATCH",
    "LARK_ENDPOINT",
    "NO_NEED_INVERTED_ON_READ",
    "PAGE_SIZE",
    "USER_BATCH",
    "AuthError",
    "BatchDelResult",
    "EndpointStats",
    "FeishuClient",
    "FeishuError",
    "FeishuTransportError",
    "InUse",
    "InvalidParameter",
    "NameTaken",
    "NotFound",
    "PermissionDenied",
    "RateLimited",
    "RetryBudgetExhausted",
    "ServerError",
    "TaskQueryResult",
    "TaskResult",
    "UserFlow",
    "UserTask",
    "chunked",
    "open_client",
}


def test_all_is_curated_and_importable() -> None:
    assert set(feishu.__all__) == EXPECTED
    assert len(feishu.__all__) == len(EXPECTED)
    for name in feishu.__all__:
        assert getattr(feishu, name) is not None


def test_every_exported_exception_is_a_remote_error() -> None:
    exported = [getattr(feishu, name) for name in feishu.__all__]
    errors = [obj for obj in exported if isinstance(obj, type) and issubclass(obj, Exception)]
    assert len(errors) == 11
    assert all(issubclass(cls, RemoteError) for cls in errors)
