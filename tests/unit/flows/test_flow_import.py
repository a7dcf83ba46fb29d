"""Both passes of an import against the emulator: batches, idempotency, failures, dry runs."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx
import pytest

from reconciler.emulator import DEFAULT_APP_ID, EmulatorApp
from reconciler.errors import PartialApplyError, ShiftctlError
from reconciler.feishu.client import FeishuClient
from reconciler.feishu.errors import AuthError
from reconciler.flows.checking import (
    BadRows,
    InputFile,
    check_file,
    good_rows,
    refuse_bad,
    unknown_users,
    with_unknown_users,
)
from reconciler.flows.send import ImportIncomplete, ImportSummary, send_rows
from reconciler.flows.times import parse_when, zone
from reconciler.secret import Secret

WriteRows = Callable[..., InputFile]
Lines = Callable[..., list[str]]

DAYS = ["2024-03-04", "2024-03-05", "2024-03-06"]
USERS = [f"u{i}" for i in range(1, 21)]
WEEK = (parse_when("2024-03-04", zone("Asia/Shanghai")), parse_when("2024-03-11", zone("UTC")))


def stored(client: FeishuClient, users: list[str] = USERS) -> int:
    return len(client.query_flows(users, *WEEK))


def run(
    client: FeishuClient, write_rows: WriteRows, lines: list[str], **options: object
) -> ImportSummary:
    source = write_rows(lines)
    check = check_file(source)
    refuse_bad(check, source, skip_invalid=False)
    return send_rows(client, good_rows(source, frozenset()), employee_type="employee_id", **options)


def test_rows_go_out_in_batches_of_50_and_a_second_import_stores_nothing(
    client: FeishuClient, write_rows: WriteRows, punch_csv: Lines
) -> None:
    lines = punch_csv(USERS, DAYS)  # 120 punches
    seen: list[int] = []
    first = run(client, write_rows, lines, progress=seen.append)
    assert (first.imported, first.present, first.batches, first.complete) == (120, 0, 3, True)
    assert seen == [50, 50, 20]
    assert stored(client) == 120
    creates = client.stats["user_flow.batch_create"].requests
    second = run(client, write_rows, lines)
    assert (second.imported, second.present, second.batches) == (0, 120, 0)
    assert client.stats["user_flow.batch_create"].requests == creates
    assert stored(client) == 120


def test_a_partly_stored_file_sends_only_the_new_rows(
    client: FeishuClient, write_rows: WriteRows, punch_csv: Lines
) -> None:
    run(client, write_rows, punch_csv(USERS[:5], DAYS[:1]))
    summary = run(client, write_rows, punch_csv(USERS[:5], DAYS[:2]))
    assert (summary.imported, summary.present) == (10, 10)
    assert stored(client) == 20


def test_a_row_repeated_in_the_file_is_stored_once(
    client: FeishuClient, write_rows: WriteRows, punch_csv: Lines
) -> None:
    lines = punch_csv(USERS, DAYS[:1])  # 40 rows: the repeats land in the same and the next batch
    summary = run(client, write_rows, [*lines, *lines[1:6], *lines[30:41]])
    assert (summary.imported, summary.present) == (40, 16)
    assert stored(client) == 40


def test_repeats_of_batches_still_in_flight_are_caught(
    client: FeishuClient, write_rows: WriteRows, punch_csv: Lines
) -> None:
    lines = punch_csv(USERS, DAYS)  # 120 rows; then rows of batches 2 and 3 again
    summary = run(client, write_rows, [*lines, *lines[51:121], *lines[51:61]])
    assert summary.failed == (), summary
    assert (summary.imported, summary.present) == (120, 80)
    assert stored(client) == 120
    assert client.stats["user_flow.batch_create"].requests == 3


def test_a_punch_stored_some_other_way_counts_as_present_by_its_identity(
    client: FeishuClient, write_rows: WriteRows, punch_csv: Lines
) -> None:
    lines = punch_csv(["u1"], DAYS[:1])
    run(client, write_rows, lines)
    # Same punch, other comment: the identity (who, when, where) is what counts.
    summary = run(client, write_rows, [lines[0], lines[1].replace(",door", ",badge")])
    assert (summary.imported, summary.present) == (0, 1)


def test_a_dry_run_looks_up_but_sends_nothing(
    client: FeishuClient, write_rows: WriteRows, punch_csv: Lines
) -> None:
    run(client, write_rows, punch_csv(USERS[:2], DAYS[:1]))
    summary = run(client, write_rows, punch_csv(USERS[:4], DAYS[:1]), dry_run=True)
    assert summary.dry_run
    assert (summary.imported, summary.present, summary.batches) == (4, 4, 0)
    assert stored(client) == 4


def test_failed_batches_list_their_lines_and_repeated_failures_stop_the_rest(
    feishu: EmulatorApp,
    client: FeishuClient,
    write_rows: WriteRows,
    punch_csv: Lines,
    set_faults: Callable[..., None],
    client_for: Callable[..., FeishuClient],
) -> None:
    set_faults(feishu, endpoints={"user_flow.batch_create": {"error_rate": 1.0}})
    # 300 rows on lines 2-301, six batches; two are in flight when the third failure is seen.
    lines = punch_csv(USERS, [*DAYS, "2024-03-07", "2024-03-08"], ("08:55", "12:00", "18:05"))
    with client_for(feishu, max_retry_seconds=0.05) as quick:
        summary = run(quick, write_rows, lines)
    assert [(batch.lines[0], len(batch.lines)) for batch in summary.failed] == [
        (2, 50),
        (52, 50),
        (102, 50),
        (152, 50),
    ]
    assert (summary.not_sent, summary.not_sent_from) == (100, 202)
    assert "internal server error" in summary.failed[0].reason
    assert not summary.complete
    assert "300 rows not imported (200 failed, 100 not sent)" in str(ImportIncomplete(summary))
    assert stored(client) == 0


def test_a_file_that_changes_between_the_passes_is_not_taken_for_complete(
    client: FeishuClient, write_rows: WriteRows, punch_csv: Lines
) -> None:
    source = write_rows(punch_csv(USERS, DAYS[:1]))
    check = check_file(source)
    source.path.write_text("\n".join(punch_csv(USERS[:3], DAYS[:1])), encoding="utf-8")
    summary = send_rows(client, good_rows(source, frozenset()), employee_type="employee_id")
    assert summary.complete
    with pytest.raises(PartialApplyError, match="changed while it was imported: 40 good rows"):
        summary.raise_if_incomplete(checked=check.good, name="f")


def test_a_refused_user_fails_only_their_rows_and_the_next_batches_still_go(
    client: FeishuClient, write_rows: WriteRows, punch_csv: Lines
) -> None:
    lines = punch_csv(USERS, DAYS)
    # Lines 62 and 63, in the second batch: a user Feishu refuses (1220004) for the batch.
    lines[61:61] = ["ghost,2024-03-05T09:00:00+08:00,HQ,", "ghost,2024-03-05T18:00:00+08:00,HQ,"]
    source = write_rows(lines)
    summary = send_rows(client, good_rows(source, frozenset()), employee_type="employee_id")
    assert [batch.lines for batch in summary.failed] == [(62, 63)]
    assert "1220004" in summary.failed[0].reason
    assert (summary.imported, summary.failed_rows) == (120, 2)
    assert stored(client) == 120
    # The refused batch went again, one call per user in it (the ghost and 20 others).
    assert client.stats["user_flow.batch_create"].requests == summary.batches == 3 + 21
    del lines[61:63]
    again = run(client, write_rows, lines)
    assert (again.imported, again.present, again.complete) == (0, 120, True)


def test_batches_refused_for_every_user_still_count_towards_stopping(
    client: FeishuClient, write_rows: WriteRows, punch_csv: Lines
) -> None:
    ghosts = [f"ghost{i}" for i in range(1, 11)]
    days = [*DAYS, "2024-03-07", "2024-03-08"]
    times = ("08:55", "10:00", "12:00", "14:00", "16:00", "18:05")
    summary = run(client, write_rows, punch_csv(ghosts, days, times))  # 300 rows, 6 batches
    assert summary.imported == 0
    # Four batches went (two were in flight at the third failure), each user on their own.
    assert summary.failed_rows == 200
    assert all("1220004" in batch.reason for batch in summary.failed)
    assert (summary.not_sent, summary.not_sent_from) == (100, 202)


def test_lost_answers_are_retried_without_storing_twice(
    feishu: EmulatorApp,
    client: FeishuClient,
    write_rows: WriteRows,
    punch_csv: Lines,
    set_faults: Callable[..., None],
) -> None:
    set_faults(feishu, endpoints={"user_flow.batch_create": {"lost_rate": 0.5}})
    summary = run(client, write_rows, punch_csv(USERS, DAYS))
    assert summary.complete
    assert summary.imported == 120
    assert stored(client) == 120
    assert client.stats["user_flow.batch_create"].retries > 0


def test_refused_credentials_before_anything_is_stored_are_a_plain_error(
    feishu: EmulatorApp, client: FeishuClient, write_rows: WriteRows, punch_csv: Lines
) -> None:
    http = httpx.Client(transport=httpx.WSGITransport(app=feishu), base_url="http://e")
    with (
        FeishuClient(http, app_id=DEFAULT_APP_ID, app_secret=Secret("wrong"), rate_limit=0) as bad,
        pytest.raises(AuthError),
    ):
        run(bad, write_rows, punch_csv(["u1"], DAYS[:1]))
    assert stored(client, ["u1"]) == 0


def test_unknown_users_become_row_problems_with_their_lines(
    client: FeishuClient, write_rows: WriteRows, punch_csv: Lines
) -> None:
    lines = punch_csv(["u1", "ghost", "u2"], DAYS[:1])
    source = write_rows(lines)
    check = check_file(source)
    invalid = unknown_users(client, check.users, employee_type="employee_id")
    assert invalid == {"ghost"}
    checked = with_unknown_users(source, check, invalid)
    assert [p.line for p in checked.problems] == [4, 5]
    assert checked.problems[0].message == "user_id: 'ghost' is not a known user"
    assert checked.good == 4
    with pytest.raises(BadRows, match="2 bad rows: nothing was sent; --skip-invalid"):
        refuse_bad(checked, source, skip_invalid=False)
    refuse_bad(checked, source, skip_invalid=True)
    summary = send_rows(client, good_rows(source, invalid), employee_type="employee_id")
    assert summary.imported == 4


def test_users_are_checked_fifty_at_a_time(client: FeishuClient) -> None:
    users = {f"u{i}" for i in range(1, 61)} | {"x1", "x2"}
    assert unknown_users(client, users, employee_type="employee_id") == {"x1", "x2"}
    assert client.stats["user_task.query"].requests == 2


def test_staff_numbers_work_as_user_ids(
    client: FeishuClient, write_rows: WriteRows, punch_csv: Lines
) -> None:
    lines = punch_csv(["1001", "1002"], DAYS[:1])
    source = write_rows(lines)
    assert unknown_users(client, {"1001", "1002", "u1"}, employee_type="employee_no") == {"u1"}
    summary = send_rows(client, good_rows(source, frozenset()), employee_type="employee_no")
    assert summary.imported == 4
    assert stored(client, ["u1", "u2"]) == 4


def test_a_stop_lets_the_batches_in_flight_finish_and_counts_every_later_row(
    client: FeishuClient, write_rows: WriteRows, punch_csv: Lines
) -> None:
    lines = punch_csv(USERS, [*DAYS, "2024-03-07", "2024-03-08"])  # 200 rows, four batches
    stop = threading.Event()
    summary = run(client, write_rows, lines, progress=lambda _: stop.set(), stop=stop)
    assert summary.interrupted
    assert summary.failed == ()
    assert summary.imported + summary.not_sent == 200
    assert 0 < summary.imported < 200
    assert summary.not_sent_from == 2 + summary.imported
    assert stored(client) == summary.imported
    assert str(ImportIncomplete(summary)).startswith(f"interrupted: {summary.not_sent} rows")
    again = run(client, write_rows, lines)
    assert (again.imported, again.present, again.complete) == (
        summary.not_sent,
        200 - again.imported,
        True,
    )


def test_an_incomplete_dry_run_is_a_plain_error_not_a_partial_import(
    client: FeishuClient, write_rows: WriteRows, punch_csv: Lines
) -> None:
    lines = punch_csv(USERS, DAYS)  # 120 rows, three batches
    stop = threading.Event()
    summary = run(client, write_rows, lines, dry_run=True, progress=lambda _: stop.set(), stop=stop)
    assert summary.interrupted
    assert summary.not_sent > 0
    with pytest.raises(ShiftctlError) as caught:
        summary.raise_if_incomplete(checked=120, name="f")
    assert caught.value.exit_code == 1
    assert not isinstance(caught.value, PartialApplyError)
    assert "the dry run was interrupted" in str(caught.value)
    assert "nothing was sent" in str(caught.value)
    assert stored(client) == 0
