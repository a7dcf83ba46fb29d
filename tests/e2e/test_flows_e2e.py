"""A week of punches through the real command line against a seeded emulator (a SQLite file).

Import, import again, query, read results as CSV and JSON, delete and see the
results recomputed; then the bad files, each refused with its lines.
"""

from __future__ import annotations

import csv
import io
import json
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from reconciler.cli import Console, main
from reconciler.emulator import EmulatorConfig, create_app, serving

SHIFT = {
    "shift_name": "Office 9-18",
    "punch_times": 1,
    "punch_time_rule": [
        {
            "on_time": "9:00",
            "off_time": "18:00",
            "late_minutes_as_late": 5,
            "late_minutes_as_lack": 120,
            "on_advance_minutes": 120,
            "early_minutes_as_early": 5,
            "early_minutes_as_lack": 120,
            "off_delay_minutes": 240,
        }
    ],
}
OVERTIME_SHIFT = {
    **SHIFT,
    "shift_name": "Office 9-18 + overtime",
    "overtime_rule": [{"on_overtime": "18:00", "off_overtime": "19:00"}],
}
PEOPLE = {"u1": "Alice", "u2": "Bob", "u3": "Carol"}
WEEK = ["2024-03-04", "2024-03-05", "2024-03-06", "2024-03-07", "2024-03-08"]


def week_of_punches() -> list[tuple[str, str]]:
    """(user, local time): Alice on time, Bob late Tuesday and early Wednesday,
    Carol without a check-out on Thursday and absent on Friday."""
    punches: list[tuple[str, str]] = []
    for day in WEEK:
        for user in PEOPLE:
            check_in, check_out = "08:55", "18:05"
            if user == "u2" and day == WEEK[1]:
                check_in = "09:30"
            if user == "u2" and day == WEEK[2]:
                check_out = "17:00"
            if user == "u3" and day == WEEK[4]:
                continue
            punches.append((user, f"{day}T{check_in}:00+08:00"))
            if not (user == "u3" and day == WEEK[3]):
                punches.append((user, f"{day}T{check_out}:00+08:00"))
    return punches


@dataclass(frozen=True)
class Run:
    """One CLI run: the exit code and what it wrote."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    def csv(self) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(self.out)))


@dataclass
class Tenant:
    """A seeded emulator database and the CLI pointed at it."""

    root: Path

    @property
    def db(self) -> Path:
        return self.root / "tenant.sqlite3"

    def shiftctl(self, *args: str, stdin: str | None = None) -> Run:
        runner = CliRunner()
        with runner.isolation(input=stdin) as (out, err, _):
            code = main(["--emulator", str(self.db), *args])
        return Run(code, out.getvalue().decode(), err.getvalue().decode())

    def file(self, name: str, text: str) -> str:
        path = self.root / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    def punches_csv(self, name: str = "week.csv") -> str:
        lines = ["user_id,check_time,location_name,comment,external_id"]
        lines += [f"{u},{t},HQ gate,badge,door-{i}" for i, (u, t) in enumerate(week_of_punches())]
        return self.file(name, "\n".join(lines) + "\n")

    def stored(self, *users: str) -> list[dict[str, Any]]:
        found = self.shiftctl(
            "flows", "query", "--user", ",".join(users or PEOPLE), "--from", WEEK[0],
            "--to", WEEK[-1], "--format", "json",
        )  # fmt: skip
        assert found.code == 0, found.err
        flows: list[dict[str, Any]] = found.json()["flows"]
        return flows

    def seed(self, document: dict[str, Any]) -> None:
        """More people or groups, through the emulator's admin endpoint."""
        app = create_app(str(self.db))
        with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://e") as admin:
            assert admin.post("/_emulator/seed", json=document).json()["code"] == 0
        app.close()

    def tasks(self, *extra: str, fmt: str = "csv") -> Run:
        users = ",".join(PEOPLE)
        return self.shiftctl(
            "tasks", "--user", users, "--from", WEEK[0], "--to", WEEK[-1], "--format", fmt, *extra
        )


