"""``FeishuClient``: the ten attendance calls as typed methods over one paced, retrying transport.

Thread-safe: apply runs operations from several threads through one client.
Every call is counted (``stats``); closing the client logs what the run spent.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import httpx

from reconciler.feishu.ahead import read_ahead
from reconciler.feishu.auth import Secret
from reconciler.feishu.calls import Call, Endpoint
from reconciler.feishu.endpoints import (
    SHIFT_CREATE,
    SHIFT_DELETE,
    SHIFT_GET,
    SHIFT_LIST,
    SHIFT_QUERY,
)
from reconciler.feishu.envelope import Envelope
from reconciler.feishu.errors import FeishuError, NotFound
from reconciler.feishu.flow_calls import FlowCalls
from reconciler.feishu.limits import PAGE_SIZE
from reconciler.feishu.reader import ReadNotes
from reconciler.feishu.retry import RetryPolicy
from reconciler.feishu.stats import EndpointStats, calls_line
from reconciler.feishu.transport import Transport
from reconciler.feishu.wire import shift_from_wire, shift_to_wire
from reconciler.model import CurrentShift, Shift, normalize_name

if TYPE_CHECKING:
    from reconciler.feishu.groups import GroupCalls

__all__ = ["FeishuClient"]

log = logging.getLogger("reconciler.feishu")


class FeishuClient(FlowCalls):
    """Typed calls to the Feishu attendance API; ``http`` carries the endpoint as ``base_url``.

    ``no_need_inverted_on_read``: get/list/query answers carry ``no_need_on/off``
    inverted (as those pages say); ``no_need_inverted_in_answers``: so does the
    answer of a create or update. ``rate_limit`` caps every endpoint's documented
    rate; ``rate_limit_per_minute`` (0: none) caps each endpoint per minute.
    """

    def __init__(
        self,
        http: httpx.Client,
        *,
        app_id: str,
        app_secret: Secret,
        rate_limit: float = 50.0,
        rate_limit_per_minute: int = 0,
        no_need_inverted_on_read: bool = False,
        no_need_inverted_in_answers: bool = False,
        max_retry_seconds: float = 120.0,
        backoff_base: float = 0.25,
        backoff_cap: float = 20.0,
        token_refresh_margin: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        retry = RetryPolicy(max_retry_seconds, backoff_base, backoff_cap)
        self._t = Transport(
            http,
            app_id=app_id,
            app_secret=app_secret,
            rate_limit=rate_limit,
            per_minute=rate_limit_per_minute,
            retry=retry,
            token_margin=token_refresh_margin,
            clock=clock,
            sleep=sleep,
            rng=rng,
        )
        self.inverted_on_read = no_need_inverted_on_read
        self.inverted_in_answers = no_need_inverted_in_answers
        self.read_notes = ReadNotes()
        self._closed = False

    @functools.cached_property
    def groups(self) -> GroupCalls:
        """Attendance-group reads (list, get, search, members, rota schedules).

        Built on first use: a listing never imports them.
        """
        from reconciler.feishu.groups import GroupCalls

        return GroupCalls(self._t)

    def __repr__(self) -> str:
        return f"FeishuClient(base_url={str(self._t.http.base_url)!r}, app_id={self._t.app_id!r})"

    @property
    def app_id(self) -> str:
        return self._t.app_id

    @property
    def stats(self) -> Mapping[str, EndpointStats]:
        """HTTP requests so far per endpoint, by the SDK's names (``shift.list`` …)."""
        return self._t.stats.snapshot()

    @property
    def calls(self) -> int:
        """HTTP requests this client has sent (tokens, retries and look-ups included)."""
        return self._t.stats.total().requests

    def calls_line(self) -> str:
        """``7 API calls (7 succeeded): shift.create 3, …``."""
        return calls_line(self.stats)

    # -- shifts ---------------------------------------------------------------

    def list_shifts(self, page_size: int = PAGE_SIZE) -> Iterator[CurrentShift]:
        """Every shift, following ``page_token`` to the end; a failed page raises.

        The next page is requested while this one is read (``read_ahead``), so reading
        thousands of shifts costs the listing no time between its calls.
        """
        for items in read_ahead(self._shift_pages(page_size), name="shiftctl-list-ahead"):
            for item in items:
                yield self._listed(item)

    def _shift_pages(self, page_size: int) -> Iterator[list[Any]]:
        """The raw shift objects of each page, in order; the page tokens checked."""
        token: str | None = None
        seen: set[str] = set()
        while True:
            params = {"page_size": str(page_size)}
            if token:
                params["page_token"] = token
            page, token, has_more = self._t.call(Call(SHIFT_LIST, params=params), self._page)
            yield page
            if not has_more:
                return
            # An incomplete listing would look like deletions to the plan: fail instead.
            if not token or token in seen:
                problem = "gives no page_token" if not token else "repeats a page_token"
                raise FeishuError(f"the shift list {problem}", path=SHIFT_LIST.route)
            seen.add(token)

    def _listed(self, item: Any) -> CurrentShift:
        try:
            return self._read(item)
        except (TypeError, ValueError) as exc:  # as the transport says of any answer
            raise FeishuError(
                f"unexpected answer ({type(exc).__name__}: {exc})",
                code=0,
                method=SHIFT_LIST.method,
                path=SHIFT_LIST.route,
            ) from None

    def get_shift(self, shift_id: str) -> CurrentShift:
        call = Call(SHIFT_GET, path_params={"shift_id": shift_id})
        return self._t.call(call, self._read)

    def query_shift(self, name: str) -> CurrentShift | None:
        """The shift called ``name``, or None when Feishu has none ("shift does not exist")."""
        call = Call(SHIFT_QUERY, params={"shift_name": name})
        try:
            found = self._t.call(call, self._read)
        except NotFound:
            return None
        # Feishu may match loosely; only the same name (after NFC and trimming) is this shift.
        return found if found.key == normalize_name(name) else None

    def create_shift(self, shift: Shift) -> CurrentShift:
        """Create ``shift``; an unknown outcome is checked by name, so no duplicate appears."""
        return self._write_shift(shift, shift_id=None)

    def update_shift(self, shift_id: str, shift: Shift) -> CurrentShift:
        """Replace ``shift_id``'s definition in place (create with ``id``); the id is kept.

        The body spells out every field, defaults included, so a server that
        merges updates ends where one that replaces does.
        """
        return self._write_shift(shift, shift_id=shift_id)

    def _write_shift(self, shift: Shift, *, shift_id: str | None) -> CurrentShift:
        call = Call(
            SHIFT_CREATE,
            params={"employee_type": "employee_id"},
            body=shift_to_wire(shift, shift_id=shift_id, full=shift_id is not None),
            shift_name=shift.shift_name,
        )

        def verify() -> CurrentShift | None:
            found = self.query_shift(shift.shift_name)
            if found is None or found.shift != shift:
                return None
            return found if shift_id is None or found.shift_id == shift_id else None

        return self._t.call(call, self._answer, idempotent=False, verify=verify)

    def delete_shift(self, shift_id: str) -> None:
        """Delete; when an earlier attempt's answer was lost, "not found" means done."""
        call = Call(SHIFT_DELETE, path_params={"shift_id": shift_id})

        def verify() -> bool | None:
            try:
                self.get_shift(shift_id)
            except NotFound:
                return True
            return None

        self._t.call(call, lambda _: True, verify=verify)

    def _read(self, data: Mapping[str, Any]) -> CurrentShift:
        return shift_from_wire(data, inverted=self.inverted_on_read, notes=self.read_notes)

    def _answer(self, data: Mapping[str, Any]) -> CurrentShift:
        shift = data["shift"]
        return shift_from_wire(shift, inverted=self.inverted_in_answers, notes=self.read_notes)

    @staticmethod
    def _page(data: Mapping[str, Any]) -> tuple[list[Any], str | None, bool]:
        shifts = data.get("shift_list") or []
        if not isinstance(shifts, list):
            raise TypeError("shift_list is not a list")
        token = data.get("page_token") or None
        if token is not None and not isinstance(token, str):
            raise TypeError("page_token is not a string")
        return shifts, token, bool(data.get("has_more"))

    # -- anything else, paced, retried and classified like the calls above ----------

    def token_seconds(self) -> float:
        """Fetch the tenant token (or reuse it); the seconds it had left when fetched."""
        return self._t.token_seconds()

    def request(
        self,
        endpoint: Endpoint,
        *,
        path_params: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        shift_name: str | None = None,
        idempotent: bool = True,
    ) -> Envelope:
        """One call to ``endpoint``; the answer's ``data`` as sent (no conversion).

        For calls with no typed method (``shiftctl doctor``'s probes, new endpoints).
        A write that is not ``idempotent`` is never resent after an unknown outcome.
        """
        call = Call(
            endpoint,
            path_params=dict(path_params or {}),
            params=dict(params or {}),
            body=body,
            shift_name=shift_name,
        )
        return self._t.call(call, dict, idempotent=idempotent)

    # -- lifetime ------------------------------------------------------------

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            log.info("%s", self.calls_line())
        self._t.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
