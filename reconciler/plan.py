"""Pure planning: desired shifts + current remote shifts + settings → one frozen ``Plan``.

No HTTP, no printing: ``render`` formats the plan and ``apply`` executes the same object.
"""

from __future__ import annotations

import hashlib
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from reconciler import __version__
from reconciler.blast import GroupUse, UsageInfo
from reconciler.config import Settings
from reconciler.diff import FieldChange, field_changes
from reconciler.errors import GuardError, InputError, ShiftctlError
from reconciler.model import CurrentShift, Shift, normalize_name
from reconciler.overrides import NO_OVERRIDES, Overrides
from reconciler.renames import RenameHint, match_renames, rename_hints

__all__ = [
    "GUARD_RULES",
    "NO_OVERRIDES",
    "AmbiguousCurrentError",
    "Change",
    "Create",
    "Delete",
    "FieldChange",
    "GuardFinding",
    "Overrides",
    "Plan",
    "Update",
    "compute_plan",
    "snapshot_hash",
]


class AmbiguousCurrentError(ShiftctlError):
    """Two remote shifts in the managed scope share one name; the plan will not guess."""


@dataclass(frozen=True, slots=True)
class Create:
    shift: Shift
    action: Literal["create"] = "create"

    @property
    def name(self) -> str:
        return self.shift.shift_name


@dataclass(frozen=True, slots=True)
class Update:
    """In place: ``shift_id`` is kept, so attendance groups keep their reference.

    ``used_by`` lists the groups that use the shift (None: not read). A rename is
    an update whose name changes (``renamed_from``).
    """

    shift_id: str
    before: Shift
    after: Shift
    diff: tuple[FieldChange, ...]
    action: Literal["update"] = "update"
    used_by: tuple[GroupUse, ...] | None = field(default=None, kw_only=True)

    @property
    def name(self) -> str:
        return self.after.shift_name

    @property
    def renamed_from(self) -> str | None:
        """The old name of a rename; a respelling of the same name (spaces, NFC) is not
        one: it shows as a ``shift_name`` field change of an update."""
        old = self.before.shift_name
        return old if normalize_name(old) != normalize_name(self.after.shift_name) else None


@dataclass(frozen=True, slots=True)
class Delete:
    shift_id: str
    before: Shift
    action: Literal["delete"] = "delete"
    used_by: tuple[GroupUse, ...] | None = field(default=None, kw_only=True)

    @property
    def name(self) -> str:
        return self.before.shift_name


Change = Create | Update | Delete


GuardRule = Literal["max_deletes", "max_delete_percent", "empty_desired", "protected", "in_use"]
#: Guards no override lifts: Feishu itself refuses the change.
UNOVERRIDABLE: frozenset[str] = frozenset({"in_use"})
GUARD_RULES: frozenset[str] = frozenset(typing.get_args(GuardRule))


@dataclass(frozen=True, slots=True)
class GuardFinding:
    """A guard that fired; ``overridden`` says whether the plan may still be applied."""

    rule: GuardRule
    message: str
    overridden: bool


@dataclass(frozen=True, slots=True)
class Plan:
    """Creates, then updates, then deletes (each by name), with counts and guard results.

    ``usage`` says how the attendance groups were read (None: not read, so who
    uses each shift is unknown); ``hints`` are delete + create pairs that look
    like renames.
    """

    changes: tuple[Change, ...]
    unchanged: int
    unmanaged: int
    snapshot: str
    overrides: Overrides = NO_OVERRIDES
    guards: tuple[GuardFinding, ...] = ()
    made_by: str = __version__  # the snapshot digest is comparable within one version only
    usage: UsageInfo | None = None
    hints: tuple[RenameHint, ...] = ()
    # The shift files' warnings (``path:line:col: warning: …``): shown, never blocking.
    warnings: tuple[str, ...] = ()
    # Where it was planned ("emulator DB" or the endpoint): apply elsewhere is refused.
    target: str = ""

    @property
    def creates(self) -> tuple[Create, ...]:
        return tuple(c for c in self.changes if isinstance(c, Create))

    @property
    def updates(self) -> tuple[Update, ...]:
        return tuple(c for c in self.changes if isinstance(c, Update))

    @property
    def deletes(self) -> tuple[Delete, ...]:
        return tuple(c for c in self.changes if isinstance(c, Delete))

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    @property
    def blocking(self) -> tuple[GuardFinding, ...]:
        return tuple(g for g in self.guards if not g.overridden)

    def summary(self) -> dict[str, int]:
        counts = {"create": 0, "update": 0, "delete": 0}
        for change in self.changes:
            counts[change.action] += 1
        return {**counts, "unchanged": self.unchanged, "unmanaged": self.unmanaged}

    def raise_if_blocked(self) -> None:
        """The octoDNS-style safety gate: refuse unless every fired guard was overridden."""
        blocking = self.blocking
        if blocking:
            reasons = "; ".join(g.message for g in blocking)
            hint = _override_hint([g for g in blocking if g.rule not in UNOVERRIDABLE])
            raise GuardError(f"blocked by a safety guard: {reasons}{f' ({hint})' if hint else ''}")


def _override_hint(blocking: Sequence[GuardFinding]) -> str:
    """What really overrides the guards that fired: --force never overrides protection,
    and nothing overrides a guard Feishu itself would refuse (in use)."""
    hints = []
    if any(g.rule != "protected" for g in blocking):
        hints.append(
            "review, then override with --force or name each shift with --allow-delete NAME"
        )
    if any(g.rule == "protected" for g in blocking):
        hints.append(
            "a protected shift is deleted only when named with --allow-delete NAME "
            "(--force does not override protection)"
        )
    return "; ".join(hints)


