"""The saved plan: a ``Plan`` as a JSON document with a checksum, and read back.

``plan --out`` writes it, ``show`` and ``apply`` read it; a changed or foreign
file is refused, never half-trusted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, TypeVar

from reconciler.blast import HOW, GroupUse, UsageInfo
from reconciler.errors import InputError
from reconciler.model import Shift
from reconciler.plan import (
    GUARD_RULES,
    Change,
    Create,
    Delete,
    FieldChange,
    GuardFinding,
    Overrides,
    Plan,
    Update,
)
from reconciler.renames import RenameHint

__all__ = ["FORMAT_VERSION", "checksum", "plan_document", "plan_from_document"]

FORMAT_VERSION = 1
_T = TypeVar("_T")


def plan_document(plan: Plan) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "shiftctl_version": plan.made_by,
        "target": plan.target,
        "summary": plan.summary(),
        "changes": [_change_document(c) for c in plan.changes],
        "snapshot": plan.snapshot,
        "overrides": {
            "allow_delete": list(plan.overrides.allow_delete),
            "force": plan.overrides.force,
        },
        "guards": [
            {"rule": g.rule, "message": g.message, "overridden": g.overridden} for g in plan.guards
        ],
        "usage": _usage_document(plan.usage),
        "hints": [
            {"rename_from": h.old, "rename_to": h.new, "message": h.message} for h in plan.hints
        ],
        "warnings": list(plan.warnings),
    }
    doc["checksum"] = checksum(doc)
    return doc


def _usage_document(usage: UsageInfo | None) -> dict[str, Any]:
    """``read`` false: the groups were not read (``--no-usage``), so ``used_by`` is null."""
    if usage is None:
        return {"read": False}
    return {
        "read": True,
        "groups": usage.groups,
        "calls": usage.calls,
        "look_ahead_days": usage.look_ahead_days,
    }


def _change_document(change: Change) -> dict[str, Any]:
    before = None if isinstance(change, Create) else change.before
    after = change.after if isinstance(change, Update) else None
    if isinstance(change, Create):
        after = change.shift
    diff = change.diff if isinstance(change, Update) else ()
    doc: dict[str, Any] = {
        "action": change.action,
        "shift_name": change.name,
        "shift_id": None if isinstance(change, Create) else change.shift_id,
        "before": before.comparable() if before else None,
        "after": after.comparable() if after else None,
        "diff": [{"path": c.path, "before": c.before, "after": c.after} for c in diff],
    }
    sent_only = _write_only(after) if after else {}
    if sent_only:
        # Feishu never reads these back, so "after" leaves them out; the saved plan
        # still carries them, since apply sends exactly what the file holds.
        doc["write_only"] = sent_only
    if not isinstance(change, Create):
        doc["renamed_from"] = change.renamed_from if isinstance(change, Update) else None
        doc["used_by"] = None if change.used_by is None else [_use(u) for u in change.used_by]
    return doc


def _write_only(shift: Shift) -> dict[str, Any]:
    sent = shift.to_mapping(compact=True)
    return {name: sent[name] for name in sorted(Shift.WRITE_ONLY) if name in sent}


def _after_from(data: Mapping[str, Any]) -> Shift:
    """The shift a create or update sends: ``after`` and the write-only fields beside it."""
    sent_only = _typed(data.get("write_only", {}), dict)
    unknown = set(sent_only) - Shift.WRITE_ONLY
    if unknown:
        raise ValueError(f"unknown write-only fields {sorted(unknown)!r:.60}")
    return Shift.from_mapping({**_typed(data["after"], dict), **sent_only})


def _use(use: GroupUse) -> dict[str, Any]:
    return {
        "group_id": use.group_id,
        "group_name": use.group_name,
        "members": use.members,
        "how": list(use.how),
    }


def checksum(doc: Mapping[str, Any]) -> str:
    """sha256 over the document's content, the checksum field itself left out."""
    content = {k: v for k, v in doc.items() if k != "checksum"}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    # surrogatepass: a tenant's name may hold a lone surrogate, which plain UTF-8 refuses.
    return f"sha256:{hashlib.sha256(text.encode('utf-8', 'surrogatepass')).hexdigest()}"


