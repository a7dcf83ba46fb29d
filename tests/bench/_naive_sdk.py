"""The naive way to sync shift files with the official SDK (lark-oapi), one shift at a time.

For each file: read it, query the shift by name, then create it, or update it (create with
``id``) when it differs. Calls are spaced to Feishu's 50/s, as a careful script would do.
"""

from __future__ import annotations

import json
import logging
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import yaml

with warnings.catch_warnings():
    # lark-oapi's bundled protobuf calls datetime.utcfromtimestamp, deprecated on 3.12+.
    warnings.simplefilter("ignore", DeprecationWarning)
    import lark_oapi as lark
    from lark_oapi.api.attendance.v1 import CreateShiftRequest, QueryShiftRequest, Shift

# "shift does not exist": today's 1220600 with a message, or the historical 1226003.
NOT_FOUND = (1220600, 1226003)
RATE_LIMITED = 99991400


@dataclass(frozen=True, slots=True)
class NaiveRun:
    """What the script did and how long it took."""

    shifts: int
    seconds: float
    queries: int
    creates: int
    updates: int
    unchanged: int
    rate_limited: int


class _Script:
    def __init__(self, base_url: str, app_id: str, app_secret: str, rate: float) -> None:
        logging.getLogger("Lark").setLevel(logging.CRITICAL)
        client = (
            lark.Client.builder()
            .app_id(app_id)
            .app_secret(app_secret)
            .domain(base_url)
            .log_level(lark.LogLevel.ERROR)
            .build()
        )
        self.api = client.attendance.v1.shift
        self.interval = 1.0 / rate
        self.next_start = 0.0
        self.rate_limited = 0

    def send(self, call: Callable[[], Any], *, accept: tuple[int, ...] = ()) -> Any:
        """One call, paced; a 429 waits out its reset and goes again; any other error fails."""
        while True:
            pause = self.next_start - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            self.next_start = time.perf_counter() + self.interval
            response = call()
            if response.code == RATE_LIMITED:
                self.rate_limited += 1
                reset = response.raw.headers.get("x-ogw-ratelimit-reset", "1")
                time.sleep(float(reset))
                continue
            if not response.success() and response.code not in accept:
                raise AssertionError(f"the SDK call failed: {response.code} {response.msg}")
            return response


def naive_sync(
    base_url: str, app_id: str, app_secret: str, files: Sequence[Path], rate: float = 50.0
) -> NaiveRun:
    """Sync ``files`` the naive way and count what happened."""
    script = _Script(base_url, app_id, app_secret, rate)
    counts = {"create": 0, "update": 0, "unchanged": 0}
    started = time.perf_counter()
    for path in files:
        desired = yaml.safe_load(path.read_text(encoding="utf-8"))
        query = QueryShiftRequest.builder().shift_name(desired["shift_name"]).build()
        found = script.send(partial(script.api.query, query), accept=NOT_FOUND)
        near = found.success() and (
            json.loads(found.raw.content)["data"]["shift_name"] != desired["shift_name"]
        )  # today's query matches fuzzily: a near match is not this shift
        if found.code in NOT_FOUND or near:
            body = desired
            counts["create"] += 1
        else:
            remote = json.loads(found.raw.content)["data"]
            if _covers(remote, desired):
                counts["unchanged"] += 1
                continue
            body = {**desired, "id": remote["shift_id"]}
            counts["update"] += 1
        create = (
            CreateShiftRequest.builder().employee_type("employee_id").request_body(Shift(body))
        ).build()
        script.send(partial(script.api.create, create))
    return NaiveRun(
        shifts=len(files),
        seconds=time.perf_counter() - started,
        queries=len(files),
        creates=counts["create"],
        updates=counts["update"],
        unchanged=counts["unchanged"],
        rate_limited=script.rate_limited,
    )


def _covers(remote: Any, desired: Any) -> bool:
    """Whether every value the file sets is what the tenant has (the server adds defaults)."""
    if isinstance(desired, dict):
        return isinstance(remote, dict) and all(
            _covers(remote.get(key), value) for key, value in desired.items()
        )
    if isinstance(desired, list):
        return (
            isinstance(remote, list)
            and len(remote) == len(desired)
            and all(_covers(r, d) for r, d in zip(remote, desired, strict=True))
        )
    return bool(remote == desired)
