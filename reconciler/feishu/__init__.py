"""The Feishu (Lark) attendance client: typed calls, token, pacing, retries and errors."""

from reconciler.feishu.client import FeishuClient
from reconciler.feishu.connect import FEISHU_ENDPOINT, LARK_ENDPOINT, open_client
from reconciler.feishu.errors import (
    AuthError,
    FeishuError,
    FeishuTransportError,
    InUse,
    InvalidParameter,
    NameTaken,
    NotFound,
    PermissionDenied,
    RateLimited,
    RetryBudgetExhausted,
    ServerError,
)
from reconciler.feishu.limits import DELETE_BATCH, FLOW_BATCH, PAGE_SIZE, USER_BATCH, chunked
from reconciler.feishu.stats import EndpointStats
from reconciler.feishu.types import BatchDelResult, TaskQueryResult, TaskResult, UserFlow, UserTask
from reconciler.feishu.wire import NO_NEED_INVERTED_ON_READ

__all__ = [
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
]
