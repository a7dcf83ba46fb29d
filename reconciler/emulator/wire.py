"""The Feishu wire edge: JSON envelopes, API errors and request parsing helpers."""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Mapping
from typing import Any

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

EMPLOYEE_TYPES = ("employee_id", "employee_no")

# Codes of the contract §6.
INVALID_PARAM = 1220001
USER_NOT_FOUND = 1220004
SYSTEM_ERROR = 1225000
SHIFT_SYSTEM_ERROR = 1226000
SHIFT_IN_USE = 1226001
SHIFT_NAME_USED = 1226002
SHIFT_NOT_FOUND = 1226003
RATE_LIMITED = 99991400
TOKEN_MISSING = 99991661
TOKEN_INVALID = 99991663

#: Set in the WSGI environ when the app left the request body unread (too large).
UNREAD_BODY = "reconciler.emulator.unread_body"

_TRUE = frozenset({"true", "True", "1"})
_FALSE = frozenset({"false", "False", "0"})


class LostResponse(ConnectionResetError):
    """The write committed but the response is lost: the client sees a dropped connection."""


class ResponseTimeout(TimeoutError):
    """The write committed but no response comes: the client's read times out.

    In-process it is raised at once (the client's timeout has "fired"); served,
    the connection stays silent for ``seconds`` and is then closed.
    """

    def __init__(self, message: str, seconds: float) -> None:
        super().__init__(message)
        self.seconds = seconds


class ApiError(Exception):
    """A Feishu error answer: HTTP status, code and msg (rendered as an envelope)."""

    def __init__(
        self,
        code: int,
        msg: str,
        status: int = 400,
        headers: Mapping[str, str] | None = None,
        error: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{code}: {msg}")
        self.code = code
        self.msg = msg
        self.status = status
        self.headers = dict(headers or {})
        self.error = dict(error) if error else None  # the envelope's ``error`` object


def invalid(msg: str) -> ApiError:
    """The generic "invalid parameter" error, with a message naming the problem."""
    return ApiError(INVALID_PARAM, f"param is invalid: {msg}")


def log_id() -> str:
    """A log id shaped like Feishu's: a timestamp and random hex."""
    return time.strftime("%Y%m%d%H%M%S", time.gmtime()) + secrets.token_hex(12).upper()


def json_response(body: Mapping[str, Any], status: int = 200) -> Response:
    """A JSON response carrying ``X-Tt-Logid`` (and ``X-Request-Id``), as every answer does."""
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    try:
        encoded = data.encode("utf-8")
    except UnicodeEncodeError:  # text UTF-8 cannot carry: the same JSON, escaped
        encoded = json.dumps(body, separators=(",", ":")).encode("ascii")
    response = Response(encoded, status=status, content_type="application/json; charset=utf-8")
    logid = log_id()
    response.headers["X-Tt-Logid"] = logid
    response.headers["X-Request-Id"] = logid
    return response


def success(data: Mapping[str, Any] | None = None) -> Response:
    return json_response({"code": 0, "msg": "success", "data": dict(data or {})})


def error_response(error: ApiError) -> Response:
    body: dict[str, Any] = {"code": error.code, "msg": error.msg, "data": {}}
    if error.error:
        body["error"] = {"log_id": log_id(), **error.error}
    response = json_response(body, error.status)
    response.headers.update(error.headers)
    return response


def json_body(request: Request, *, required: bool = True) -> dict[str, Any]:
    """The body as a JSON object, whatever the Content-Type (the SDK's token call sends none)."""
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise invalid("request body too large") from None
    if not raw.strip():
        if required:
            raise invalid("request body is required")
        return {}
    try:
        body = json.loads(raw, parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError):
        raise invalid("request body is not valid JSON") from None
    except RecursionError:  # a small body can nest deeper than the parser's stack
        raise invalid("request body is nested too deeply") from None
    if not isinstance(body, dict):
        raise invalid("request body must be a JSON object")
    _refuse_lone_surrogates(body)
    return body


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _refuse_lone_surrogates(body: dict[str, Any]) -> None:
    """A ``"\\ud83d"`` escape without its pair parses, but is no Unicode text: JSON text is
    UTF-8 (RFC 8259 §8.1) and such a string cannot be stored or sent back. It is bad input,
    answered like any other (contract §11: a JSON envelope, never a 500)."""
    found = lone_surrogate(body)
    if found is not None:
        raise invalid(f"request body is not Unicode text: lone surrogate U+{ord(found):04X}")


def lone_surrogate(value: Any) -> str | None:
    """The first lone surrogate in any key or text of ``value`` (parsed JSON), or None."""
    stack: list[Any] = [value]
    while stack:  # iterative: a body may nest as deep as the parser allowed
        item = stack.pop()
        if isinstance(item, str):
            found = _SURROGATE.search(item)
            if found:
                return found.group()
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def query_bool(request: Request, name: str, default: bool = False) -> bool:
    """Query booleans: the SDK sends "True"/"False", others send "true"/"1"."""
    value = request.args.get(name)
    if value is None or value == "":
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise invalid(f"{name} must be a boolean")


def employee_type(request: Request, *, required: bool = True) -> str:
    value = request.args.get("employee_type")
    if value is None and not required:
        return "employee_id"
    if value not in EMPLOYEE_TYPES:
        raise invalid("employee_type invalid")
    return value


def string_list(body: Mapping[str, Any], name: str, *, min_len: int, max_len: int) -> list[str]:
    """A required list of non-empty strings with a length bound."""
    value = body.get(name)
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise invalid(f"{name} must be a list of strings")
    if not min_len <= len(value) <= max_len:
        raise invalid(f"{name} must hold {min_len} to {max_len} items")
    return value
