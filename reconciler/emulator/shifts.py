"""The five shift endpoints (contract §3 and §11): create/update, delete, get, query, list."""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
import struct
from typing import Any

from werkzeug.wrappers import Request

from reconciler.emulator.schedule import groups_using
from reconciler.emulator.shift_rules import check_shift, not_found
from reconciler.emulator.store import Store
from reconciler.emulator.wire import (
    SHIFT_IN_USE,
    SHIFT_NAME_USED,
    ApiError,
    employee_type,
    invalid,
    json_body,
)

MAX_PAGE_SIZE = 50
DEFAULT_PAGE_SIZE = 10


def _wire(row: sqlite3.Row) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(row["body"])
    return {"shift_id": row["shift_id"], **body, "id": row["shift_id"]}


def create(store: Store, request: Request) -> dict[str, Any]:
    """Create a shift, or replace one in place when the body carries its ``id``."""
    employee_type(request, required=False)
    body = json_body(request)
    target = body.get("id")
    if target is not None and not isinstance(target, str):
        raise invalid("id must be a string")
    stored = check_shift(body)
    name = stored["shift_name"]
    with store.transaction() as conn:
        if target:
            row = conn.execute("SELECT seq FROM shifts WHERE shift_id = ?", (target,)).fetchone()
            if row is None:
                raise not_found(target)
        owner = conn.execute("SELECT shift_id FROM shifts WHERE shift_name = ?", (name,)).fetchone()
        if owner is not None and owner["shift_id"] != target:
            raise ApiError(SHIFT_NAME_USED, f"shift name already used: {name}")
        text = json.dumps(stored, ensure_ascii=False)
        if target:
            conn.execute(
                "UPDATE shifts SET shift_name = ?, body = ? WHERE shift_id = ?",
                (name, text, target),
            )
            shift_id = target
        else:
            shift_id = store.new_id(conn, "shifts", "shift_id")
            conn.execute(
                "INSERT INTO shifts (shift_id, shift_name, body) VALUES (?, ?, ?)",
                (shift_id, name, text),
            )
        row = conn.execute("SELECT * FROM shifts WHERE shift_id = ?", (shift_id,)).fetchone()
    return {"shift": _wire(row)}


def delete(store: Store, shift_id: str) -> dict[str, Any]:

    with store.transaction() as conn:
        if conn.execute("SELECT 1 FROM shifts WHERE shift_id = ?", (shift_id,)).fetchone() is None:
            raise not_found(shift_id)
        groups = groups_using(conn, shift_id, store.now(conn))
        if groups:
            raise ApiError(
                SHIFT_IN_USE,
                f"the shift has been used by attendance group(s) {', '.join(groups)}",
                status=500,
            )
        conn.execute("DELETE FROM shifts WHERE shift_id = ?", (shift_id,))
    return {}


def get(store: Store, shift_id: str) -> dict[str, Any]:
    with store.reading() as conn:
        row = conn.execute("SELECT * FROM shifts WHERE shift_id = ?", (shift_id,)).fetchone()
    if row is None:
        raise not_found(shift_id)
    return _wire(row)


def query(store: Store, request: Request) -> dict[str, Any]:
    """Exact name match only (§11); the body, if any, is ignored."""
    name = request.args.get("shift_name")
    if not name:
        raise invalid("shift_name is required")
    with store.reading() as conn:
        row = conn.execute("SELECT * FROM shifts WHERE shift_name = ?", (name,)).fetchone()
    if row is None:
        raise ApiError(1226003, f"shift does not exist: {name}")
    return _wire(row)


def list_page(store: Store, request: Request) -> dict[str, Any]:
    """One page in creation order; the token is the last position seen, so it stays valid."""
    size = _page_size(request.args.get("page_size"))
    salt = store.token_salt()
    after = _decode_token(request.args.get("page_token"), salt)
    with store.reading() as conn:
        rows = conn.execute(
            "SELECT * FROM shifts WHERE seq > ? ORDER BY seq LIMIT ?", (after, size + 1)
        ).fetchall()
    has_more = len(rows) > size
    rows = rows[:size]
    data: dict[str, Any] = {"shift_list": [_wire(r) for r in rows], "has_more": has_more}
    if has_more:
        data["page_token"] = _encode_token(rows[-1]["seq"], salt)
    return data


def _page_size(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_PAGE_SIZE
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise invalid(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
    return int(raw)


def _mac(seq: int, salt: bytes) -> bytes:
    return hashlib.blake2b(struct.pack(">Q", seq), key=salt[:64], digest_size=8).digest()


def _encode_token(seq: int, salt: bytes) -> str:
    return base64.b64encode(struct.pack(">Q", seq) + _mac(seq, salt)).decode()


def _decode_token(token: str | None, salt: bytes) -> int:
    if not token:
        return 0
    try:
        raw = base64.b64decode(token, validate=True)
    except ValueError:
        raw = b""
    if len(raw) == 16:
        (seq,) = struct.unpack(">Q", raw[:8])
        if _mac(seq, salt) == raw[8:]:
            return int(seq)
    raise invalid("page_token invalid")
