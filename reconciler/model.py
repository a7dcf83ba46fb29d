"""The shift as a typed, canonical value: the one vocabulary of desired and current.

Both the YAML files (``reconciler.definitions``) and the Feishu wire
(``reconciler.feishu``) become these values, so a plan compares like with like:
times are ``HH:MM``, absent fields take their documented defaults, and an
optional object equal to its defaults is the same as no object at all.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import types
import typing
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self, cast

from reconciler._compact import CompactPickle

_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


@functools.lru_cache(maxsize=4096)
def canonical_time(value: str) -> str:
    """``"9:00"`` → ``"09:00"``; next-day times such as ``"26:00"`` stay past 24h."""
    match = _TIME.match(value.strip())
    if not match:
        raise ValueError(f"not a time of day: {value!r}")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes > 59:
        raise ValueError(f"not a time of day: {value!r}")
    return f"{hours:02d}:{minutes:02d}"


def minutes_of(value: str) -> int:
    """Minutes since the shift day's midnight (``"26:30"`` → 1590)."""
    hours, minutes = canonical_time(value).split(":")
    return int(hours) * 60 + int(minutes)


class Record(CompactPickle):
    """Mapping ↔ frozen dataclass conversion shared by every shift object.

    ``_times`` names string fields holding times of day (canonicalised);
    ``_required`` names fields kept in a compact mapping even at their default.
    """

    __slots__ = ()

    _times: ClassVar[frozenset[str]] = frozenset()
    _required: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Self:
        """Build from a YAML or wire mapping; unknown keys are ignored, absent ones defaulted."""
        kwargs: dict[str, Any] = {}
        for name, convert in _converters(cls):
            value = data.get(name)
            if value is not None:
                kwargs[name] = convert(value)
        return cls(**kwargs)

    def to_mapping(self, *, compact: bool = True) -> dict[str, Any]:
        """Field order as declared; with ``compact``, defaults are left out (required kept)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if compact and f.name not in self._required and _is_default(f, value):
                continue
            if value is None:
                continue
            out[f.name] = _unconvert(value, compact=compact)
        return out


Converter = Callable[[Any], Any]
_CONVERTERS: dict[type, tuple[tuple[str, Converter], ...]] = {}


def _converters(cls: type[Record]) -> tuple[tuple[str, Converter], ...]:
    # Resolving annotations is costly and the wire listing converts thousands of
    # shifts, so each class's field converters are built once.
    found = _CONVERTERS.get(cls)
    if found is None:
        hints = typing.get_type_hints(cls)
        found = _CONVERTERS[cls] = tuple(
            (f.name, _converter(hints[f.name], f.name in cls._times))
            for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        )
    return found


def _converter(hint: Any, is_time: bool) -> Converter:
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return _converter(inner[0], is_time)
    if origin is tuple:
        item = _converter(typing.get_args(hint)[0], False)
        return lambda value: tuple(item(v) for v in value)
    if isinstance(hint, type) and issubclass(hint, Record):
        return hint.from_mapping
    if is_time:
        return lambda value: canonical_time(str(value))
    if hint in (bool, int, float):
        return cast(Converter, hint)
    return lambda value: value


def _is_default(f: dataclasses.Field[Any], value: Any) -> bool:
    if f.default is not dataclasses.MISSING:
        return bool(value == f.default)
    if f.default_factory is not dataclasses.MISSING:
        return bool(value == f.default_factory())
    return False


def _unconvert(value: Any, *, compact: bool) -> Any:
    if isinstance(value, Record):
        return value.to_mapping(compact=compact)
    if isinstance(value, tuple):
        return [_unconvert(v, compact=compact) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class PunchTimeRule(Record):
    """One on/off segment of a shift."""

    _times = frozenset({"on_time", "off_time"})
    _required = frozenset(
        {
            "on_time",
            "off_time",
            "late_minutes_as_late",
            "late_minutes_as_lack",
            "on_advance_minutes",
            "early_minutes_as_early",
            "early_minutes_as_lack",
            "off_delay_minutes",
        }
    )

    on_time: str
    off_time: str
    late_minutes_as_late: int
    late_minutes_as_lack: int
    on_advance_minutes: int
    early_minutes_as_early: int
    early_minutes_as_lack: int
    off_delay_minutes: int
    late_minutes_as_serious_late: int = 0
    no_need_on: bool = False
    no_need_off: bool = False


@dataclass(frozen=True, slots=True)
class FlexibleRule(Record):
    """May leave N minutes early (arriving early) / arrive N late (leaving later)."""

    _required = frozenset({"flexible_early_minutes", "flexible_late_minutes"})

    flexible_early_minutes: int
    flexible_late_minutes: int


@dataclass(frozen=True, slots=True)
class LateOffLateOnRule(Record):
    """Leaving late by ``late_off_minutes`` allows arriving late next day."""

    _required = frozenset({"late_off_minutes", "late_on_minutes"})

    late_off_minutes: int
    late_on_minutes: int


@dataclass(frozen=True, slots=True)
class RestRule(Record):
    """A break."""

    _times = frozenset({"rest_begin_time", "rest_end_time"})
    _required = frozenset({"rest_begin_time", "rest_end_time"})

    rest_begin_time: str
    rest_end_time: str


@dataclass(frozen=True, slots=True)
class OvertimeRule(Record):
    """An overtime period."""

    _times = frozenset({"on_overtime", "off_overtime"})
    _required = frozenset({"on_overtime", "off_overtime"})

    on_overtime: str
    off_overtime: str


@dataclass(frozen=True, slots=True)
class ShiftMiddleTimeRule(Record):
    """Where the half-day split falls (0 midpoint incl. breaks … 3 fixed time)."""

    _times = frozenset({"fixed_middle_time"})

    middle_time_type: int = 0
    fixed_middle_time: str | None = None


@dataclass(frozen=True, slots=True)
class ShiftAttendanceTimeConfig(Record):
    """How many attendance days the shift counts for (grey release)."""

    attendance_time: float = 1.0
    on_attendance_time: float = 1.0
    off_attendance_time: float = 1.0


@dataclass(frozen=True, slots=True)
class LateOffLateOnSetting(Record):
    """Which on-time the late-off/late-on tiers are measured from."""

    late_off_base_on_time_type: int = 0
    late_on_base_on_time_type: int = 0


@dataclass(frozen=True, slots=True)
class RestTimeFlexibleConfig(Record):
    """Lets a break slide later by ``late_mins``."""

    need_flexible: bool = False
    late_mins: int = 0


@dataclass(frozen=True, slots=True)
class Shift(Record):
    """A shift definition in canonical form, identified by ``shift_name``.

    The name is kept exactly as written (files) or sent (Feishu): it is what is
    shown and sent. Matching uses :func:`normalize_name`, so a name that differs only
    by spaces at its ends or by Unicode form is the same shift, and a change to it
    is a field change like any other.

    ``sub_shift_leader_ids`` is write-only: Feishu documents it as invalid in
    read responses, so it never takes part in comparison. ``previous_names``
    lives in the files only (the names a shift had before, so a rename keeps
    its ``shift_id``): never sent, never compared.
    """

    _required = frozenset({"shift_name", "punch_times", "punch_time_rule"})
    WRITE_ONLY: ClassVar[frozenset[str]] = frozenset({"sub_shift_leader_ids"})
    LOCAL_ONLY: ClassVar[frozenset[str]] = frozenset({"previous_names"})

    shift_name: str
    # Keyword-only so it can sit beside the name (file order) after the required fields.
    previous_names: tuple[str, ...] = field(default=(), compare=False, kw_only=True)
    punch_times: int
    punch_time_rule: tuple[PunchTimeRule, ...]
    is_flexible: bool = False
    flexible_minutes: int = 0
    flexible_rule: tuple[FlexibleRule, ...] = ()
    no_need_off: bool = False
    rest_time_rule: tuple[RestRule, ...] = ()
    rest_time_flexible_configs: tuple[RestTimeFlexibleConfig, ...] = ()
    overtime_rule: tuple[OvertimeRule, ...] = ()
    overtime_rest_time_rule: tuple[RestRule, ...] = ()
    late_off_late_on_rule: tuple[LateOffLateOnRule, ...] = ()
    late_off_late_on_setting: LateOffLateOnSetting | None = None
    day_type: int = 1
    late_minutes_as_serious_late: int = 0
    shift_middle_time_rule: ShiftMiddleTimeRule | None = None
    shift_attendance_time_config: ShiftAttendanceTimeConfig | None = None
    sub_shift_leader_ids: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        # An optional object equal to its defaults means the same as no object,
        # so a server that echoes the defaults back never shows a change.
        for name in (
            "late_off_late_on_setting",
            "shift_middle_time_rule",
            "shift_attendance_time_config",
        ):
            value = getattr(self, name)
            if value is not None and value == type(value)():
                object.__setattr__(self, name, None)

    def comparable(self) -> dict[str, Any]:
        """The full mapping the plan compares and diffs (write-only and local fields left out)."""
        data = self.to_mapping(compact=False)
        for name in self.WRITE_ONLY | self.LOCAL_ONLY:
            data.pop(name, None)
        return data

    def sent_mapping(self) -> dict[str, Any]:
        """The compact mapping Feishu is sent: the file-only fields left out."""
        data = self.to_mapping(compact=True)
        for name in self.LOCAL_ONLY:
            data.pop(name, None)
        return data


def normalize_name(name: str) -> str:
    """The key shift names are matched by: Unicode NFC, then trimmed. Never shown or sent."""
    return unicodedata.normalize("NFC", name).strip()


@dataclass(frozen=True, slots=True)
class CurrentShift:
    """A shift as it exists in the tenant: its server id and its definition."""

    shift_id: str
    shift: Shift

    @property
    def name(self) -> str:
        """The name exactly as the tenant has it."""
        return self.shift.shift_name

    @property
    def key(self) -> str:
        """The name as shifts are matched by (:func:`normalize_name`)."""
        return normalize_name(self.shift.shift_name)
