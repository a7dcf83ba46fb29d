"""Under injected 5xx, lost-after-commit answers, timeouts and a tight rate limit, writes converge
exactly."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from reconciler.feishu import FeishuClient
from reconciler.model import CurrentShift, Shift

MakeShift = Callable[..., Shift]
UPDATES = 80
CREATES = 120
RATE = 100


def test_creates_and_updates_under_faults_end_exactly_as_intended(
    target, make_client: Callable[..., FeishuClient], make_shift: MakeShift
) -> None:
    setup = make_client()
    old = [make_shift(f"old{n:03d}") for n in range(UPDATES)]
    seeded = target.admin.seed({"shifts": [shift.to_mapping() for shift in old]})["shifts"]
    wanted_updates = {e["shift_id"]: make_shift(e["shift_name"], on_time="10:15") for e in seeded}
    wanted_creates = [make_shift(f"new{n:03d}", on_time="8:45") for n in range(CREATES)]

    target.admin.faults(error_rate=0.2, lost_rate=0.1, rate_limit=RATE)
    target.admin.reset_stats()
    client = make_client(rate_limit=RATE)
    with ThreadPoolExecutor(max_workers=8) as pool:
        creates = [pool.submit(client.create_shift, shift) for shift in wanted_creates]
        updates = [pool.submit(client.update_shift, i, s) for i, s in wanted_updates.items()]
        results: list[CurrentShift] = [f.result(timeout=60) for f in creates + updates]
    stats = target.admin.stats()
    target.admin.faults(error_rate=0.0, lost_rate=0.0, rate_limit=0)

    remote = list(setup.list_shifts())
    names = [r.name for r in remote]
    assert len(names) == len(set(names)) == UPDATES + CREATES
    by_name = {r.name: r for r in remote}
    for shift in wanted_creates:
        assert by_name[shift.shift_name].shift == shift
    for shift_id, shift in wanted_updates.items():
        assert by_name[shift.shift_name].shift_id == shift_id
        assert by_name[shift.shift_name].shift == shift
    assert {r.name for r in results} == set(by_name)

    create = stats["shift.create"]
    assert create["faults_injected"] > 0
    assert create["lost"] > 0
    requests = sum(s["requests"] for s in stats.values())
    limited = sum(s["rate_limited"] for s in stats.values())
    assert limited <= 0.01 * requests, stats


def test_writes_whose_answers_time_out_after_the_commit_converge(
    target, make_client: Callable[..., FeishuClient], make_shift: MakeShift
) -> None:
    setup = make_client()
    seeded = target.admin.seed({"shifts": [make_shift(f"old{n}").to_mapping() for n in range(8)]})
    wanted_updates = {
        e["shift_id"]: make_shift(e["shift_name"], on_time="10:15") for e in seeded["shifts"]
    }
    wanted_creates = [make_shift(f"new{n}", on_time="8:45") for n in range(12)]
    # Served, the answer is withheld longer than the client waits: it sees a read timeout.
    target.admin.faults(endpoints={"shift.create": {"timeout_rate": 0.4, "timeout_ms": 1500}})
    target.admin.reset_stats()
    client = make_client(http_timeout=0.5)
    with ThreadPoolExecutor(max_workers=4) as pool:
        creates = [pool.submit(client.create_shift, shift) for shift in wanted_creates]
        updates = [pool.submit(client.update_shift, i, s) for i, s in wanted_updates.items()]
        for future in creates + updates:
            future.result(timeout=60)
    timed_out = target.admin.stats()["shift.create"]["timed_out"]
    target.admin.faults(endpoints={"shift.create": None})

    listed = list(setup.list_shifts())
    assert len(listed) == len({r.name for r in listed}) == 20  # no duplicate, none missing
    remote = {r.name: r for r in listed}
    for shift in wanted_creates:
        assert remote[shift.shift_name].shift == shift
    for shift_id, shift in wanted_updates.items():
        assert (remote[shift.shift_name].shift_id, remote[shift.shift_name].shift) == (
            shift_id,
            shift,
        )
    assert timed_out > 0
    # Every withheld answer was a transport error (a slow machine may add a few more).
    assert client.stats["shift.create"].transport_errors >= timed_out
