"""Employees as seeded through the admin API, looked up by ``employee_type``.

An employee_id / employee_no may be reused after someone leaves, so one id can
name several people: the current holder and former ones (contract §4.5).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

COLUMNS = {"employee_id": "employee_id", "employee_no": "employee_no"}


def holders(
    conn: sqlite3.Connection, user_id: str, id_type: str, *, include_terminated: bool
) -> list[sqlite3.Row]:
    """The people ``user_id`` names: all holders, or the current one (else the latest leaver)."""
    column = COLUMNS[id_type]
    rows = conn.execute(
        f"SELECT * FROM users WHERE {column} = ? ORDER BY terminated, uid DESC",
        (user_id,),
    ).fetchall()
    if include_terminated or not rows:
        return rows
    return rows[:1]


def active(conn: sqlite3.Connection, user_id: str, id_type: str) -> sqlite3.Row | None:
    column = COLUMNS[id_type]
    row: sqlite3.Row | None = conn.execute(
        f"SELECT * FROM users WHERE {column} = ? AND terminated = 0",
        (user_id,),
    ).fetchone()
    return row


def by_uid(conn: sqlite3.Connection, uids: Iterable[int]) -> dict[int, sqlite3.Row]:
    ids = sorted(set(uids))
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = conn.execute(f"SELECT * FROM users WHERE uid IN ({marks})", ids)
    return {row["uid"]: row for row in rows}
