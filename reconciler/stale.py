"""A reviewed plan against the plan computed now: what differs, with the values of each side.

``apply PLAN.json`` refuses (exit 4, nothing changed) when this finds anything.
"""

from __future__ import annotations

from collections.abc import Iterator

from reconciler.diff import field_changes
from reconciler.errors import StalePlanError
from reconciler.model import Shift, normalize_name
from reconciler.plan import Change, Create, Plan, Update
from reconciler.render import flattened_fields, format_value

__all__ = ["check_fresh", "stale_differences"]

# A changed shift shows at most this many lines per side; a person reads the first ones.
MAX_LINES = 12


def stale_differences(saved: Plan, fresh: Plan) -> list[str]:
    """What differs between a reviewed plan and the plan computed now (empty: the same).

    Each entry is one line, followed (indented, on lines of its own) by the values the
    reviewers saw (``reviewed:``) and the values now (``now:``) where they differ.
    Who uses a shift (``used_by``) is not compared: people join and leave groups all
    day. A delete that became in use is stopped by the fresh plan's guard.
    """
    before = _by_key(saved)
    after = _by_key(fresh)
    # A create or delete that comes or goes is named; an update also shows its fields.
    lines = [
        _entry("no longer planned", change, _update_lines(change), ())
        for key, change in before.items()
        if key not in after
    ]
    lines += [
        _entry("newly planned", change, (), _update_lines(change))
        for key, change in after.items()
        if key not in before
    ]
    for key, old in before.items():
        new = after.get(key)
        if new is not None and _value(new) != _value(old):
            lines.append(_entry("changed", new, _lines(old), _lines(new), _ids(old, new)))
    if saved.target != fresh.target and saved.target and fresh.target:
        lines.append(f"the plan was made against {saved.target}; this is {fresh.target}")
    if saved.made_by != fresh.made_by:
        # Its snapshot digest cannot be compared: say why, not "the tenant changed".
        lines.append(f"the plan was made by shiftctl {saved.made_by}; this is {fresh.made_by}")
    elif saved.snapshot != fresh.snapshot:
        lines.append(
            "the managed remote shifts changed since the plan was made (a shift was edited, "
            "added or removed in Feishu)"
        )
    return lines


def check_fresh(saved: Plan, fresh: Plan) -> Plan:
    """``saved``, the plan to execute, once the tenant and the files are found unmoved
    since review; else refuse (exit 4, nothing changed)."""
    differences = stale_differences(saved, fresh)
    if differences:
        listed = "".join(f"\n  - {line}" for line in differences)
        raise StalePlanError(
            "the saved plan is stale; nothing was changed. Run plan again and review it:" + listed
        )
    return saved


def _by_key(plan: Plan) -> dict[tuple[str, str], Change]:
    return {(c.action, normalize_name(c.name)): c for c in plan.changes}


def _value(change: Change) -> tuple[object, ...]:
    """What a change sends, compared as values: ids and shifts (``Shift`` equality), and
    the write-only fields that equality leaves out. Not ``used_by``, and not ``diff``,
    which follows from ``before`` and ``after``."""
    if isinstance(change, Create):
        return (change.shift, _sent_only(change.shift))
    if isinstance(change, Update):
        return (change.shift_id, change.before, change.after, _sent_only(change.after))
    return (change.shift_id, change.before)


def _sent_only(shift: Shift) -> tuple[object, ...]:
    return tuple(getattr(shift, name) for name in sorted(Shift.WRITE_ONLY))


def _entry(
    what: str,
    change: Change,
    reviewed: tuple[str, ...] | list[str],
    now: tuple[str, ...] | list[str],
    extra: tuple[str, ...] = (),
) -> str:
    head = f"{what}: {change.action} {change.name!r}"
    gone = [line for line in reviewed if line not in now]
    came = [line for line in now if line not in reviewed]
    body = [*extra, *_side("reviewed", gone), *_side("now", came)]
    return "\n".join([head, *(f"      {line}" for line in body)])


def _side(label: str, lines: list[str]) -> Iterator[str]:
    pad = f"{label}:".ljust(10)
    for line in lines[:MAX_LINES]:
        yield f"{pad}{line}"
    if len(lines) > MAX_LINES:
        yield f"{pad}… and {len(lines) - MAX_LINES} more"


def _ids(old: Change, new: Change) -> tuple[str, ...]:
    if isinstance(old, Create) or isinstance(new, Create) or old.shift_id == new.shift_id:
        return ()
    return (f"reviewed: id {old.shift_id}", f"now:      id {new.shift_id}")


def _update_lines(change: Change) -> list[str]:
    return _lines(change) if isinstance(change, Update) else []


def _lines(change: Change) -> list[str]:
    """The change as lines a person compares: field changes of an update, fields otherwise."""
    if isinstance(change, Update):
        # Write-only fields are never diffed (Feishu never reads them back): their values.
        sent_only = [
            f"{path}: {format_value(value)}"
            for path, value in flattened_fields(change.after)
            if path.partition("[")[0] in Shift.WRITE_ONLY
        ]
        return [
            f"{c.path}: {format_value(c.before)} → {format_value(c.after)}"
            for c in field_changes(change.before, change.after)
        ] + sent_only
    shift: Shift = change.shift if isinstance(change, Create) else change.before
    return [f"{path}: {format_value(value)}" for path, value in flattened_fields(shift)]
