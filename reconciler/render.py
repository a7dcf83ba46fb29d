"""A ``Plan`` as text (Terraform-like), Markdown (one PR comment), JSON or HTML; formats only.

The JSON form is the saved-plan document of ``reconciler.planfile``; the HTML page and
the Markdown timelines are drawn by ``reconciler.pictures``.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from reconciler.model import Shift
from reconciler.pictures.gantt import gantt_block
from reconciler.pictures.timeline import timeline_of
from reconciler.plan import (
    Change,
    Create,
    Overrides,
    Plan,
    Update,
)
from reconciler.planfile import plan_document
from reconciler.render_usage import blast_total, hint_lines, usage_line, used_by_text
from reconciler.safetext import escape, escape_json, markdown

__all__ = [
    "MARKDOWN_LIMIT",
    "MARKER",
    "SYMBOL",
    "flattened_fields",
    "format_value",
    "render",
    "render_json",
    "render_markdown",
    "render_text",
    "shift_fields",
    "summary_line",
]

MARKER = "<!-- shiftctl-plan -->"
#: GitHub's limit on a comment body is 65,536 characters; 1 KiB is left for the lines CI
#: adds below the plan (its exit, the checksum, the link to the HTML page).
MARKDOWN_LIMIT = 65_536 - 1_024
SYMBOL = {"create": "+", "update": "~", "delete": "-"}
_ANSI = {"create": "\x1b[32m", "update": "\x1b[33m", "delete": "\x1b[31m", "bold": "\x1b[1m"}
_RESET = "\x1b[0m"
_T = TypeVar("_T")


def render(plan: Plan, fmt: str, *, color: bool = False) -> str:
    """Dispatch on the ``--format`` name (text, markdown, json, html)."""
    if fmt == "html":
        # The page module formats with this one's helpers, so it is imported when asked for.
        from reconciler.pictures.page import plan_html

        return plan_html(plan)
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
    lines += _warning_lines(plan)
    lines += _guard_lines(plan)
    notes = [line for line in (usage_line(plan), *hint_lines(plan)) if line]
    lines += [*notes, ""] if notes else []
    lines.append(paint(summary_line(plan), "bold"))
    return "\n".join(lines) + "\n"


def _headline(change: Change) -> str:
    if isinstance(change, Create):
        return f"create {change.name!r}"
    if isinstance(change, Update) and change.renamed_from is not None:
        return f"rename {change.renamed_from!r} → {change.name!r} (id {escape(change.shift_id)})"
    return f"{change.action} {change.name!r} (id {escape(change.shift_id)})"


def _detail_lines(change: Change) -> list[str]:
    used = used_by_text(change)
    head = [used] if used else []
    if isinstance(change, Update):
        return head + [
            f"{c.path}: {format_value(c.before)} → {format_value(c.after)}" for c in change.diff
        ]
    if isinstance(change, Create):
        return [f"{path}: {format_value(v)}" for path, v in flattened_fields(change.shift)]
    return head


def _warning_lines(plan: Plan) -> list[str]:
    if not plan.warnings:
        return []
    head = "Warnings in the shift files (Feishu accepts these; validate --strict refuses them):"
    return [head, *(f"  {escape(warning)}" for warning in plan.warnings), ""]


def _guard_lines(plan: Plan) -> list[str]:
    lines: list[str] = []
    for guard in plan.guards:
        state = "overridden" if guard.overridden else "BLOCKED"
        lines.append(f"Guard {guard.rule} {state}: {escape(guard.message)}")
    if plan.overrides.allow_delete or plan.overrides.force:
        lines.append(f"Overrides: {_overrides_text(plan.overrides)}")
    return [*lines, ""] if lines else []


def _overrides_text(overrides: Overrides) -> str:
    parts = [f"--allow-delete {name!r}" for name in overrides.allow_delete]
    return ", ".join([*parts, *(["--force"] if overrides.force else [])])


def format_value(value: Any) -> str:
    """A field's value on one line; text from the tenant or the files is escaped."""
    if value is None:
        return "(absent)"
    if isinstance(value, str):
        if value and value == value.strip() and unicodedata.is_normalized("NFC", value):
            return escape(value)
        # Quoted, so spaces at the ends of a name (or an empty text) can be seen, and
        # combining marks escaped, so "Cafe\u0301" does not look like "Café".
        quoted = json.dumps(value, ensure_ascii=False)
        return escape(
            "".join(f"\\u{ord(c):04x}" if unicodedata.combining(c) else c for c in quoted)
        )
    return escape(json.dumps(value, ensure_ascii=False))