@pytest.fixture
def tenant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Tenant:
    for name in ("FEISHU_APP_ID", "FEISHU_APP_SECRET", "FEISHU_ENDPOINT", "CI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    made = Tenant(tmp_path)
    weekdays = ("mon", "tue", "wed", "thu", "fri")
    people = [{"employee_id": k, "employee_no": f"E{k}", "name": v} for k, v in PEOPLE.items()]
    seed = {
        "users": [*people, {"employee_id": "u4", "name": "Dave"}],
        "shifts": [SHIFT, OVERTIME_SHIFT],
        "groups": [
            {
                "id": "g1",
                "name": "Office",
                "members": list(PEOPLE),
                "shifts": dict.fromkeys(weekdays, SHIFT["shift_name"]),
            },
            {
                "id": "g2",
                "name": "Late office",
                "members": ["u4"],
                "shifts": dict.fromkeys(weekdays, OVERTIME_SHIFT["shift_name"]),
            },
        ],
    }
    app = create_app(str(made.db), seed=seed)
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://e") as admin:
        admin.put("/_emulator/clock", json={"frozen": "2024-03-11T12:00:00+08:00"})
    app.close()
    return made


def results(rows: list[dict[str, str]]) -> dict[tuple[str, str], tuple[str, str]]:
    return {(r["user_id"], r["day"]): (r["check_in_result"], r["check_out_result"]) for r in rows}


def test_a_week_imported_twice_queried_read_and_partly_deleted(tenant: Tenant) -> None:
    week = tenant.punches_csv()
    count = len(week_of_punches())
    first = tenant.shiftctl("flows", "import", week)
    assert first.code == 0, first.err
    # The token, the user check, one look-up and one batch: calls are counted and shown.
    assert f"imported {count}, already present 0, failed 0 (1 batch, 4 API calls)" in first.out

    again = tenant.shiftctl("flows", "import", week)
    assert again.code == 0, again.err
    assert f"imported 0, already present {count}, failed 0 (0 batches, 3 API calls)" in again.out
    stored = tenant.stored()
    assert len(stored) == count
    assert stored[0]["check_time"].endswith("+08:00")

    as_csv = tenant.tasks()
    assert as_csv.code == 0, as_csv.err
    got = results(as_csv.csv())
    assert len(got) == 15
    assert {got[("u1", day)] for day in WEEK} == {("Normal", "Normal")}
    assert got[("u2", WEEK[1])] == ("Late", "Normal")
    assert got[("u2", WEEK[2])] == ("Normal", "Early")
    assert got[("u3", WEEK[3])] == ("Normal", "Lack")
    assert got[("u3", WEEK[4])] == ("Lack", "Lack")

    as_json = tenant.tasks(fmt="json").json()
    bob_tuesday = next(t for t in as_json["tasks"] if (t["user_id"], t["day"]) == ("u2", WEEK[1]))
    assert bob_tuesday["check_in_time"] == "2024-03-05T09:30:00+08:00"
    assert bob_tuesday["check_in_shift_time"] == "2024-03-05T09:00:00+08:00"
    assert bob_tuesday["employee_name"] == "Bob"
    assert bob_tuesday["shift_name"] == SHIFT["shift_name"]

    late_punch = bob_tuesday["check_in_record_id"]
    deleted = tenant.shiftctl("flows", "delete", late_punch, "404404")
    assert deleted.code == 5
    assert f"deleted {late_punch}" in deleted.out
    assert "failed 404404: record does not exist" in deleted.err  # Feishu's reason, from msg
    assert "1 deleted, 1 failed" in deleted.out
    after = results(tenant.tasks().csv())
    assert after[("u2", WEEK[1])] == ("Lack", "Normal")
    assert len(tenant.stored()) == count - 1

    # The deleted punch comes back with a re-import; nothing else is doubled.
    restored = tenant.shiftctl("flows", "import", week)
    assert f"imported 1, already present {count - 1}" in restored.out


def test_reading_commands_show_tables_single_records_and_other_zones(tenant: Tenant) -> None:
    tenant.shiftctl("flows", "import", tenant.punches_csv())
    table = tenant.shiftctl("flows", "query", "--user", "u1", "--from", "2024-03-04",
                            "--to", "2024-03-04T12:00")  # fmt: skip
    assert table.code == 0, table.err
    assert table.out.splitlines()[0].split()[:3] == ["RECORD_ID", "USER", "CHECK_TIME"]
    assert "2024-03-04 08:55:00+08:00" in table.out
    assert "18:05" not in table.out  # --to is exclusive

    record_id = tenant.stored("u1")[0]["record_id"]
    one = tenant.shiftctl("flows", "get", record_id, "--format", "json", "--tz", "UTC")
    assert one.json()["check_time"] == "2024-03-04T00:55:00+00:00"
    assert one.json()["external_id"] == "door-0"

    tasks = tenant.tasks("--tz", "Europe/Berlin", fmt="table")
    assert "times in Europe/Berlin" in tasks.out
    assert tasks.out.splitlines()[1].split()[3:5] == ["Office", "9-18"]  # the shift's name
    assert "01:55" in tasks.out  # 08:55 in Shanghai


def test_overtime_segments_come_only_with_need_overtime(tenant: Tenant) -> None:
    rows = tenant.file("ot.csv", f"{HEADER}\nu4,2024-03-04T08:58:00+08:00,HQ,\n"
                       "u4,2024-03-04T19:02:00+08:00,HQ,\n")  # fmt: skip
    assert tenant.shiftctl("flows", "import", rows).code == 0
    ask = ["tasks", "--user", "u4", "--from", WEEK[0], "--to", WEEK[0], "--format", "csv"]
    plain = tenant.shiftctl(*ask).csv()
    assert [r["segment_type"] for r in plain] == ["normal"]
    both = tenant.shiftctl(*ask, "--need-overtime").csv()
    assert [r["segment_type"] for r in both] == ["normal", "overtime"]
    overtime = both[1]
    assert overtime["check_out_shift_time"] == "2024-03-04T19:00:00+08:00"
    assert overtime["check_out_time"] == "2024-03-04T19:02:00+08:00"


def test_unknown_users_in_a_punch_query_are_reported_on_stderr_not_fatal(tenant: Tenant) -> None:
    tenant.shiftctl("flows", "import", tenant.punches_csv())
    run = tenant.shiftctl("flows", "query", "--user", "ghost,u1,nobody", "--from", WEEK[0],
                          "--to", WEEK[0], "--format", "json")  # fmt: skip
    assert run.code == 0, run.err
    assert "unknown user 'ghost' (skipped)" in run.err
    assert "unknown user 'nobody' (skipped)" in run.err
    assert "'u1'" not in run.err
    assert run.json()["invalid_user_ids"] == ["ghost", "nobody"]
    assert {f["user_id"] for f in run.json()["flows"]} == {"u1"}


def test_unknown_users_in_tasks_are_reported_on_stderr_not_fatal(tenant: Tenant) -> None:
    run = tenant.shiftctl("tasks", "--user", "u1", "--user", "ghost", "--from", WEEK[0],
                          "--to", WEEK[0], "--format", "json")  # fmt: skip
    assert run.code == 0, run.err
    assert "unknown user 'ghost'" in run.err
    assert run.json()["invalid_user_ids"] == ["ghost"]
    strict = tenant.shiftctl("tasks", "--user", "ghost", "--from", WEEK[0], "--to", WEEK[0],
                             "--no-ignore-invalid-users")  # fmt: skip
    assert strict.code == 1
    assert "1220004" in strict.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["tasks", "--user", "u1", "--from", "2024-02-30", "--to", "2024-03-01"], "not a date"),
        (["tasks", "--user", "u1", "--from", "2024-03-02", "--to", "2024-03-01"], "is after"),
        (["flows", "query", "--user", "u1", "--from", "2024-03-02", "--to", "2024-03-01"],
         "--from must be before --to"),
        (["flows", "query", "--user", "u1", "--from", "later", "--to", "2024-03-01"],
         "is not ISO 8601"),
        (["flows", "query", "--user", "u1", "--from", "2024-03-01", "--to", "2024-03-02",
          "--tz", "Mars/Base"], "unknown time zone"),
        (["flows", "get", "404"], "user flow does not exist"),
        (["flows", "get", "1", "--tz", "x" * 300], "unknown time zone"),
        (["tasks", "--user", "u1", "--from", "9998-12-20", "--to", "9999-12-31"], "is outside"),
        (["flows", "query", "--user", "u1", "--from", "2024-03-01", "--to", "9999-12-31"],
         "is outside"),
        (["flows", "query", "--user", "u1", "--from", "1969-03-01T00:00Z", "--to", "2024-03-01"],
         "is before 1970"),
    ],
)  # fmt: skip
def test_bad_requests_exit_1_with_one_clear_line(
    tenant: Tenant, args: list[str], message: str
) -> None:
    run = tenant.shiftctl(*args)
    assert run.code == 1
    assert message in run.err
    assert "Traceback" not in run.err


