"""The package's public names are deliberate: adding or dropping one is a visible change."""

from __future__ import annotations

import reconciler.feishu as feishu
from reconciler.errors import RemoteError

EXPECTED = {
    "DELETE_BATCH",
    "FEISHU_ENDPOINT",
    "FLOW_BATCH",
    "LARK_ENDPOINT",
    "PAGE_SIZE",
    "USER_BATCH",
    "AlreadyExists",
    "AuthError",
    "BadCredentials",
    "BatchDelResult",
    "EndpointStats",
    "FeishuClient",
    "FeishuError",
    "FeishuTransportError",
    "FlowImport",
    "InUse",
    "InvalidParameter",
    "InvalidTenantToken",
    "IpNotAllowed",
    "MissingScope",
    "NameTaken",
    "NotFound",
    "OptimisticLockConflict",
    "PermissionDenied",
    "QuotaExceeded",
    "RateLimited",
    "ResultSealed",
    "RetryBudgetExhausted",
    "RuleNotExist",
    "ServerError",
    "ShiftInUse",
    "TooManyFlows",
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
    errors = {obj for obj in exported if isinstance(obj, type) and issubclass(obj, Exception)}
    assert len(errors) == 21  # InUse is ShiftInUse's earlier name
    assert all(issubclass(cls, RemoteError) for cls in errors)
