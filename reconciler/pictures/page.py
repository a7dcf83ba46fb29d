"""Self-contained HTML pages: a plan (each change with its fields and its day, before and
after) and the tenant's catalogue of shifts. No script, style, font or image is loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from reconciler import __version__
from reconciler.model import CurrentShift, Shift
from reconciler.pictures.escape import html_text
from reconciler.pictures.style import CSS
from reconciler.pictures.svg import axis_svg, chart_svg, lane_svg, legend_svg
from reconciler.pictures.timeline import KINDS, Kind, Timeline, axis_for, timeline_of
from reconciler.plan import Change, Create, Delete, Plan, Update
from reconciler.planfile import plan_document
from reconciler.render import SYMBOL, format_value, shift_fields, summary_line

__all__ = ["catalogue_html", "plan_html"]

# Nothing may be fetched: a page that tried would be blocked by its own policy.
_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _document(title: str, body: Iterable[str]) -> str:
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">',
            f'<meta name="generator" content="shiftctl {html_text(__version__)}">',
            f"<title>{html_text(title)}</title>",
            f"<style>{CSS}</style>",
            "</head>",
            "<body>",
            "<main>",
            *body,
            f"<footer>shiftctl {html_text(__version__)}</footer>",
            "</main>",
            "</body>",
            "</html>",
            "",
        ]
    )


def _legend(timelines: Iterable[Timeline]) -> str:
    present = {w.kind for t in timelines for w in t.windows}
    kinds: list[Kind] = [k for k in KINDS if k in present]
    items = "".join(f"<li>{legend_svg(kind)}</li>" for kind in kinds)
    return f'<ul class="legend" aria-label="legend">{items}</ul>' if items else ""


# -- the plan --------------------------------------------------------------


def plan_html(plan: Plan) -> str:
    """The summary, the banners, and each change with its field table and its timeline."""
    pictured = [_rows(change) for change in plan.changes]
    doc = plan_document(plan)
    body = [
        "<header>",
        "<h1>shiftctl plan</h1>",
        f'<p class="summary">{html_text(summary_line(plan))}</p>',
        f'<p class="meta">made by shiftctl {html_text(plan.made_by)} · snapshot '
        f"{html_text(plan.snapshot)} · checksum {html_text(doc['checksum'])}</p>",
        "</header>",
        *_banners(plan),
    ]
    if not plan.has_changes:
        body.append("<p>No changes. The tenant matches the shift files.</p>")
    if len(plan.changes) > 1:
        links = "".join(
            f'<li><a href="#change-{i}">{html_text(_title(c))}</a></li>'
            for i, c in enumerate(plan.changes, 1)
        )
        body.append(f'<nav aria-label="changes"><ol>{links}</ol></nav>')
    body.append(_legend(t for rows in pictured for _, t in rows))
    pairs = zip(plan.changes, pictured, strict=True)
    body += [_change(i, change, rows) for i, (change, rows) in enumerate(pairs, 1)]
    return _document(f"shiftctl plan: {summary_line(plan)}", body)


def _title(change: Change) -> str:
    return f"{SYMBOL[change.action]} {change.action} {change.name}"


def _banners(plan: Plan) -> list[str]:
    out: list[str] = []
    if plan.deletes:
        count = len(plan.deletes)
        names = ", ".join(f'<span class="name">{html_text(d.name)}</span>' for d in plan.deletes)
        out.append(
            f'<div class="banner caution" role="alert"><strong>This plan DELETES {count} '
            f"shift{'s' if count != 1 else ''}:</strong> {names}</div>"
        )
    if plan.blocking:
        items = "".join(f"<li>{html_text(g.message)}</li>" for g in plan.blocking)
        out.append(
            '<div class="banner warning" role="alert"><strong>Blocked by a safety guard; '
            f"apply will refuse:</strong><ul>{items}</ul></div>"
        )
    notes = [f"Guard overridden: {g.message}" for g in plan.guards if g.overridden]
    allowed = [f"--allow-delete {name!r}" for name in plan.overrides.allow_delete]
    if allowed or plan.overrides.force:
        notes.append("Overrides: " + ", ".join([*allowed, *(["--force"] * plan.overrides.force)]))
    if notes:
        out.append("<ul>" + "".join(f"<li>{html_text(n)}</li>" for n in notes) + "</ul>")
    return out


def _rows(change: Change) -> list[tuple[str, Timeline]]:
    """The sides a change has: ``after`` for a create, ``before`` for a delete, both else."""
    if isinstance(change, Create):
        return [("after", timeline_of(change.shift))]
    if isinstance(change, Delete):
        return [("before", timeline_of(change.before))]
    return [("before", timeline_of(change.before)), ("after", timeline_of(change.after))]


def _facts(change: Change) -> list[tuple[str, str]]:
    """Plain facts shown under the headline; a new fact of a change is one more pair."""
    facts: list[tuple[str, str]] = []
    if not isinstance(change, Create):
        facts.append(("shift id", change.shift_id))
    return facts


def _change(index: int, change: Change, rows: list[tuple[str, Timeline]]) -> str:
    symbol = html_text(SYMBOL[change.action])
    headline = (
        f'<h2><span class="symbol">{symbol}</span>{change.action} '
        f'<span class="name">{html_text(change.name)}</span></h2>'
    )
    facts = "".join(
        f"<dt>{html_text(term)}</dt><dd>{html_text(value)}</dd>" for term, value in _facts(change)
    )
    picture = chart_svg(change.name, rows, axis_for(*(t for _, t in rows)))
    return "\n".join(
        [
            f'<section class="change {change.action}" id="change-{index}">',
            headline,
            f'<dl class="facts">{facts}</dl>' if facts else "",
            f"<figure>{picture}</figure>",
            _table(change),
            "</section>",
        ]
    )


def _table(change: Change) -> str:
    if isinstance(change, Update):
        head = "<tr><th>field</th><th>before</th><th>after</th></tr>"
        rows = [
            f'<tr><th>{html_text(c.path)}</th><td class="before">{_value(c.before)}</td>'
            f'<td class="after">{_value(c.after)}</td></tr>'
            for c in change.diff
        ]
    else:
        shift = change.shift if isinstance(change, Create) else change.before
        side = "after" if isinstance(change, Create) else "before"
        head = f"<tr><th>field</th><th>{side}</th></tr>"
        rows = [
            f'<tr><th>{html_text(path)}</th><td class="{side}">{_value(value)}</td></tr>'
            for path, value in shift_fields(shift)
        ]
    return f'<table class="fields"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'


def _value(value: object) -> str:
    return html_text(format_value(value))


# -- the catalogue ---------------------------------------------------------


def catalogue_html(current: Sequence[CurrentShift]) -> str:
    """Every shift as one lane on a common axis, sorted by when work starts."""
    entries = sorted(
        ((timeline_of(r.shift), r) for r in current),
        key=lambda e: (e[0].first_on, e[1].name, e[1].shift_id),
    )
    count = len(entries)
    body = [
        "<header>",
        "<h1>shiftctl shifts</h1>",
        f'<p class="summary">{count} shift{"s" if count != 1 else ""}, sorted by start time.</p>',
        "</header>",
    ]
    if not entries:
        body.append("<p>No shifts.</p>")
        return _document("shiftctl shifts", body)
    axis = axis_for(*(t for t, _ in entries))
    ruler = f'<tr class="ruler"><td></td><td>{axis_svg(axis)}</td></tr>'
    rows = [
        f'<tr id="shift-{index}"><th scope="row">'
        f'<span class="name">{html_text(entry.name)}</span>'
        f'<div class="meta">{html_text(_outline(entry))}</div></th>'
        f"<td>{lane_svg(entry.name, timeline, axis)}</td></tr>"
        for index, (timeline, entry) in enumerate(entries, 1)
    ]
    body += [
        _legend(t for t, _ in entries),
        '<table class="catalogue"><colgroup><col class="shift"><col></colgroup>',
        f"<thead>{ruler}</thead><tfoot>{ruler}</tfoot><tbody>",
        *rows,
        "</tbody></table>",
    ]
    return _document("shiftctl shifts", body)


def _outline(entry: CurrentShift) -> str:
    shift: Shift = entry.shift
    parts = [f"id {entry.shift_id}"]
    parts.append(", ".join(f"{r.on_time}–{r.off_time}" for r in shift.punch_time_rule))
    if shift.is_flexible:
        parts.append("flexible")
    if shift.day_type == 2:
        parts.append("rest day")
    return " · ".join(parts)