HEADER = "user_id,check_time,location_name,comment"


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("cols.csv", "user,check_time,place\nu1,1709514000,HQ\n",
         [":1: unknown columns user, place; missing columns comment, location_name, user_id"]),
        ("times.csv", f"{HEADER}\nu1,2024-03-04T09:00,HQ,\nu1,soon,HQ,\nu1,1709514000,HQ,\n"
         "u1,2021-12-31T09:00:00+08:00,HQ,\n",
         [":2: check_time: '2024-03-04T09:00' has no offset", ":3: check_time: 'soon' is not ISO",
          ":5: check_time: 2021-12-31T09:00:00+08:00 is before 2022-01-01"]),
        ("who.csv", f"{HEADER}\nu1,1709514000,HQ,\nnobody,1709514000,HQ,\nu1,1e9,HQ,\n",
         [":3: user_id: 'nobody' is not a known user", ":4: check_time: '1e9' is not ISO"]),
        ("rows.json", '[\n {"user_id": "u1", "check_time": 1709514000,\n  "location_name": "HQ",'
         ' "comment": ""},\n {"user_id": "u1", "check_time": "1709514000",\n  "comment": ""}\n]',
         [":4: location_name: missing"]),
    ],
)  # fmt: skip
def test_bad_rows_are_listed_with_their_lines_and_nothing_is_sent(
    tenant: Tenant, name: str, text: str, expected: list[str]
) -> None:
    path = tenant.file(name, text)
    run = tenant.shiftctl("flows", "import", path)
    assert run.code == 1
    for line in expected:
        assert f"{path}{line}" in run.err
    assert "nothing was sent" in run.err
    assert tenant.stored() == []