def flattened_fields(shift: Shift) -> Iterator[tuple[str, Any]]:
    """The fields a file would hold, as paths; the name is already in the headline."""
    data = shift.sent_mapping()
    data.pop("shift_name", None)
    return _flatten(data)


def shift_fields(shift: Shift) -> Iterator[tuple[str, Any]]:
    """A shift's fields as ``(path, value)``, as every format lists a created shift."""
    return flattened_fields(shift)


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
    """One PR comment; past ``limit`` the timelines go first, then the details."""
    head = _markdown_head(plan)
    details = [_markdown_details(change) for change in plan.changes]
    pictured = [d + _markdown_timeline(c) for c, d in zip(plan.changes, details, strict=True)]
    full = "\n".join([*head, *pictured, ""])
    if len(full) <= limit:
        return full
    note = "_Timelines left out to fit one comment; the HTML plan draws them._\n"
    bare = "\n".join([*head, note, *details, ""])
    if len(bare) <= limit:
        return bare
    note = (
        "_The full plan is too long for one comment; read it with "
        "`shiftctl show PLAN.json` (`--format html` draws it) or in the uploaded plan artifact._"
    )
    lines = [*head, note, ""]
    budget = limit - len("\n".join(lines)) - 64
    for change in plan.changes:
        entry = f"- `{SYMBOL[change.action]}` {_markdown_title(change)}"
        if budget - len(entry) - 1 < 0:
            lines.append("- … and more")
            break
        lines.append(entry)
        budget -= len(entry) + 1
    return "\n".join([*lines, ""])


def _markdown_head(plan: Plan) -> list[str]:
    lines = [MARKER, "### shiftctl plan", "", f"**{summary_line(plan)}**", ""]
    total, usage = blast_total(plan), usage_line(plan)
    if total:
        # Our own words and counts: no name from the files or the tenant is in them.
        lines += [f"**{total}** {usage or ''}".rstrip(), ""]
    if plan.hints:
        lines += ["> [!TIP]", *(f"> {line}" for line in hint_lines(plan, markdown)), ""]
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
        lines += _first(list, [f"> - {markdown(g.message)}" for g in blocking])
        lines.append("")
    if plan.warnings:
        count = len(plan.warnings)
        lines += [
            "> [!NOTE]",
            f"> **{count} warning{'s' if count != 1 else ''} in the shift files** "
            "(Feishu accepts them; `shiftctl validate` lists them):",
        ]
        lines += _first(list, [f"> - {markdown(w)}" for w in plan.warnings])
        lines.append("")
    overridden = [g for g in plan.guards if g.overridden]
    lines += _first(list, [f"- Guard overridden: {markdown(g.message)}" for g in overridden])
    if plan.overrides.allow_delete or plan.overrides.force:
        flags = [f"--allow-delete {_code(name)}" for name in plan.overrides.allow_delete]
        flags += ["--force"] if plan.overrides.force else []
        lines.append(f"- Overrides: {', '.join(flags)}")
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
        body = [f"{symbol} {p}: {format_value(v)}" for p, v in flattened_fields(shift)]
    text = "\n".join(body)
    fence = "```"
    while fence in text:
        fence += "`"
    summary = f"{symbol} {_markdown_title(change)}"
    return f"<details><summary>{summary}</summary>\n\n{fence}diff\n{text}\n{fence}\n\n</details>\n"


def _markdown_title(change: Change) -> str:
    """``update <code>Day</code> (id 1) — used by 2 groups (40 people): A, B``."""
    if isinstance(change, Create):
        return f"{change.action} {_code(change.name)}"
    title = f"{change.action} {_code(change.name)}"
    if isinstance(change, Update) and change.renamed_from is not None:
        title = f"rename {_code(change.renamed_from)} → {_code(change.name)}"
    title += f" (id {markdown(change.shift_id)})"
    used = used_by_text(change, markdown)
    return f"{title} — {used}" if used else title


def _markdown_timeline(change: Change) -> str:
    """A mermaid day of a create, or of an update's before and after on one axis."""
    if isinstance(change, Create):
        rows = [("after", timeline_of(change.shift))]
    elif isinstance(change, Update):
        rows = [("before", timeline_of(change.before)), ("after", timeline_of(change.after))]
    else:
        return ""
    return "\n" + gantt_block(change.name, rows)


def _code(name: str) -> str:
    # Escaped for HTML and Markdown both: GitHub still reads Markdown inside <code>.
    return f"<code>{markdown(name)}</code>"


# -- JSON (also the saved-plan file) ---------------------------------------


def render_json(plan: Plan) -> str:
    return escape_json(json.dumps(plan_document(plan), ensure_ascii=False, indent=2)) + "\n"
