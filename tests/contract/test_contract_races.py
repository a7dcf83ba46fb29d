"""Races the fault knobs cannot aim: one chosen answer lost while another thread writes.

The real emulator runs in-process behind a small WSGI wrapper that lets the
chosen request through (so it commits) and then drops its answer.
"""

from __future__ import annotations

import io
import json
import random
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import httpx

from reconciler.emulator import DEFAULT_APP_ID, DEFAULT_APP_SECRET, EmulatorConfig, create_app
from reconciler.feishu import FeishuClient
from reconciler.model import Shift
from reconciler.secret import Secret

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class LoseOneAnswer:
    """The first shift write for ``victim`` commits, waits until another write has been
    answered, and then loses its own answer; every other request passes untouched."""

    def __init__(self, app: WSGIApplication, victim: str) -> None:
        self.app = app
        self.victim = victim
        self.other_answered = threading.Event()
        self.lost = False

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        body = environ["wsgi.input"].read()
        environ["wsgi.input"] = io.BytesIO(body)
        is_write = environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"].endswith("/shifts")
        target = json.loads(body).get("id") if is_write else None
        answer = list(self.app(environ, start_response))  # committed from here on
        if is_write and target == self.victim and not self.lost:
            self.lost = True
            assert self.other_answered.wait(timeout=10)
            raise ConnectionResetError("answer lost after the commit")
        if is_write and target != self.victim:
            self.other_answered.set()
        return answer


def _client(app: WSGIApplication) -> FeishuClient:
    http = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://emulator.invalid")
    return FeishuClient(
        http,
        app_id=DEFAULT_APP_ID,
        app_secret=Secret(DEFAULT_APP_SECRET),
        rate_limit=0,
        backoff_base=0.005,
        backoff_cap=0.05,
        rng=random.Random(5),
    )


def test_one_lost_update_among_concurrent_updates_is_settled_without_a_resend(
    make_shift: Callable[..., Shift],
) -> None:
    with create_app(config=EmulatorConfig(rate_limit=0)) as emulator, _client(emulator) as setup:
        first = setup.create_shift(make_shift("早班"))
        second = setup.create_shift(make_shift("晚班", on_time="13:00"))
        wanted = {
            first.shift_id: make_shift("早班", on_time="9:30"),
            second.shift_id: make_shift("晚班"),
        }
        wrapper = LoseOneAnswer(emulator, victim=first.shift_id)
        emulator.faults.reset_statistics()
        with _client(wrapper) as client, ThreadPoolExecutor(max_workers=2) as pool:
            futures = {i: pool.submit(client.update_shift, i, s) for i, s in wanted.items()}
            results = {i: f.result(timeout=30) for i, f in futures.items()}
            transport_errors = client.stats["shift.create"].transport_errors

        assert wrapper.lost
        assert transport_errors == 1
        for shift_id, shift in wanted.items():
            assert (results[shift_id].shift_id, results[shift_id].shift) == (shift_id, shift)
        assert {r.shift_id: r.shift for r in setup.list_shifts()} == wanted
        stats = emulator.faults.statistics()
        assert stats["shift.create"]["requests"] == 2  # neither update was sent twice
        assert stats["shift.query"]["requests"] == 1  # only the lost one was checked
