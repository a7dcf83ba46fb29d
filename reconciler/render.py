"""A ``Plan`` as text (Terraform-like), Markdown (one PR comment) or JSON; formats only.

The JSON document is also the saved-plan file: ``plan_document`` writes it and
``plan_from_document`` reads it back (checksum verified).
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

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

__all__ = [
    "FORMAT_VERSION",
    "MARKDOWN_LIMIT",
    "MARKER",
    "SYMBOL",
    "checksum",
    "format_value",
    "plan_document",
    "plan_from_document",
    "render",
    "render_json",
    "render_markdown",
    "render_text",
    "summary_line",
]

FORMAT_VERSION = 1
MARKER = "<!-- shiftctl-plan -->"
MARKDOWN_LIMIT = 65_536  # GitHub's limit on a comment body, in characters
SYMBOL = {"create": "+", "update": "~", "delete": "-"}
_ANSI = {"create": "\x1b[32m", "update": "\x1b[33m", "delete": "\x1b[31m", "bold": "\x1b[1m"}
_RESET = "\x1b[0m"
_T = TypeVar("_T")


def render(plan: Plan, fmt: str, *, color: bool = False) -> str:
    """Dispatch on the ``--format`` name (text, markdown, json)."""
    if fmt == "markdown":
        return render_markdown(plan)
    if fmt == "json":
        return render_json(plan)
    return render_text(plan, color=color)


def summary_line(plan: Plan) -> str:
    s = plan.summary()
    return (
        f"Plan: {s['create']} to create, {s['update']} to update, {s['delete']} to delete, "
        f"{s['unchanged']} unchanged, {s['unmanaged']} unmanaged."
    )


# -- text ------------------------------------------------------------------


def render_text(plan: Plan, *, color: bool = False) -> str:
    def paint(text: str, style: str) -> str:
        return f"{_ANSI[style]}{text}{_RESET}" if color else text

    lines: list[str] = []
    if plan.has_changes:
        lines += ["shiftctl will perform the following actions:", ""]
    else:
        lines += ["No changes. The tenant matches the shift files.", ""]
    for change in plan.changes:
        lines.append(paint(f"  {SYMBOL[change.action]} {_headline(change)}", change.action))
        lines += [f"      {line}" for line in _detail_lines(change)]
        lines.append("")
    lines += _guard_lines(plan)
    lines.append(paint(summary_line(plan), "bold"))
    return "\n".join(lines) + "\n"


def _headline(change: Change) -> str:
    if isinstance(change, Create):
        return f"create {change.name!r}"
    return f"{change.action} {change.name!r} (id {change.shift_id})"


def _detail_lines(change: Change) -> list[str]:
    if isinstance(change, Update):
        return [
            f"{c.path}: {format_value(c.before)} → {format_value(c.after)}" for c in change.diff
        ]
    if isinstance(change, Create):
        return [f"{path}: {format_value(v)}" for path, v in _fields(change.shift)]
    return []


def _guard_lines(plan: Plan) -> list[str]:
    lines: list[str] = []
    for guard in plan.guards:
        state = "overridden" if guard.overridden else "BLOCKED"
        lines.append(f"Guard {guard.rule} {state}: {guard.message}")
    if plan.overrides.allow_delete or plan.overrides.force:
        lines.append(f"Overrides: {_overrides_text(plan.overrides)}")
    return [*lines, ""] if lines else []


def _overrides_text(overrides: Overrides) -> str:
    parts = [f"--allow-delete {name!r}" for name in overrides.allow_delete]
    return ", ".join([*parts, *(["--force"] if overrides.force else [])])


def format_value(value: Any) -> str:
    if value is None:
        return "(absent)"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _fields(shift: Shift) -> Iterator[tuple[str, Any]]:
    """The fields a file would hold, as paths; the name is already in the headline."""
    data = shift.to_mapping()
    data.pop("shift_name", None)
    return _flatten(data)


def _flatten(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _flatten(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list) and value and isinstance(value[0], Mapping):
        for index, item in enumerate(value):
            yield from _flatten(item, f"{path}[{index}]")
    else:
        yield path, value


# -- markdown --------------------------------------------------------------


def render_markdown(plan: Plan, *, limit: int = MARKDOWN_LIMIT) -> str:
    """One PR comment; falls back to a summary when the details would pass ``limit``."""
    head = _markdown_head(plan)
    details = [_markdown_details(change) for change in plan.changes]
    full = "\n".join([*head, *details, ""])
    if len(full) <= limit:
        return full
    note = (
        "_The full plan is too long for one comment; read it with "
        "`shiftctl show PLAN.json` or in the uploaded plan artifact._"
    )
    lines = [*head, note, ""]
    budget = limit - len("\n".join(lines)) - 64
    for change in plan.changes:
        entry = f"- `{SYMBOL[change.action]}` {change.action} {_code(change.name)}"
        if budget - len(entry) - 1 < 0:
            lines.append("- … and more")
            break
        lines.append(entry)
        budget -= len(entry) + 1
    return "\n".join([*lines, ""])


def _markdown_head(plan: Plan) -> list[str]:
    lines = [MARKER, "### shiftctl plan", "", f"**{summary_line(plan)}**", ""]
    if plan.deletes:
        count = len(plan.deletes)
        names = _first(", ".join, [_code(d.name) for d in plan.deletes])
        lines += [
            "> [!CAUTION]",
            f"> **This plan DELETES {count} shift{'s' if count != 1 else ''}:** {names}",
            "",
        ]
    blocking = plan.blocking
    if blocking:
        lines += ["> [!WARNING]", "> **Blocked by a safety guard; apply will refuse:**"]
        lines += _first(list, [f"> - {html.escape(g.message)}" for g in blocking])
        lines.append("")
    overridden = [g for g in plan.guards if g.overridden]
    lines += _first(list, [f"- Guard overridden: {html.escape(g.message)}" for g in overridden])
    if plan.overrides.allow_delete or plan.overrides.force:
        lines.append(f"- Overrides: {html.escape(_overrides_text(plan.overrides))}")
    if overridden or plan.overrides.allow_delete or plan.overrides.force:
        lines.append("")
    if not plan.has_changes:
        lines += ["No changes. The tenant matches the shift files.", ""]
    return lines


def _first(join: Callable[[list[str]], _T], items: list[str], keep: int = 50) -> _T:
    # Banners name at most ``keep`` items so the head alone never nears the size limit.
    if len(items) > keep:
        items = [*items[:keep], f"… and {len(items) - keep} more"]
    return join(items)


def _markdown_details(change: Change) -> str:
    symbol = SYMBOL[change.action]
    if isinstance(change, Update):
        body = [
            f"{sign} {c.path}: {format_value(value)}"
            for c in change.diff
            for sign, value in (("-", c.before), ("+", c.after))
            if value is not None
        ]
    else:
        shift = change.shift if isinstance(change, Create) else change.before
        body = [f"{symbol} {p}: {format_value(v)}" for p, v in _fields(shift)]
    text = "\n".join(body)
    fence = "```"
    while fence in text:
        fence += "`"
    summary = f"{symbol} {change.action} {_code(change.name)}"
    if not isinstance(change, Create):
        summary += f" (id {html.escape(change.shift_id)})"
    return f"<details><summary>{summary}</summary>\n\n{fence}diff\n{text}\n{fence}\n\n</details>\n"


def _code(name: str) -> str:
    return f"<code>{html.escape(name)}</code>"


# -- JSON (also the saved-plan file) ---------------------------------------


def render_json(plan: Plan) -> str:
    return json.dumps(plan_document(plan), ensure_ascii=False, indent=2) + "\n"


def plan_document(plan: Plan) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "shiftctl_version": plan.made_by,
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
    }
    doc["checksum"] = checksum(doc)
    return doc


def _change_document(change: Change) -> dict[str, Any]:
    before = None if isinstance(change, Create) else change.before
    after = change.after if isinstance(change, Update) else None
    if isinstance(change, Create):
        after = change.shift
    diff = change.diff if isinstance(change, Update) else ()
    return {
        "action": change.action,
        "shift_name": change.name,
        "shift_id": None if isinstance(change, Create) else change.shift_id,
        "before": before.comparable() if before else None,
        "after": after.comparable() if after else None,
        "diff": [{"path": c.path, "before": c.before, "after": c.after} for c in diff],
    }


def checksum(doc: Mapping[str, Any]) -> str:
    """sha256 over the document's content, the checksum field itself left out."""
    content = {k: v for k, v in doc.items() if k != "checksum"}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return f"sha256:{hashlib.sha256(text.encode()).hexdigest()}"


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


def _change_from(data: Mapping[str, Any]) -> Change:
    action = data["action"]
    if action == "create":
        return Create(Shift.from_mapping(_typed(data["after"], dict)))
    before = Shift.from_mapping(_typed(data["before"], dict))
    shift_id = _typed(data["shift_id"], str)
    if action == "delete":
        return Delete(shift_id, before)
    if action != "update":
        raise ValueError(f"unknown action {action!r:.40}")
    diff = tuple(
        FieldChange(_typed(d["path"], str), d["before"], d["after"])
        for d in _typed(data["diff"], list)
    )
    return Update(shift_id, before, Shift.from_mapping(_typed(data["after"], dict)), diff)
