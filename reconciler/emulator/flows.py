"""The four user_flow endpoints (contract §4): batch_create, get, query, batch_del.

The current dialect answers as today's pages do: "operate too much flow" past
50 records, valid punches only from query, per-id reasons in batch_del's msg.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any

from werkzeug.wrappers import Request

from reconciler.emulator import users
from reconciler.emulator.behaviour import Behaviour
from reconciler.emulator.dialect import replayed, too_many_flows
from reconciler.emulator.store import Store
from reconciler.emulator.validity import valid_rows
from reconciler.emulator.wire import (
    USER_NOT_FOUND,
    ApiError,
    employee_type,
    invalid,
    json_body,
    query_bool,
    string_list,
)

MAX_BATCH = 50
MAX_DELETE = 10
MAX_USERS = 50
#: Imports only accept punches from 2022-01-01 00:00 (Asia/Shanghai) on.
EARLIEST_CHECK_TIME = 1_640_966_400
#: Records created through the open platform always report type 7 (contract §4.2).
OPEN_PLATFORM_TYPE = 7

_REQUIRED = ("user_id", "creator_id", "location_name", "check_time", "comment")
_OPTIONAL_STR = ("ssid", "bssid", "external_id", "idempotent_id", "device_id")
_OPTIONAL_BOOL = ("is_field", "is_wifi")
#: Coordinates and their ranges; the bound also keeps ``Infinity`` (not JSON) out.
_COORDINATES = {"longitude": 180, "latitude": 90}


def _check_record(record: Any, where: str) -> dict[str, Any]:
    if not isinstance(record, Mapping):
        raise invalid(f"{where} must be an object")
    out: dict[str, Any] = {}
    for name in _REQUIRED:
        value = record.get(name)
        if not isinstance(value, str):
            raise invalid(f"{where}.{name} is required and must be a string")
        out[name] = value
    if not out["user_id"] or not out["creator_id"]:
        raise invalid(f"{where}: user_id and creator_id must not be empty")
    stamp = out["check_time"]
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 10):
        raise invalid(f"{where}.check_time must be Unix seconds as a string")
    if int(stamp) < EARLIEST_CHECK_TIME:
        raise invalid(f"{where}.check_time must be after 2022-01-01")
    out["check_time"] = str(int(stamp))
    _optional(record, out, where)
    return out


def _optional(record: Mapping[str, Any], out: dict[str, Any], where: str) -> None:
    checks: list[tuple[tuple[str, ...], Any, str]] = [
        (_OPTIONAL_STR, str, "a string"),
        (_OPTIONAL_BOOL, bool, "a boolean"),
        (tuple(_COORDINATES), (int, float), "a number"),
    ]
    for names, kind, label in checks:
        for name in names:
            value = record.get(name)
            if value is None:
                continue
            if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
                raise invalid(f"{where}.{name} must be {label}")
            out[name] = value
    for name, bound in _COORDINATES.items():
        if name in out and not -bound <= out[name] <= bound:
            raise invalid(f"{where}.{name} must be between {-bound} and {bound}")
    kind_value = record.get("type")
    if kind_value is not None and (
        isinstance(kind_value, bool) or not isinstance(kind_value, int) or not 0 <= kind_value <= 7
    ):
        raise invalid(f"{where}.type must be an integer from 0 to 7")
    photos = record.get("photo_urls")
    if photos is not None:
        if not isinstance(photos, list) or not all(isinstance(p, str) for p in photos):
            raise invalid(f"{where}.photo_urls must be a list of strings")
        out["photo_urls"] = photos


def _wire(row: sqlite3.Row, people: Mapping[int, sqlite3.Row], id_type: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(row["body"])
    person = people.get(row["uid"])
    user_id = person[users.COLUMNS[id_type]] if person is not None else ""
    return {"user_id": user_id, **body, "record_id": row["record_id"]}


def batch_create(store: Store, request: Request, behaviour: Behaviour) -> dict[str, Any]:
    """All or nothing: one bad record or unknown user stores nothing of the batch.

    A known ``idempotent_id`` returns the stored record, or with
    ``idempotent_replay: error`` fails the batch (nothing of it stored).
    """
    id_type = employee_type(request)
    records = json_body(request).get("flow_records")
    if isinstance(records, list) and len(records) > MAX_BATCH:
        raise too_many_flows(behaviour, MAX_BATCH)
    if not isinstance(records, list) or not 1 <= len(records) <= MAX_BATCH:
        raise invalid(f"flow_records must be a list of 1 to {MAX_BATCH} records")
    checked = [_check_record(r, f"flow_records[{i}]") for i, r in enumerate(records)]
    with store.transaction() as conn:
        now = int(store.now(conn).timestamp())
        owners: dict[str, sqlite3.Row] = {}
        for record in checked:
            person = users.active(conn, record["user_id"], id_type)
            if person is None:
                raise ApiError(
                    USER_NOT_FOUND,
                    f"user_id is not exist or does not have permission: {record['user_id']}",
                )
            owners[record["user_id"]] = person
        rows = [_store_record(store, conn, record, owners, now, behaviour) for record in checked]
        # A replayed idempotent_id may name a record of someone else: look rows up.
        people = users.by_uid(conn, [r["uid"] for r in rows])
    return {"flow_records": [_wire(row, people, id_type) for row in rows]}


def _store_record(
    store: Store,
    conn: sqlite3.Connection,
    record: dict[str, Any],
    owners: Mapping[str, sqlite3.Row],
    now: int,
    behaviour: Behaviour,
) -> sqlite3.Row:
    key = record.get("idempotent_id")
    if key is not None:
        seen: sqlite3.Row | None = conn.execute(
            "SELECT * FROM flows WHERE idempotent_id = ?", (key,)
        ).fetchone()
        if seen is not None:
            if behaviour.idempotent_replay == "error":
                raise replayed(key)  # the transaction rolls back the whole batch
            return seen
    record_id = store.new_id(conn, "flows", "record_id")
    body = {k: v for k, v in record.items() if k != "user_id"}
    body.update(type=OPEN_PLATFORM_TYPE, create_time=str(now))
    body.setdefault("is_field", False)
    body.setdefault("is_wifi", False)
    conn.execute(
        "INSERT INTO flows (record_id, uid, check_time, idempotent_id, body)"
        " VALUES (?, ?, ?, ?, ?)",
        (
            record_id,
            owners[record["user_id"]]["uid"],
            int(record["check_time"]),
            key,
            json.dumps(body, ensure_ascii=False),
        ),
    )
    row: sqlite3.Row = conn.execute(
        "SELECT * FROM flows WHERE record_id = ?", (record_id,)
    ).fetchone()
    return row


def get(store: Store, request: Request, record_id: str) -> dict[str, Any]:
    id_type = employee_type(request)
    with store.reading() as conn:
        row = conn.execute("SELECT * FROM flows WHERE record_id = ?", (record_id,)).fetchone()
        if row is None:
            raise invalid(f"user flow does not exist: {record_id}")
        people = users.by_uid(conn, [row["uid"]])
    return _wire(row, people, id_type)


def query(store: Store, request: Request, behaviour: Behaviour) -> dict[str, Any]:
    """Punches of the users in ``[check_time_from, check_time_to)``; unknown users give none.

    legacy: every punch (contract §4.5); current: valid punches only (``validity``).
    """
    id_type = employee_type(request)
    include_terminated = query_bool(request, "include_terminated_user")
    body = json_body(request)
    user_ids = string_list(body, "user_ids", min_len=1, max_len=MAX_USERS)
    start, end = (_stamp(body, "check_time_from"), _stamp(body, "check_time_to"))
    with store.reading() as conn:
        uids = {
            person["uid"]
            for user_id in dict.fromkeys(user_ids)
            for person in users.holders(
                conn, user_id, id_type, include_terminated=include_terminated
            )
        }
        marks = ",".join("?" * len(uids))
        rows = (
            conn.execute(
                f"SELECT * FROM flows WHERE uid IN ({marks}) AND check_time >= ? AND check_time < ?"
                " ORDER BY check_time, seq",
                [*sorted(uids), start, end],
            ).fetchall()
            if uids
            else []
        )
        if behaviour.current:
            rows = valid_rows(conn, rows)
        people = users.by_uid(conn, uids)
    return {"user_flow_results": [_wire(row, people, id_type) for row in rows]}


def _stamp(body: Mapping[str, Any], name: str) -> int:
    value = body.get(name)
    if not isinstance(value, str) or not (value.isascii() and value.isdigit()) or len(value) > 12:
        raise invalid(f"{name} is required: Unix seconds as a string")
    return int(value)


def batch_del(store: Store, request: Request, behaviour: Behaviour) -> dict[str, Any]:
    """The whole envelope: deletes what exists; unknown ids in ``fail_record_ids``, code 0.

    In the current dialect ``msg`` gives each failed id's reason
    ("partial success: 404: record does not exist").
    """
    record_ids = string_list(json_body(request), "record_ids", min_len=1, max_len=MAX_DELETE)
    done: list[str] = []
    failed: list[str] = []
    with store.transaction() as conn:
        for record_id in record_ids:
            gone = conn.execute("DELETE FROM flows WHERE record_id = ?", (record_id,)).rowcount
            (done if gone else failed).append(record_id)
    msg = "success"
    if failed and behaviour.current:
        reasons = "; ".join(f"{record_id}: record does not exist" for record_id in failed)
        msg = f"partial success: {reasons}"
    data = {"success_record_ids": done, "fail_record_ids": failed}
    return {"code": 0, "msg": msg, "data": data}