def compute_plan(
    desired: Iterable[Shift],
    current: Iterable[CurrentShift],
    settings: Settings,
    overrides: Overrides = NO_OVERRIDES,
) -> Plan:
    """Compare by ``shift_name`` within the managed scope; never touch what is outside it.

    Names are matched after NFC and trimming, but compared exactly: a file that
    spells a tenant's name differently (spaces at its ends, another Unicode form)
    updates that shift's ``shift_name``, and the plan shows it.
    """
    desired_by_key = _desired_by_name(desired, settings)
    current_by_key, unmanaged = _current_by_name(current, settings)
    renames = match_renames(desired_by_key, current_by_key)
    creates: list[Create] = []
    updates: list[Update] = []
    deletes: list[Delete] = []
    unchanged = 0
    for name in sorted(desired_by_key):
        shift = desired_by_key[name]
        found = current_by_key.get(name) or renames.get(name)
        if found is None:
            creates.append(Create(shift))
        elif found.shift == shift:
            unchanged += 1
        else:
            diff = field_changes(found.shift, shift)
            updates.append(Update(found.shift_id, found.shift, shift, diff))
    renamed = {normalize_name(found.name) for found in renames.values()}
    kept = desired_by_key.keys() | renamed
    orphans = sorted(name for name in current_by_key if name not in kept)
    if settings.prune:
        deletes = [Delete(current_by_key[n].shift_id, current_by_key[n].shift) for n in orphans]
    else:
        # Without prune the files manage only the shifts they define.
        unmanaged += len(orphans)
    guards = _check_guards(deletes, len(desired_by_key), len(current_by_key), settings, overrides)
    return Plan(
        changes=(*creates, *updates, *deletes),
        unchanged=unchanged,
        unmanaged=unmanaged,
        snapshot=snapshot_hash(current_by_key.values()),
        overrides=overrides,
        guards=guards,
        hints=rename_hints((c.shift for c in creates), (d.before for d in deletes)),
    )


def _desired_by_name(desired: Iterable[Shift], settings: Settings) -> dict[str, Shift]:
    desired_by_key: dict[str, Shift] = {}
    outside: list[str] = []
    for shift in desired:
        name = shift.shift_name
        key = normalize_name(name)
        if key in desired_by_key:
            raise InputError(f"shift {name!r} is defined twice")
        if not settings.in_scope(name):
            outside.append(name)
        desired_by_key[key] = shift
    if outside:
        names = ", ".join(repr(n) for n in sorted(outside))
        raise InputError(
            f"defined but outside the managed scope (include/exclude in the configuration): {names}"
        )
    return desired_by_key


def _current_by_name(
    current: Iterable[CurrentShift], settings: Settings
) -> tuple[dict[str, CurrentShift], int]:
    current_by_key: dict[str, CurrentShift] = {}
    twins: dict[str, list[str]] = {}
    unmanaged = 0
    for found in current:
        key = found.key
        if not settings.in_scope(found.name):
            unmanaged += 1
        elif key in current_by_key:
            twins.setdefault(key, [_spelled(current_by_key[key])]).append(_spelled(found))
        else:
            current_by_key[key] = found
    if twins:
        listed = "; ".join(f"{n!r} (ids {', '.join(ids)})" for n, ids in sorted(twins.items()))
        raise AmbiguousCurrentError(
            f"several remote shifts share a name: {listed}; "
            "delete or rename all but one in Feishu, or exclude the name from the managed scope"
        )
    return current_by_key, unmanaged


def _spelled(shift: CurrentShift) -> str:
    """Its id, and its exact name when that differs from the matching key."""
    return shift.shift_id if shift.name == shift.key else f"{shift.shift_id} {shift.name!r}"


def _check_guards(
    deletes: Sequence[Delete],
    desired_count: int,
    managed_count: int,
    settings: Settings,
    overrides: Overrides,
) -> tuple[GuardFinding, ...]:
    allowed = set(overrides.allow_delete)  # matching keys, as Overrides.of makes them

    def named(delete: Delete) -> bool:
        return normalize_name(delete.name) in allowed

    count = sum(1 for d in deletes if not named(d))  # named deletes are approved
    percent = 100.0 * count / managed_count if managed_count else 0.0
    fired: list[tuple[GuardRule, str]] = []
    if count > settings.max_deletes:
        fired.append(("max_deletes", f"{count} deletes exceed max_deletes {settings.max_deletes}"))
    if count and percent > settings.max_delete_percent:
        message = (
            f"{count} of {managed_count} managed shifts ({percent:.0f}%) would be deleted, "
            f"more than max_delete_percent {settings.max_delete_percent:g}%"
        )
        fired.append(("max_delete_percent", message))
    if count and desired_count == 0:
        message = (
            f"no shift is defined but {managed_count} managed remote shifts exist "
            "(wrong shifts directory?)"
        )
        fired.append(("empty_desired", message))
    found = [GuardFinding(rule, message, overrides.force) for rule, message in fired]
    # Protection yields only to naming the shift; --force alone never deletes it.
    found += [
        GuardFinding("protected", f"{d.name!r} is protected", named(d))
        for d in deletes
        if settings.is_protected(d.name)
    ]
    return tuple(found)


def snapshot_hash(current: Iterable[CurrentShift]) -> str:
    """A digest of the current state (in the managed scope) the plan was computed from."""
    digest = hashlib.sha256()
    for shift in sorted(current, key=lambda r: (r.name, r.shift_id)):
        # The frozen value's repr spells out every field in a fixed order and
        # costs a quarter of a JSON dump; the digest only has to be stable
        # within one version of shiftctl, which every plan also records.
        digest.update(repr(shift).encode())
        digest.update(b"\n")
    return f"sha256:{digest.hexdigest()}"