def test_skip_invalid_imports_the_good_rows_and_still_lists_the_bad(tenant: Tenant) -> None:
    path = tenant.file("mixed.csv", f"{HEADER}\nu1,1709514000,HQ,\nu9,1709514000,HQ,\n"
                       "u2,1709514000,,\nu2,1709514001,HQ,\n")  # fmt: skip
    run = tenant.shiftctl("flows", "import", path, "--skip-invalid")
    assert run.code == 0, run.err
    assert f"{path}:3: user_id: 'u9' is not a known user (skipped)" in run.err
    assert f"{path}:4: location_name: missing (skipped)" in run.err
    assert "imported 2, already present 0, failed 0, skipped as invalid 2" in run.out
    assert len(tenant.stored()) == 2


def test_a_broken_file_is_refused_even_with_skip_invalid(tenant: Tenant) -> None:
    path = tenant.file("broken.json", '[{"user_id": "u1"},\n{"user_id": ')
    run = tenant.shiftctl("flows", "import", path, "--skip-invalid")
    assert run.code == 1
    assert f"{path}:2: not valid JSON" in run.err


@pytest.mark.parametrize("name", ["empty.csv", "empty.json", "empty.ndjson"])
def test_empty_files_are_an_error(tenant: Tenant, name: str) -> None:
    run = tenant.shiftctl("flows", "import", tenant.file(name, ""))
    assert run.code == 1
    assert "no rows to import" in run.err


