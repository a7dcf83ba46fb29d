"""One punch row: checked field by field, given its deterministic ``idempotent_id``.

The row's identity (who, when, where, which external record) decides its
``idempotent_id``, so the same punch imported twice is stored once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from reconciler.feishu.types import UserFlow
from reconciler.flows.sources import RawRow, RowProblem
from reconciler.flows.times import EARLIEST_PUNCH, parse_punch_time
from reconciler.safetext import describe, first_surrogate

__all__ = ["COLUMNS", "REQUIRED", "PunchRow", "check_row", "identity_key"]

REQUIRED = frozenset({"user_id", "check_time", "location_name", "comment"})
COLUMNS = REQUIRED | {"creator_id", "external_id", "is_field", "is_wifi", "ssid", "bssid"}
# Ids a JSON file may give as numbers (staff numbers, other systems' record ids).
_IDS = frozenset({"user_id", "creator_id", "external_id"})
_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}
_ID_PREFIX = "sc1-"


@dataclass(frozen=True, slots=True)
class PunchRow:
    """A row that passed every local check; ``line`` is where it starts in its file."""

    line: int
    user_id: str
    check_time: int
    location_name: str
    comment: str
    creator_id: str
    external_id: str | None = None
    is_field: bool | None = None
    is_wifi: bool | None = None
    ssid: str | None = None
    bssid: str | None = None

    def idempotent_id(self, employee_type: str) -> str:
        """Same punch → same id, whatever the file, line, comment or import run."""
        return identity_key(
            employee_type, self.user_id, self.check_time, self.location_name, self.external_id
        )

    def to_flow(self, employee_type: str) -> UserFlow:
        return UserFlow(
            user_id=self.user_id,
            creator_id=self.creator_id,
            location_name=self.location_name,
            check_time=self.check_time,
            comment=self.comment,
            idempotent_id=self.idempotent_id(employee_type),
            external_id=self.external_id,
            is_field=self.is_field,
            is_wifi=self.is_wifi,
            ssid=self.ssid,
            bssid=self.bssid,
        )


def identity_key(
    employee_type: str, user_id: str, check_time: int, location_name: str, external_id: str | None
) -> str:
    """The ``idempotent_id`` of a punch: a hash of who, when, where and which external record."""
    identity = [employee_type, user_id, check_time, location_name, external_id or ""]
    digest = hashlib.sha256(json.dumps(identity, ensure_ascii=False).encode()).hexdigest()
    return _ID_PREFIX + digest[:32]


def check_row(raw: RawRow, name: str) -> PunchRow | RowProblem:
    """The row as a :class:`PunchRow`, or one problem naming every bad field."""
    values = raw.values
    faults: list[str] = []
    if not values.keys() <= COLUMNS:
        faults += [f"unknown field {key!r}" for key in values if key not in COLUMNS]
    faults += _not_text(values)
    user_id = _required_text(values, "user_id", faults)
    location = _required_text(values, "location_name", faults)
    comment = _comment(values, faults)
    check_time = _check_time(values, faults)
    creator_id = _text(values, "creator_id", faults)
    external_id = _text(values, "external_id", faults)
    ssid = _text(values, "ssid", faults)
    bssid = _text(values, "bssid", faults)
    is_field = _flag(values, "is_field", faults)
    is_wifi = _flag(values, "is_wifi", faults)
    if faults or user_id is None or location is None or check_time is None:
        return RowProblem(name, raw.line, "; ".join(faults))
    return PunchRow(
        line=raw.line,
        user_id=user_id,
        check_time=check_time,
        location_name=location,
        comment=comment,
        creator_id=creator_id or user_id,
        external_id=external_id,
        is_field=is_field,
        is_wifi=is_wifi,
        ssid=ssid,
        bssid=bssid,
    )


def _not_text(values: Mapping[str, object]) -> list[str]:
    """Texts UTF-8 cannot carry: a JSON ``"\\ud83d"`` escape without its pair.

    Caught here, in the checking pass, so such a row is a located problem and never
    a crash half-way through sending.
    """
    faults = []
    for key, value in values.items():
        index = first_surrogate(value) if isinstance(value, str) else None
        if isinstance(value, str) and index is not None:
            faults.append(
                f"{key}: contains a {describe(value[index])} at character {index + 1} "
                "(not Unicode text: a JSON \\ud83d escape without its pair)"
            )
    return faults


def _required_text(values: Mapping[str, object], key: str, faults: list[str]) -> str | None:
    value = _id_text(key, values.get(key))
    if value is None or (isinstance(value, str) and not value.strip()):
        faults.append(f"{key}: missing")
        return None
    if not isinstance(value, str):
        faults.append(f"{key}: must be a string")
        return None
    return value.strip()


def _id_text(key: str, value: object) -> object:
    """A whole number given for an id, as its text; any other value as it is."""
    if key in _IDS and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _comment(values: Mapping[str, object], faults: list[str]) -> str:
    if "comment" not in values:
        faults.append("comment: missing (an empty comment is fine)")
        return ""
    value = values["comment"]
    if value is None:
        return ""
    if not isinstance(value, str):
        faults.append("comment: must be a string")
        return ""
    return value


def _check_time(values: Mapping[str, object], faults: list[str]) -> int | None:
    value = values.get("check_time")
    if value is None or value == "":
        faults.append("check_time: missing")
        return None
    try:
        seconds = parse_punch_time(value)
    except ValueError as exc:
        faults.append(f"check_time: {exc}")
        return None
    if seconds < EARLIEST_PUNCH:
        faults.append(f"check_time: {value} is before 2022-01-01, which Feishu refuses")
        return None
    return seconds


def _text(values: Mapping[str, object], key: str, faults: list[str]) -> str | None:
    value = _id_text(key, values.get(key))
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        faults.append(f"{key}: must be a string")
        return None
    return value.strip() or None


def _flag(values: Mapping[str, object], key: str, faults: list[str]) -> bool | None:
    value = values.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    faults.append(f"{key}: must be true or false, not {value!r}")
    return None
