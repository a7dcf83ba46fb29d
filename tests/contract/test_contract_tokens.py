"""Tokens expiring mid-run, and no secret or token anywhere in logs, output or errors."""

from __future__ import annotations

import logging
import random
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from reconciler.emulator import DEFAULT_APP_ID
from reconciler.feishu import FeishuClient, FeishuError
from reconciler.model import Shift
from reconciler.secret import Secret

MakeShift = Callable[..., Shift]
TOKEN_CALLS = "auth.tenant_access_token"


def test_token_expiring_mid_run_is_refreshed_once(
    target, client: FeishuClient, make_shift: MakeShift
) -> None:
    for n in range(5):
        client.create_shift(make_shift(f"a{n}"))
    assert client.stats[TOKEN_CALLS].requests == 1
    target.admin.advance_clock(7200 + 60)  # every token issued so far has expired
    with ThreadPoolExecutor(max_workers=4) as pool:
        created = list(pool.map(client.create_shift, [make_shift(f"b{n}") for n in range(12)]))
    assert len(created) == 12
    assert client.stats[TOKEN_CALLS].requests == 2
    assert len(list(client.list_shifts())) == 17


def test_token_near_its_end_is_used_until_refused_then_replaced(
    target, client: FeishuClient, make_shift: MakeShift
) -> None:
    client.create_shift(make_shift("a"))
    target.admin.advance_clock(7200 - 600)  # 10 minutes left: still valid on the server
    assert client.query_shift("a") is not None
    assert client.stats[TOKEN_CALLS].requests == 1
    target.admin.advance_clock(1200)  # now expired there
    assert client.query_shift("a") is not None
    assert client.stats[TOKEN_CALLS].requests == 2


def run_everything(
    client: FeishuClient, make_shift: MakeShift, errors: list[BaseException], name: str
) -> None:
    created = client.create_shift(make_shift(name))
    client.update_shift(created.shift_id, make_shift(name, on_time="9:30"))
    list(client.list_shifts())
    for call in (
        lambda: client.get_shift("404404"),
        lambda: client.create_shift(make_shift(name)),
        lambda: client.delete_flows(["1"]),
        lambda: client.get_flow("1"),
    ):
        try:
            call()
        except FeishuError as exc:
            errors.append(exc)


def test_no_secret_or_token_leaks_at_debug_level(
    canary_target,
    make_shift: MakeShift,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    secret = canary_target.app_secret
    errors: list[BaseException] = []
    reprs: list[str] = []
    with caplog.at_level(logging.DEBUG):  # every logger: ours, httpx, httpcore, the emulator's
        client = FeishuClient(
            canary_target.make_http(),
            app_id=DEFAULT_APP_ID,
            app_secret=Secret(secret),
            rate_limit=0,
            max_retry_seconds=5,
            backoff_base=0.001,
            backoff_cap=0.01,
            rng=random.Random(3),
        )
        with client:
            canary_target.admin.faults(error_rate=0.2, lost_rate=0.2)
            run_everything(client, make_shift, errors, "早班")
            canary_target.admin.advance_clock(7300)
            run_everything(client, make_shift, errors, "晚班")
            canary_target.admin.faults(error_rate=0.0, lost_rate=0.0)
            reprs += [repr(client), repr(client.stats), repr(client._t), repr(client._t.tokens)]
        wrong = FeishuClient(
            canary_target.make_http(), app_id=DEFAULT_APP_ID, app_secret=Secret(f"{secret}-wrong")
        )
        with wrong:
            try:
                wrong.list_shifts().__next__()
            except FeishuError as exc:
                errors.append(exc)
            reprs.append(repr(wrong))

    tokens = canary_target.issued_tokens()
    assert len(tokens) >= 2  # the run really used and renewed tokens
    assert len(errors) == 7
    out = capsys.readouterr()
    texts = [caplog.text, out.out, out.err, *reprs]
    texts += [str(r.args) for r in caplog.records]
    for error in errors:
        texts += [str(error), repr(error), "".join(traceback.format_exception(error))]
        texts += [repr(vars(error))]
    for text in texts:
        assert secret not in text
        for token in tokens:
            assert token not in text
    assert "***" in caplog.text  # the token request and answer were logged, redacted
