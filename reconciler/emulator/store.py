"""The emulator's state in SQLite: schema, serialised transactions, ids and the clock.

One connection per app, guarded by a lock: requests from the server's threads
run one transaction at a time, and ``BEGIN IMMEDIATE`` keeps other processes
sharing a file out of the way, so a check-then-insert can never race.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS shifts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    shift_id TEXT NOT NULL UNIQUE,
    shift_name TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    uid INTEGER PRIMARY KEY AUTOINCREMENT,
    employee_id TEXT NOT NULL,
    employee_no TEXT NOT NULL,
    name TEXT NOT NULL,
    terminated INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS attendance_groups (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    group_type INTEGER NOT NULL DEFAULT 0,
    written_at REAL NOT NULL DEFAULT 0,
    dept_ids TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS group_members (
    uid INTEGER PRIMARY KEY,
    group_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS group_shifts (
    group_id TEXT NOT NULL,
    weekday INTEGER NOT NULL,
    shift_id TEXT NOT NULL,
    PRIMARY KEY (group_id, weekday)
);
CREATE INDEX IF NOT EXISTS group_shifts_by_shift ON group_shifts (shift_id);
CREATE TABLE IF NOT EXISTS group_special_days (
    group_id TEXT NOT NULL,
    day INTEGER NOT NULL,
    shift_id TEXT NOT NULL,
    need_punch INTEGER NOT NULL,
    PRIMARY KEY (group_id, day)
);
CREATE INDEX IF NOT EXISTS group_special_days_by_shift ON group_special_days (shift_id);
CREATE TABLE IF NOT EXISTS daily_shifts (
    uid INTEGER NOT NULL,
    day INTEGER NOT NULL,
    group_id TEXT NOT NULL,
    shift_id TEXT NOT NULL,
    PRIMARY KEY (uid, day)
);
CREATE INDEX IF NOT EXISTS daily_shifts_by_shift ON daily_shifts (shift_id, day);
CREATE TABLE IF NOT EXISTS flows (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    record_id TEXT NOT NULL UNIQUE,
    uid INTEGER NOT NULL,
    check_time INTEGER NOT NULL,
    idempotent_id TEXT UNIQUE,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS flows_by_user ON flows (uid, check_time);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY,
    app_id TEXT NOT NULL,
    issued_at REAL NOT NULL,
    expires_at REAL NOT NULL
);
"""

#: Tables emptied by a reset (tokens survive so connected clients keep working).
DATA_TABLES = (
    "shifts",
    "users",
    "attendance_groups",
    "group_members",
    "group_shifts",
    "group_special_days",
    "daily_shifts",
    "flows",
)
# Columns added after the first release: a state file made before gets them on open.
_ADDED_COLUMNS = {
    "attendance_groups": {
        "group_type": "INTEGER NOT NULL DEFAULT 0",
        "written_at": "REAL NOT NULL DEFAULT 0",
        "dept_ids": "TEXT NOT NULL DEFAULT '[]'",
    },
}

# Ids look like Feishu's: decimal strings of 19 digits.
_ID_LOW = 6_900_000_000_000_000_000
_ID_HIGH = 7_400_000_000_000_000_000


class StateError(RuntimeError):
    """The database file cannot be opened or is not an emulator's SQLite state."""


class Store:
    """SQLite state shared by every request of one app."""

    def __init__(self, db: str | os.PathLike[str], seed: int | None = None) -> None:
        path = os.fspath(db)
        self._lock = threading.RLock()
        self._random = random.Random(seed)
        try:
            if path != ":memory:" and not path.startswith("file:"):
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(
                path,
                check_same_thread=False,
                isolation_level=None,
                timeout=30.0,
                uri=path.startswith("file:"),
            )
            self._conn.row_factory = sqlite3.Row
            if path != ":memory:":
                self._conn.execute("PRAGMA journal_mode=WAL")
            with self.transaction() as conn:
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                _add_columns(conn)
                conn.execute(
                    "INSERT OR IGNORE INTO settings (key, value) VALUES ('token_salt', ?)",
                    (json.dumps(secrets.token_hex(16)),),
                )
        except (OSError, sqlite3.Error) as exc:
            if hasattr(self, "_conn"):
                self._conn.close()
            raise StateError(f"{path}: cannot hold the emulator's state: {exc}") from None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing writes: committed when the block ends, rolled back on any error."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for reads."""
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                yield self._conn
            finally:
                self._conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- ids ---------------------------------------------------------------

    def random(self) -> float:
        with self._lock:
            return self._random.random()

    def new_id(self, conn: sqlite3.Connection, table: str, column: str) -> str:
        """A fresh 19-digit id not yet used in ``table.column``."""
        while True:
            with self._lock:
                candidate = str(self._random.randrange(_ID_LOW, _ID_HIGH))
            taken = conn.execute(
                f"SELECT 1 FROM {table} WHERE {column} = ?",
                (candidate,),
            ).fetchone()
            if not taken:
                return candidate

    # -- settings and the clock --------------------------------------------

    def setting(self, conn: sqlite3.Connection, key: str) -> Any:
        row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row["value"])

    def put_setting(self, conn: sqlite3.Connection, key: str, value: Any) -> None:
        if value is None:
            conn.execute("DELETE FROM settings WHERE key = ?", (key,))
        else:
            conn.execute(
                "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                (key, json.dumps(value)),
            )

    def token_salt(self) -> bytes:
        with self.reading() as conn:
            return str(self.setting(conn, "token_salt")).encode()

    def now(self, conn: sqlite3.Connection | None = None) -> dt.datetime:
        """The emulator clock: real time unless frozen or offset through the admin API."""
        if conn is None:
            with self.reading() as snapshot:
                return self.now(snapshot)
        clock = self.setting(conn, "clock") or {}
        if "frozen" in clock:
            stamp = float(clock["frozen"])
        else:
            stamp = time.time() + float(clock.get("offset", 0.0))
        return dt.datetime.fromtimestamp(stamp, dt.UTC)


def _add_columns(conn: sqlite3.Connection) -> None:
    for table, columns in _ADDED_COLUMNS.items():
        present = {row["name"] for row in conn.execute(f"PRAGMA table_info({table})")}
        for name, kind in columns.items():
            if name not in present:
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")