def test_stdin_dry_run_and_staff_numbers(tenant: Tenant) -> None:
    rows = "\n".join(
        json.dumps({"user_id": f"E{u}", "check_time": t, "location_name": "HQ", "comment": ""})
        for u, t in week_of_punches()[:6]
    )
    dry = tenant.shiftctl("flows", "import", "-", "--format", "ndjson", "--dry-run",
                          "--employee-type", "employee_no", stdin=rows)  # fmt: skip
    assert dry.code == 0, dry.err
    assert "<stdin>: would import 6, already present 0, failed 0; nothing was sent (" in dry.out
    assert tenant.stored() == []
    real = tenant.shiftctl("flows", "import", "-", "--format", "ndjson",
                           "--employee-type", "employee_no", stdin=rows)  # fmt: skip
    assert "imported 6" in real.out
    assert len(tenant.stored()) == 6
    no_format = tenant.shiftctl("flows", "import", "-", stdin=rows)
    assert no_format.code == 1
    assert "needs --format" in no_format.err


def test_missing_files_and_unknown_extensions_are_named(tenant: Tenant) -> None:
    assert "no such file" in tenant.shiftctl("flows", "import", "nope.csv").err
    odd = tenant.shiftctl("flows", "import", tenant.file("rows.txt", HEADER))
    assert "pass --format" in odd.err


SECRET = "flows-e2e-app-secret-7d1c"


