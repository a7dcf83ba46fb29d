"""The WSGI application: routes every request of the contract to its handler.

Order on a Feishu call: latency, authentication, access (IP whitelist and
scopes), rate limit, the monthly quota, injected 5xx and lock conflicts, the
handler (one transaction), statistics, and finally the "lost response" and
"timeout" faults.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from reconciler.emulator import flows, groups, quota, shifts, tasks
from reconciler.emulator.access import check_access
from reconciler.emulator.admin import run_admin
from reconciler.emulator.auth import authenticate, issue_token
from reconciler.emulator.behaviour import Behaviour
from reconciler.emulator.config import EmulatorConfig
from reconciler.emulator.dialect import QUOTA_EXCEEDED, lock_conflict
from reconciler.emulator.faults import FaultController
from reconciler.emulator.seed import apply_seed
from reconciler.emulator.store import Store
from reconciler.emulator.wire import (
    INVALID_PARAM,
    SHIFT_SYSTEM_ERROR,
    SYSTEM_ERROR,
    UNREAD_BODY,
    ApiError,
    LostResponse,
    ResponseTimeout,
    error_response,
    invalid,
    json_body,
    json_response,
    success,
)

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

log = logging.getLogger(__name__)

TOKEN_ENDPOINT = "auth.tenant_access_token"
_API = "/open-apis/attendance/v1"

Handler = Callable[[Store, Request, dict[str, str], Behaviour], Response]


def _data(handler: Callable[..., dict[str, Any]]) -> Handler:
    """A handler that returns ``data``: answered with ``msg`` "success"."""
    return lambda s, r, a, b: success(handler(s, r, a, b))


@dataclass(frozen=True, slots=True)
class Route:
    """One route of the emulator: where, how, its endpoint name and what answers it.

    ``handler`` is None for the routes the app answers itself: the token call
    (before any authentication) and the ``/_emulator`` administration.
    """

    path: str
    methods: tuple[str, ...]
    endpoint: str
    handler: Handler | None = None


def _groups() -> Iterator[Route]:
    # The group reads answer the same in every dialect (their pages are current).
    for path, method, endpoint, read in groups.ROUTES:
        yield Route(path, (method,), endpoint, _data(lambda s, r, a, b, h=read: h(s, r, a)))


#: Every route, once: the URL map and the handler lookup are both made from it.
ROUTES: tuple[Route, ...] = (
    Route("/open-apis/auth/v3/tenant_access_token/internal", ("POST",), TOKEN_ENDPOINT),
    Route(
        f"{_API}/shifts",
        ("POST",),
        "shift.create",
        _data(lambda s, r, a, b: shifts.create(s, r, b)),
    ),
    Route(
        f"{_API}/shifts",
        ("GET",),
        "shift.list",
        _data(lambda s, r, a, b: shifts.list_page(s, r, b)),
    ),
    Route(
        f"{_API}/shifts/query",
        ("POST",),
        "shift.query",
        _data(lambda s, r, a, b: shifts.query(s, r, b)),
    ),
    Route(
        f"{_API}/shifts/<shift_id>",
        ("GET",),
        "shift.get",
        _data(lambda s, r, a, b: shifts.get(s, a["shift_id"], b)),
    ),
    Route(
        f"{_API}/shifts/<shift_id>",
        ("DELETE",),
        "shift.delete",
        _data(lambda s, r, a, b: shifts.delete(s, a["shift_id"], b)),
    ),
    Route(
        f"{_API}/user_flows/batch_create",
        ("POST",),
        "user_flow.batch_create",
        _data(lambda s, r, a, b: flows.batch_create(s, r, b)),
    ),
    Route(
        f"{_API}/user_flows/query",
        ("POST",),
        "user_flow.query",
        _data(lambda s, r, a, b: flows.query(s, r, b)),
    ),
    # batch_del says in msg why ids failed (current dialect), so it answers whole.
    Route(
        f"{_API}/user_flows/batch_del",
        ("POST",),
        "user_flow.batch_del",
        lambda s, r, a, b: json_response(flows.batch_del(s, r, b)),
    ),
    Route(
        f"{_API}/user_flows/<user_flow_id>",
        ("GET",),
        "user_flow.get",
        _data(lambda s, r, a, b: flows.get(s, r, a["user_flow_id"])),
    ),
    Route(
        f"{_API}/user_tasks/query",
        ("POST",),
        "user_task.query",
        _data(lambda s, r, a, b: tasks.query(s, r)),
    ),
    *_groups(),
    Route("/_emulator/reset", ("POST",), "admin.reset"),
    Route("/_emulator/seed", ("POST",), "admin.seed"),
    Route("/_emulator/clock", ("GET", "PUT", "DELETE"), "admin.clock"),
    Route("/_emulator/faults", ("GET", "PUT", "PATCH", "DELETE"), "admin.faults"),
    Route("/_emulator/stats", ("GET", "DELETE"), "admin.stats"),
)

_HANDLERS: dict[str, Handler] = {r.endpoint: r.handler for r in ROUTES if r.handler is not None}


def _url_map() -> Map:
    rules = (
        Rule(r.path, methods=list(r.methods), endpoint=r.endpoint, strict_slashes=False)
        for r in ROUTES
    )
    return Map(list(rules), merge_slashes=False)


class EmulatorApp:
    """The offline Feishu attendance API as a WSGI callable; state in SQLite."""

    def __init__(
        self,
        db: str | os.PathLike[str] = ":memory:",
        *,
        config: EmulatorConfig | None = None,
        seed: Mapping[str, Any] | None = None,
    ) -> None:
        self.config = config or EmulatorConfig()
        self.store = Store(db, seed=self.config.seed)
        self.faults = FaultController(self.config, self.store.random)
        self.url_map = _url_map()
        if seed:
            try:
                apply_seed(self.store, seed)
            except BaseException:
                self.store.close()
                raise

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        _fix_path_encoding(environ)
        request = Request(environ)
        request.max_content_length = self.config.max_body_bytes
        if (request.content_length or 0) > self.config.max_body_bytes:
            environ[UNREAD_BODY] = True
        else:
            try:  # always drained, so a kept-alive connection stays usable
                request.get_data(cache=True)
            except (HTTPException, OSError, ValueError):
                environ[UNREAD_BODY] = True  # a truncated body: answer, then hang up
                return error_response(invalid("request body incomplete"))(environ, start_response)
        response = self.handle(request)
        return response(environ, start_response)

    def handle(self, request: Request) -> Response:
        """Route one request; every answer, errors included, is a JSON envelope."""
        try:
            if (request.content_length or 0) > self.config.max_body_bytes:
                raise invalid("request body too large")
            _check_query_encoding(request)
            adapter = self.url_map.bind_to_environ(request.environ)
            endpoint, args = adapter.match()
        except ApiError as exc:
            return error_response(exc)
        except MethodNotAllowed:
            msg = f"method {request.method} not allowed on {request.path}"
            return error_response(ApiError(INVALID_PARAM, msg, status=405))
        except HTTPException:
            return error_response(ApiError(INVALID_PARAM, f"no such API: {request.path}", 404))
        if endpoint.startswith("admin."):
            return self._admin(endpoint, request)
        return self._feishu(endpoint, request, dict(args))

    def _admin(self, endpoint: str, request: Request) -> Response:
        try:
            return success(run_admin(endpoint, self.store, self.faults, request))
        except ApiError as exc:
            return error_response(exc)
        except Exception:
            log.exception("emulator admin request failed")
            return error_response(ApiError(SYSTEM_ERROR, "internal server error", status=500))

    def _feishu(self, endpoint: str, request: Request, args: dict[str, str]) -> Response:
        code = 0
        try:
            self.faults.delay(endpoint)
            response = self._call(endpoint, request, args)
        except ApiError as exc:
            code, response = exc.code, error_response(exc)
            if code == QUOTA_EXCEEDED:
                self.faults.count_quota_refusal(endpoint)
        except Exception:
            # A bug must still answer like Feishu: a JSON envelope, no traceback to the client.
            log.exception("emulator request failed: %s", endpoint)
            code = SYSTEM_ERROR
            response = error_response(ApiError(SYSTEM_ERROR, "internal server error", status=500))
        self.faults.record(endpoint, code)
        if code == 0:
            self._maybe_lose(endpoint)
        return response

    def _maybe_lose(self, endpoint: str) -> None:
        """After a commit: drop the answer, or withhold it as a timeout would."""
        if self.faults.roll_lost(endpoint):
            raise LostResponse(f"{endpoint}: committed, response lost (injected)")
        seconds = self.faults.roll_timeout(endpoint)
        if seconds is not None:
            raise ResponseTimeout(f"{endpoint}: committed, response timed out (injected)", seconds)

    def _call(self, endpoint: str, request: Request, args: dict[str, str]) -> Response:
        if endpoint == TOKEN_ENDPOINT:
            body = json_body(request)
            # Unknown apps share one window, so made-up app ids cannot grow the table.
            known = body.get("app_id") == self.config.app_id
            self.faults.admit(endpoint, self.config.app_id if known else "")
            self._maybe_fail(endpoint)
            return json_response(issue_token(self.store, self.config, body))
        app_id = authenticate(self.store, request)
        behaviour = self.faults.behaviour
        check_access(behaviour, endpoint, request)
        self.faults.admit(endpoint, app_id)
        limit = behaviour.monthly_quota
        if limit:
            quota.reserve(self.store, limit)
        try:
            self._maybe_fail(endpoint)
            if self.faults.roll_conflict(endpoint):
                raise lock_conflict()
            return _HANDLERS[endpoint](self.store, request, args, behaviour)
        except BaseException:
            if limit:
                quota.refund(self.store)  # failed calls do not count
            raise

    def _maybe_fail(self, endpoint: str) -> None:
        if self.faults.roll_error(endpoint):
            code = SHIFT_SYSTEM_ERROR if endpoint.startswith("shift.") else SYSTEM_ERROR
            raise ApiError(code, "internal server error (injected)", status=500)

    def close(self) -> None:
        """Close the database; the app answers no more requests."""
        self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _check_query_encoding(request: Request) -> None:
    """A query string is UTF-8 once percent-decoded (RFC 3986 §2.5); raw bytes that are not
    are bad input, answered with an envelope like any other (contract §11)."""
    try:
        request.query_string.decode("utf-8")
    except UnicodeDecodeError:
        raise invalid("query string is not UTF-8") from None


def _fix_path_encoding(environ: WSGIEnvironment) -> None:
    """PEP 3333 wants the path as latin-1 "bytes in a str"; httpx.WSGITransport passes text."""
    path = environ.get("PATH_INFO", "")
    try:
        path.encode("latin-1")
    except UnicodeEncodeError:
        environ["PATH_INFO"] = path.encode("utf-8", "replace").decode("latin-1")


def create_app(
    db: str | os.PathLike[str] = ":memory:",
    *,
    config: EmulatorConfig | None = None,
    seed: Mapping[str, Any] | None = None,
) -> EmulatorApp:
    """A ready emulator: ``db`` is a SQLite file (its directory is created) or ":memory:".

    Raises ``SeedError`` (a ValueError) when the seed document is malformed and
    ``StateError`` when ``db`` cannot hold the state (not SQLite, not writable).
    """
    return EmulatorApp(db, config=config, seed=seed)


__all__ = ["ROUTES", "EmulatorApp", "Route", "create_app"]