def plan_from_document(doc: Any) -> Plan:
    """Read a saved plan back; a changed or foreign file is refused, never half-trusted."""
    if not isinstance(doc, dict) or doc.get("format_version") != FORMAT_VERSION:
        raise InputError(f"not a shiftctl plan (format_version {FORMAT_VERSION} expected)")
    if doc.get("checksum") != checksum(doc):
        raise InputError("the plan file was modified after it was saved (checksum mismatch)")
    try:
        summary = doc["summary"]
        overrides = doc["overrides"]
        return Plan(
            changes=tuple(_change_from(c) for c in _typed(doc["changes"], list)),
            unchanged=_typed(summary["unchanged"], int),
            unmanaged=_typed(summary["unmanaged"], int),
            snapshot=_typed(doc["snapshot"], str),
            overrides=Overrides(
                tuple(_typed(n, str) for n in _typed(overrides["allow_delete"], list)),
                _typed(overrides["force"], bool),
            ),
            guards=tuple(_guard_from(g) for g in _typed(doc["guards"], list)),
            made_by=_typed(doc["shiftctl_version"], str),
            usage=_usage_from(_typed(doc.get("usage", {"read": False}), dict)),
            hints=tuple(
                RenameHint(_typed(h["rename_from"], str), _typed(h["rename_to"], str))
                for h in _typed(doc.get("hints", []), list)
            ),
            warnings=tuple(_typed(w, str) for w in _typed(doc.get("warnings", []), list)),
            target=_typed(doc.get("target", ""), str),
        )
    # A hand-edited file can carry any JSON (its checksum recomputed): every
    # way it can be wrong is one clear error, never a traceback.
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as exc:
        raise InputError(f"not a valid shiftctl plan: {exc!r}") from None


def _typed(value: Any, kind: type[_T]) -> _T:
    # bool is an int in Python, never in a plan file.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"expected {kind.__name__}, got {value!r:.40}")
    return value


def _guard_from(data: Mapping[str, Any]) -> GuardFinding:
    rule = data["rule"]
    if rule not in GUARD_RULES:
        raise ValueError(f"unknown guard {rule!r:.40}")
    return GuardFinding(rule, _typed(data["message"], str), _typed(data["overridden"], bool))


def _usage_from(data: Mapping[str, Any]) -> UsageInfo | None:
    if not _typed(data["read"], bool):
        return None
    return UsageInfo(
        groups=_typed(data["groups"], int),
        calls=_typed(data["calls"], int),
        look_ahead_days=_typed(data["look_ahead_days"], int),
    )


def _uses_from(value: Any) -> tuple[GroupUse, ...] | None:
    if value is None:
        return None
    uses = []
    for item in _typed(value, list):
        given = [_typed(h, str) for h in _typed(item["how"], list)]
        how = tuple(h for h in HOW if h in given)
        if len(how) != len(given):
            raise ValueError(f"unknown or repeated use in {given!r:.60}")
        uses.append(
            GroupUse(
                _typed(item["group_id"], str),
                _typed(item["group_name"], str),
                _typed(item["members"], int),
                how,
            )
        )
    return tuple(uses)


def _change_from(data: Mapping[str, Any]) -> Change:
    action = data["action"]
    if action == "create":
        return Create(_after_from(data))
    before = Shift.from_mapping(_typed(data["before"], dict))
    shift_id = _typed(data["shift_id"], str)
    used_by = _uses_from(data.get("used_by"))
    if action == "delete":
        return Delete(shift_id, before, used_by=used_by)
    if action != "update":
        raise ValueError(f"unknown action {action!r:.40}")
    diff = tuple(
        FieldChange(_typed(d["path"], str), d["before"], d["after"])
        for d in _typed(data["diff"], list)
    )
    after = _after_from(data)
    return Update(shift_id, before, after, diff, used_by=used_by)