def test_over_http_no_secret_or_token_shows_even_with_debug_logging(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    config = EmulatorConfig(app_id="cli_flows_e2e", app_secret=SECRET, rate_limit=0)
    seed = {"users": [{"employee_id": "u1", "name": "Alice"}]}
    app = create_app(":memory:", config=config, seed=seed)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FEISHU_APP_ID", "cli_flows_e2e")
    monkeypatch.setenv("FEISHU_APP_SECRET", SECRET)
    rows = tmp_path / "rows.csv"
    rows.write_text(f"{HEADER}\nu1,2024-03-04T08:55:00+08:00,HQ,in\n", encoding="utf-8")
    outputs: list[str] = []
    with serving(app) as url, caplog.at_level("DEBUG"):
        for args in (
            ["flows", "import", str(rows)],
            ["flows", "query", "--user", "u1", "--from", "2024-03-04", "--to", "2024-03-05"],
            ["tasks", "--user", "u1", "--from", "2024-03-04", "--to", "2024-03-04"],
        ):
            runner = CliRunner()
            with runner.isolation() as (out, err, _):
                code = main(["--endpoint", url, "-vv", *args])
            outputs += [out.getvalue().decode(), err.getvalue().decode()]
            assert code == 0, outputs[-1]
        monkeypatch.setenv("FEISHU_APP_SECRET", "not-the-" + SECRET)
        with CliRunner().isolation() as (out, err, _):
            refused = main(["--endpoint", url, "flows", "import", str(rows)])
        outputs.append(err.getvalue().decode())
        # The emulator hands out the same token while it has time left: the one used above.
        answer = httpx.post(
            f"{url}/open-apis/auth/v3/tenant_access_token/internal",
            json={"app_id": "cli_flows_e2e", "app_secret": SECRET},
        ).json()
    app.close()
    token = answer["tenant_access_token"]
    assert len(token) > 10
    assert refused == 1
    assert "10014" in outputs[-1]
    assert "imported 1" in outputs[0]
    assert "DEBUG" in outputs[1]  # -vv really logged the HTTP calls
    text = "\n".join([*outputs, caplog.text])
    assert SECRET not in text
    assert token not in text


def test_without_credentials_or_emulator_the_commands_say_what_to_set(tenant: Tenant) -> None:
    rows = tenant.punches_csv()
    for args in (["flows", "import", rows], ["flows", "get", "1"], ["flows", "delete", "1"]):
        with CliRunner().isolation() as (_, err, _):
            code = main(args)
        assert code == 1
        assert "FEISHU_APP_ID and FEISHU_APP_SECRET not set" in err.getvalue().decode()


@pytest.mark.parametrize(
    "args",
    [
        ["flows", "get", "1"],
        ["flows", "delete", "1"],
        ["flows", "query", "--user", "u1", "--from", "2024-03-04", "--to", "2024-03-05"],
        ["tasks", "--user", "u1", "--from", "2024-03-04", "--to", "2024-03-04"],
    ],
)
def test_a_bad_endpoint_is_refused_at_once_like_the_engine_commands_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    # Not an http(s) URL: refused before any call, not retried for minutes.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FEISHU_APP_ID", "cli_x")
    monkeypatch.setenv("FEISHU_APP_SECRET", "s")
    with CliRunner().isolation() as (_, err, _):
        code = main(["--endpoint", "open.feishu.cn", *args])
    assert code == 1
    assert "is not an http(s) URL" in err.getvalue().decode()


def test_every_optional_field_of_a_row_reaches_feishu(tenant: Tenant) -> None:
    header = f"{HEADER},creator_id,external_id,is_field,is_wifi,ssid,bssid"
    rows = tenant.file("all.csv", f"{header}\nu1,2024-03-04T08:55:00+08:00,HQ,in,u2,door-9,"
                       "yes,0,corp-wifi,aa:bb:cc:dd:ee:ff\n")  # fmt: skip
    assert tenant.shiftctl("flows", "import", rows).code == 0
    (stored,) = tenant.stored("u1")
    got = tenant.shiftctl("flows", "get", stored["record_id"], "--format", "json").json()
    assert {k: got[k] for k in ("creator_id", "external_id", "is_field", "is_wifi")} == {
        "creator_id": "u2",
        "external_id": "door-9",
        "is_field": True,
        "is_wifi": False,
    }
    assert (got["ssid"], got["bssid"]) == ("corp-wifi", "aa:bb:cc:dd:ee:ff")
    assert got["idempotent_id"].startswith("sc1-")


def test_include_terminated_also_reads_the_former_holder_of_a_reused_id(tenant: Tenant) -> None:
    tenant.seed({"users": [{"employee_id": "u9", "name": "Old Nine"}]})
    rows = tenant.file("nine.csv", f"{HEADER}\nu9,2024-03-04T08:55:00+08:00,HQ,old\n")
    assert tenant.shiftctl("flows", "import", rows).code == 0
    # Old Nine leaves; the id goes to someone new, who punches the next day.
    tenant.seed({"users": [{"employee_id": "u9", "terminated": True},
                           {"employee_id": "u9", "name": "New Nine"}]})  # fmt: skip
    rows = tenant.file("nine2.csv", f"{HEADER}\nu9,2024-03-05T08:55:00+08:00,HQ,new\n")
    assert tenant.shiftctl("flows", "import", rows).code == 0
    ask = ["--user", "u9", "--from", WEEK[0], "--to", WEEK[1], "--format", "json"]
    current = tenant.shiftctl("flows", "query", *ask).json()["flows"]
    assert [f["comment"] for f in current] == ["new"]
    everyone = tenant.shiftctl("flows", "query", *ask, "--include-terminated").json()["flows"]
    assert sorted(f["comment"] for f in everyone) == ["new", "old"]
    names = {t["employee_name"] for t in tenant.shiftctl("tasks", *ask).json()["tasks"]}
    assert names == {"New Nine"}
    with_former = tenant.shiftctl("tasks", *ask, "--include-terminated").json()["tasks"]
    assert {t["employee_name"] for t in with_former} == {"New Nine", "Old Nine"}


def test_a_leaver_feishu_refuses_fails_only_their_row_exits_5_and_a_rerun_finishes(
    tenant: Tenant,
) -> None:
    # A leaver passes the user check (Feishu cannot tell them apart) but is refused on import.
    tenant.seed({"users": [{"employee_id": "gone", "name": "Left", "terminated": True}]})
    lines = [f"u1,{1709514000 + 60 * i},HQ," for i in range(60)]
    lines.insert(55, "gone,1709514000,HQ,")  # line 57, in the second batch
    path = tenant.file("mixed.csv", "\n".join([HEADER, *lines]) + "\n")
    run = tenant.shiftctl("flows", "import", path)
    assert run.code == 5
    # The refused batch goes again user by user: only the leaver's row fails.
    assert "imported 60, already present 0, failed 1 (4 batches, " in run.out
    failed = [line for line in run.err.splitlines() if ": not imported: " in line]
    assert [line.split(":")[1] for line in failed] == ["57"]
    assert "1220004" in failed[0]
    assert "1 row not imported (1 failed); run the same import again" in run.err
    assert len(tenant.stored("u1")) == 60
    lines.pop(55)
    fixed = tenant.file("mixed.csv", "\n".join([HEADER, *lines]) + "\n")
    again = tenant.shiftctl("flows", "import", fixed)
    assert again.code == 0, again.err
    assert "imported 0, already present 60, failed 0" in again.out


@pytest.mark.parametrize("bar", [True, False])
def test_a_progress_bar_only_where_a_person_watches(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch, bar: bool
) -> None:
    path, count = tenant.punches_csv(), len(week_of_punches())
    with CliRunner().isolation() as (out, err, _):
        # click itself draws a bar only on a terminal; the Console decides whether to try.
        monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
        args = ["--emulator", str(tenant.db), "-v", "flows", "import", path]
        code = main(args, console=Console(progress=bar))
    assert code == 0
    shown = err.getvalue().decode()
    assert ("rows  [####" in shown and "100%" in shown) is bar, shown
    # Without a bar, progress is logged (shown with -v) instead.
    assert (f"{count} of {count} rows handled" in shown) is not bar, shown
    assert f"imported {count}," in out.getvalue().decode()


def test_ctrl_c_finishes_the_batches_in_flight_reports_and_a_rerun_sends_the_rest(
    tenant: Tenant,
) -> None:
    total = 3000  # 60 batches paced at 50/s: still running when the first tenth is logged
    # Someone in no group: a punch a minute for two days is valid all day (Feishu's query
    # leaves out punches outside a shift's windows, so a grouped person's would not show).
    tenant.seed({"users": [{"employee_id": "u7", "name": "Nobody's"}]})
    lines = [f"u7,{1709514000 + 60 * i},HQ," for i in range(total)]
    path = tenant.file("long.csv", "\n".join([HEADER, *lines]) + "\n")
    command = [sys.executable, "-m", "reconciler", "--emulator", str(tenant.db), "-v",
               "flows", "import", path]  # fmt: skip
    with subprocess.Popen(
        command,
        cwd=tenant.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # As at a terminal: SIGINT not ignored, whatever runs the tests.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    ) as process:
        assert process.stderr is not None
        for line in process.stderr:
            if "rows handled" in line:
                process.send_signal(signal.SIGINT)
                break
        out, err = process.communicate(timeout=120)
    assert process.returncode == 5, err
    found = re.search(r"imported (\d+), already present 0, failed 0, not sent (\d+) \(", out)
    assert found, out
    imported, failed = int(found[1]), int(found[2])
    assert imported > 0
    assert failed > 0
    assert imported + failed == total
    assert "were not sent (interrupted)" in err
    assert f"interrupted: {failed} rows not imported ({failed} not sent)" in err
    assert "Traceback" not in err
    assert len(tenant.stored("u7")) == imported
    again = tenant.shiftctl("flows", "import", path)
    assert again.code == 0, again.err
    assert f"imported {failed}, already present {imported}, failed 0" in again.out
    assert len(tenant.stored("u7")) == total


def test_one_bad_row_at_the_end_of_a_100000_row_file_stops_it_with_its_line(
    tenant: Tenant,
) -> None:
    # Memory while streaming such a file: tests/unit/flows/test_flow_large_files.py.
    path = tenant.root / "year.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write(f"{HEADER}\n")
        for i in range(100_000):
            out.write(f"u{1 + i % 3},{1709514000 + 30 * i},HQ gate 7,badge reader {i}\n")
        out.write("u1,2024-03-04 09:00,HQ,\n")  # line 100,002: no offset
    run = tenant.shiftctl("flows", "import", str(path))
    assert run.code == 1
    assert f"{path}:100002: check_time: '2024-03-04 09:00' has no offset" in run.err
    assert "1 bad row: nothing was sent" in run.err
    assert tenant.stored() == []


def test_the_summary_counts_each_persons_week_and_exceptions_filter(tenant: Tenant) -> None:
    assert tenant.shiftctl("flows", "import", tenant.punches_csv()).code == 0
    summary = tenant.tasks("--summary", fmt="json")
    assert summary.code == 0, summary.err
    people = {p["user_id"]: p for p in summary.json()["people"]}
    counts = ("days", "late", "early", "lack", "no_punch", "todo", "exception_days")
    assert {u: tuple(p[c] for c in counts) for u, p in people.items()} == {
        "u1": (5, 0, 0, 0, 0, 0, 0),
        "u2": (5, 1, 1, 0, 0, 0, 2),  # late on Tuesday, early on Wednesday
        "u3": (5, 0, 0, 0, 3, 0, 2),  # no check-out Thursday, absent Friday
    }
    assert people["u2"]["employee_name"] == "Bob"
    as_csv = tenant.tasks("--summary", "--only-exceptions").csv()
    assert [(r["user_id"], r["no_punch"]) for r in as_csv] == [("u2", "0"), ("u3", "3")]
    table = tenant.tasks("--summary", fmt="table").out.splitlines()
    assert table[0].split() == [
        "USER", "NAME", "DAYS", "LATE", "EARLY", "LACK", "NO_PUNCH", "TODO", "EXC_DAYS"
    ]  # fmt: skip
    assert table[-1] == "3 people, 2 with exceptions, 2024-03-04 to 2024-03-08"
    # Without --summary, --only-exceptions keeps the rows an admin must act on.
    rows = tenant.tasks("--only-exceptions").csv()
    assert [(r["user_id"], r["day"]) for r in rows] == [
        ("u2", WEEK[1]),
        ("u2", WEEK[2]),
        ("u3", WEEK[3]),
        ("u3", WEEK[4]),
    ]


def test_a_flexible_day_shows_the_off_time_it_slid_to_and_rest_day_duty_shows(
    tenant: Tenant,
) -> None:
    flexible = {
        **SHIFT,
        "shift_name": "弹性班",
        "punch_time_rule": [{**SHIFT["punch_time_rule"][0], "on_time": "9:30",
                             "off_time": "18:30", "early_minutes_as_early": 1}],
        "is_flexible": True,
        "flexible_rule": [{"flexible_early_minutes": 30, "flexible_late_minutes": 60}],
    }  # fmt: skip
    duty = {**SHIFT, "shift_name": "休息日值班", "day_type": 2}
    tenant.seed(
        {
            "users": [{"employee_id": "u5", "name": "Eve"}],
            "shifts": [flexible, duty],
            "groups": [
                {"id": "g5", "name": "Flex", "members": ["u5"],
                 "shifts": {"mon": "弹性班", "sat": "休息日值班"}},
            ],
        }
    )  # fmt: skip
    punches = tenant.file(
        "eve.csv",
        f"{HEADER}\nu5,2024-03-04T10:08:00+08:00,HQ,\nu5,2024-03-04T18:45:00+08:00,HQ,\n"
        "u5,2024-03-09T09:58:00+08:00,HQ,\nu5,2024-03-09T17:02:00+08:00,HQ,\n",
    )
    assert tenant.shiftctl("flows", "import", punches).code == 0
    ask = ("tasks", "--user", "u5", "--from", "2024-03-04", "--to", "2024-03-09")
    rows = {r["day"]: r for r in tenant.shiftctl(*ask, "--format", "json").json()["tasks"]}
    monday, saturday = rows["2024-03-04"], rows["2024-03-09"]
    # 38 minutes late within a 60-minute allowance: the day ends at 19:08, not 18:30.
    assert monday["check_out_shift_time"] == "2024-03-04T18:30:00+08:00"
    assert monday["check_out_due_time"] == "2024-03-04T19:08:00+08:00"
    assert (monday["check_in_result"], monday["check_out_result"]) == ("Normal", "Early")
    table = tenant.shiftctl(*ask).out
    assert "18:30→19:08" in table
    # A rest day judges nothing, and still shows the duty that was worked.
    assert (saturday["check_in_result"], saturday["check_out_result"]) == ("NoNeedCheck",) * 2
    assert saturday["check_in_time"] == "2024-03-09T09:58:00+08:00"
    assert saturday["check_out_time"] == "2024-03-09T17:02:00+08:00"
    assert saturday["check_out_due_time"] is None
    summary = tenant.shiftctl(*ask, "--summary", "--format", "json").json()["people"]
    assert [(p["days"], p["early"], p["exception_days"]) for p in summary] == [(1, 1, 1)]
