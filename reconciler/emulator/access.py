"""App access: the IP whitelist and the API scopes (generic error-code page, 2025-08).

Each endpoint needs any one of the scopes its page lists (contract §3.1, §4.1,
§5). The emulator grants every scope unless ``missing_scopes`` names it, and
accepts every address unless ``ip_whitelist`` lists some.
"""

from __future__ import annotations

from werkzeug.wrappers import Request

from reconciler.emulator.behaviour import Behaviour
from reconciler.emulator.wire import ApiError

__all__ = ["IP_NOT_ALLOWED", "MISSING_SCOPE", "SCOPES", "check_access"]

MISSING_SCOPE = 99991672
IP_NOT_ALLOWED = 99991401

_RULE = ("attendance:rule",)
_RULE_READ = ("attendance:rule", "attendance:rule:readonly")
_TASK = ("attendance:task",)
_TASK_READ = ("attendance:task:readonly",)

#: The documented scopes per endpoint; the query-by-name page asks for a task scope (sic).
SCOPES: dict[str, tuple[str, ...]] = {
    "shift.create": _RULE,
    "shift.delete": _RULE,
    "shift.get": _RULE_READ,
    "shift.query": _TASK_READ,
    "shift.list": _RULE_READ,
    "user_flow.batch_create": _TASK,
    "user_flow.get": (*_TASK, *_TASK_READ),
    "user_flow.query": _TASK_READ,
    "user_flow.batch_del": _TASK,
    "user_task.query": _TASK_READ,
}


def check_access(behaviour: Behaviour, endpoint: str, request: Request) -> None:
    """Raise the platform's answer when the caller's address or the app's scopes fall short."""
    address = request.remote_addr or ""
    if behaviour.ip_whitelist and address not in behaviour.ip_whitelist:
        raise ApiError(IP_NOT_ALLOWED, f"the request ip {address} is not in the app's IP whitelist")
    needed = SCOPES.get(endpoint, ())
    if needed and all(scope in behaviour.missing_scopes for scope in needed):
        raise ApiError(
            MISSING_SCOPE,
            f"Access denied. One of the following scopes is required: [{', '.join(needed)}].",
            error={
                "permission_violations": [
                    {"type": "action_scope_required", "subject": scope} for scope in needed
                ]
            },
        )
