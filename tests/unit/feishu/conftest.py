"""A scripted Feishu behind ``httpx.MockTransport`` and a fake clock, for the client's unit tests.

The contract suite (tests/contract) runs the same client against the real emulator;
these tests cover what the emulator cannot be made to do on demand.
"""

from __future__ import annotations

import random
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from reconciler.feishu import FeishuClient
from reconciler.secret import Secret

BASE_URL = "https://open.feishu.cn"
TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal"
APP_SECRET = "sekrit-app-secret-0123456789"

Answer = httpx.Response | BaseException | Callable[[httpx.Request], httpx.Response]


class FakeClock:
    """Monotonic time that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class ScriptedFeishu:
    """Token requests get fresh tokens; other requests pop answers queued per method and path.

    The last answer of a queue repeats, so ``add(..., fail)`` means "always fails".
    """

    def __init__(self) -> None:
        self.queues: dict[tuple[str, str], deque[Answer]] = defaultdict(deque)
        self.requests: list[httpx.Request] = []
        self.tokens_issued: list[str] = []
        self.expire = 7200

    def add(self, method: str, path: str, *answers: Answer) -> None:
        self.queues[(method, path)].extend(answers)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == TOKEN_PATH:
            token = f"t-token{len(self.tokens_issued):04d}deadbeef"
            self.tokens_issued.append(token)
            body = {"code": 0, "msg": "ok", "tenant_access_token": token, "expire": self.expire}
            return httpx.Response(200, json=body)
        queue = self.queues[(request.method, request.url.path)]
        if not queue:
            return self.error(
                404, 404, f"no scripted answer for {request.method} {request.url.path}"
            )
        answer = queue.popleft() if len(queue) > 1 else queue[0]
        if isinstance(answer, BaseException):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return answer(request)

    @staticmethod
    def ok(data: Any = None, *, status: int = 200) -> httpx.Response:
        return httpx.Response(status, json={"code": 0, "msg": "success", "data": data or {}})

    @staticmethod
    def error(
        status: int, code: int, msg: str = "failed", headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return httpx.Response(status, json={"code": code, "msg": msg}, headers=headers)

    def business(self, path: str | None = None) -> list[httpx.Request]:
        """Requests other than token requests (to ``path`` only, if given)."""
        return [
            r
            for r in self.requests
            if r.url.path != TOKEN_PATH and (path is None or r.url.path == path)
        ]


@pytest.fixture
def app_secret() -> str:
    return APP_SECRET


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def feishu() -> ScriptedFeishu:
    return ScriptedFeishu()


@pytest.fixture
def make_client(feishu: ScriptedFeishu, clock: FakeClock) -> Iterator[Callable[..., FeishuClient]]:
    made: list[FeishuClient] = []

    def make(**options: Any) -> FeishuClient:
        http = httpx.Client(transport=httpx.MockTransport(feishu), base_url=BASE_URL)
        settings: dict[str, Any] = {
            "app_id": "cli_test",
            "app_secret": Secret(APP_SECRET),
            "clock": clock,
            "sleep": clock.sleep,
            "rng": random.Random(7),
            **options,
        }
        client = FeishuClient(http, **settings)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., FeishuClient]) -> FeishuClient:
    return make_client()
