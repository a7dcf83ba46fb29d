"""The five shift endpoints (contract §3 and §11): create/update, delete, get, query, list.

The dialect decides the error answers (``dialect``); the tenant knobs decide
whether reads invert the no-need flags and whether an update merges.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
import struct
from typing import Any

from werkzeug.wrappers import Request

from reconciler.emulator.behaviour import Behaviour
from reconciler.emulator.dialect import name_taken, shift_in_use, shift_not_found
from reconciler.emulator.schedule import groups_using
from reconciler.emulator.shift_rules import check_shift
from reconciler.emulator.store import Store
from reconciler.emulator.wire import employee_type, invalid, json_body

MAX_PAGE_SIZE = 50
DEFAULT_PAGE_SIZE = 10


def _wire(row: sqlite3.Row, *, inverted: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(row["body"])
    if inverted:
        body["punch_time_rule"] = [_invert(rule) for rule in body.get("punch_time_rule", ())]
    return {"shift_id": row["shift_id"], **body, "id": row["shift_id"]}


def _invert(rule: dict[str, Any]) -> dict[str, Any]:
    """As the get/list/query pages document it: true means the punch IS needed."""
    return {
        **rule,
        "no_need_on": not rule.get("no_need_on", False),
        "no_need_off": not rule.get("no_need_off", False),
    }


def _read(row: sqlite3.Row, behaviour: Behaviour) -> dict[str, Any]:
    return _wire(row, inverted=behaviour.no_need_inverted_on_read)


def create(store: Store, request: Request, behaviour: Behaviour) -> dict[str, Any]:
    """Create a shift, or update one in place when the body carries its ``id``.

    An update replaces the definition, or with ``update_merges`` keeps every
    top-level field the body leaves out. The answer shows the stored shift as
    written (the create page: not inverted).
    """
    employee_type(request, required=False)
    body = json_body(request)
    target = body.get("id")
    if target is not None and not isinstance(target, str):
        raise invalid("id must be a string")
    if not (target and behaviour.update_merges):
        stored = check_shift(body)
    with store.transaction() as conn:
        if target:
            row = conn.execute("SELECT body FROM shifts WHERE shift_id = ?", (target,)).fetchone()
            if row is None or target == "9":
                raise shift_not_found(behaviour, target)
            if behaviour.update_merges:
                stored = check_shift({**json.loads(row["body"]), **body})
        name = stored["shift_name"]
        owner = conn.execute("SELECT shift_id FROM shifts WHERE shift_name = ?", (name,)).fetchone()
        if owner is not None and owner["shift_id"] != target:
            raise name_taken(behaviour, name)
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


def delete(store: Store, shift_id: str, behaviour: Behaviour) -> dict[str, Any]:
    with store.transaction() as conn:
        if conn.execute("SELECT 1 FROM shifts WHERE shift_id = ?", (shift_id,)).fetchone() is None:
            raise shift_not_found(behaviour, shift_id)
        # The weekly schedule, a special day from today on, or a rota day from today on.
        groups = groups_using(conn, shift_id, store.now(conn))
        if groups:
            raise shift_in_use(behaviour, groups)
        conn.execute("DELETE FROM shifts WHERE shift_id = ?", (shift_id,))
    return {}


def get(store: Store, shift_id: str, behaviour: Behaviour) -> dict[str, Any]:
    with store.reading() as conn:
        row = conn.execute("SELECT * FROM shifts WHERE shift_id = ?", (shift_id,)).fetchone()
    if row is None:
        raise shift_not_found(behaviour, shift_id)
    return _read(row, behaviour)


def query(store: Store, request: Request, behaviour: Behaviour) -> dict[str, Any]:
    """One shift by name; the body, if any, is ignored.

    legacy: exact match only (§11). current: the exact name first, else the
    first shift whose name contains it (the newest page: "supports fuzzy matching").
    """
    name = request.args.get("shift_name")
    if not name:
        raise invalid("shift_name is required")
    with store.reading() as conn:
        row = conn.execute("SELECT * FROM shifts WHERE shift_name = ?", (name,)).fetchone()
        if row is None and behaviour.current:
            row = conn.execute(
                "SELECT * FROM shifts WHERE instr(shift_name, ?) > 0 ORDER BY seq LIMIT 1",
                (name,),
            ).fetchone()
    if row is None:
        raise shift_not_found(behaviour, name)
    return _read(row, behaviour)


def list_page(store: Store, request: Request, behaviour: Behaviour) -> dict[str, Any]:
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
    data: dict[str, Any] = {
        "shift_list": [_read(r, behaviour) for r in rows],
        "has_more": has_more,
    }
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
