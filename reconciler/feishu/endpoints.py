"""The attendance endpoints shiftctl calls, with their documented scopes and rate limits.

Scopes and limits are those on each endpoint's open-platform page (contract §3.1,
§4.1, §5): any one of the scopes allows the call. ``user_flows/batch_del`` is
documented at 10 requests per second; the others at 50.
"""

from __future__ import annotations

from reconciler.feishu.calls import Endpoint

__all__ = [
    "ENDPOINTS",
    "FLOW_CREATE",
    "FLOW_DELETE",
    "FLOW_GET",
    "FLOW_QUERY",
    "SHIFT_CREATE",
    "SHIFT_DELETE",
    "SHIFT_GET",
    "SHIFT_LIST",
    "SHIFT_QUERY",
    "TASK_QUERY",
]

_V1 = "/open-apis/attendance/v1"
_RULE = ("attendance:rule",)
_RULE_READ = ("attendance:rule", "attendance:rule:readonly")
_TASK = ("attendance:task",)
_TASK_READ = ("attendance:task:readonly",)

SHIFT_CREATE = Endpoint("shift.create", "POST", f"{_V1}/shifts", _RULE)
SHIFT_DELETE = Endpoint("shift.delete", "DELETE", f"{_V1}/shifts/{{shift_id}}", _RULE)
SHIFT_GET = Endpoint("shift.get", "GET", f"{_V1}/shifts/{{shift_id}}", _RULE_READ)
# The query page asks for attendance:task:readonly, not a rule scope (sic).
SHIFT_QUERY = Endpoint("shift.query", "POST", f"{_V1}/shifts/query", _TASK_READ)
SHIFT_LIST = Endpoint("shift.list", "GET", f"{_V1}/shifts", _RULE_READ)
FLOW_CREATE = Endpoint("user_flow.batch_create", "POST", f"{_V1}/user_flows/batch_create", _TASK)
FLOW_GET = Endpoint(
    "user_flow.get", "GET", f"{_V1}/user_flows/{{user_flow_id}}", (*_TASK, *_TASK_READ)
)
FLOW_QUERY = Endpoint("user_flow.query", "POST", f"{_V1}/user_flows/query", _TASK_READ)
FLOW_DELETE = Endpoint(
    "user_flow.batch_del", "POST", f"{_V1}/user_flows/batch_del", _TASK, rate=10.0
)
TASK_QUERY = Endpoint("user_task.query", "POST", f"{_V1}/user_tasks/query", _TASK_READ)

ENDPOINTS = (
    SHIFT_CREATE,
    SHIFT_DELETE,
    SHIFT_GET,
    SHIFT_QUERY,
    SHIFT_LIST,
    FLOW_CREATE,
    FLOW_GET,
    FLOW_QUERY,
    FLOW_DELETE,
    TASK_QUERY,
)
