"""docs/benchmarks.md from the benchmarks' JSON report and the hand-written template.

    python -m tests.bench.render_doc [REPORT] > docs/benchmarks.md
    python -m tests.bench.render_doc [REPORT] --write

The template (``benchmarks.md.in`` beside this file) holds the explanations. A line
``{{figures NAME}}`` (NAME a section of the report, or a glob such as ``usage_*``) becomes
each matching section's figures: when and on what load it was measured, its targets and its
table; ``{{other figures}}`` every section no other line names, so a new benchmark shows up
without a change here; ``{{targets}}`` every target in the report; ``{{measured}}`` the
dates and loads of the whole run. A ``{{figures …}}`` line that matches no section is an
error (``--partial`` says so in the document instead).
"""

from __future__ import annotations

import argparse
import datetime
import fnmatch
import json
import os
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["MissingSections", "ReportError", "main", "render"]

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
TEMPLATE = HERE / "benchmarks.md.in"
DOCUMENT = ROOT / "docs" / "benchmarks.md"
REPORT_ENV = "SHIFTCTL_BENCH_REPORT"  # as in _report.py
DEFAULT_REPORT = ROOT / ".cache" / "bench" / "engine.json"

_PLACEHOLDER = re.compile(r"^\{\{\s*(figures|other figures|targets|measured)\s*(\S*)\s*\}\}$")
# Keys every section carries, shown in its figure line rather than its table.
_FRAME = ("measured_at", "benchmark", "machine", "table", "checks", "target")
# Keys that state a section's result when it brings no checks of its own.
_HEADLINES = ("ratio", "over_bound", "share_of_rate_limit", "peak_rss_mb")


class ReportError(Exception):
    """The report cannot be read as a benchmark report."""


class MissingSections(ReportError):
    """Lines of the template name sections the report does not have."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(names)
        super().__init__(
            "the report has no section for "
            + ", ".join(f"{{{{figures {name}}}}}" for name in names)
            + "; run every benchmark (pytest -m bench tests/bench) or pass --partial"
        )


@dataclass(frozen=True, slots=True)
class _Placeholder:
    line: int
    kind: str
    pattern: str


def load_report(path: Path) -> dict[str, dict[str, Any]]:
    """The report's sections by name."""
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReportError(f"{path}: cannot read: {exc.strerror}") from exc
    except ValueError as exc:
        raise ReportError(f"{path}: not JSON: {exc}") from exc
    sections = report.get("benchmarks") if isinstance(report, dict) else None
    if not isinstance(sections, dict) or not all(isinstance(s, dict) for s in sections.values()):
        raise ReportError(f"{path}: no 'benchmarks' object of sections")
    return sections


def render(
    template: str, sections: Mapping[str, Mapping[str, Any]], *, partial: bool = False
) -> str:
    """The document: the template with every placeholder line replaced by figures."""
    lines = template.splitlines()
    placeholders = [
        _Placeholder(index, found.group(1), found.group(2))
        for index, line in enumerate(lines)
        if (found := _PLACEHOLDER.match(line.strip()))
    ]
    claimed = _claim(placeholders, sections)
    missing = [p.pattern for p in placeholders if p.kind == "figures" and not claimed[p.line]]
    if missing and not partial:
        raise MissingSections(missing)
    named = {name for names in claimed.values() for name in names}
    others = sorted((name for name in sections if name not in named), key=_natural)
    out: list[str] = []
    for index, line in enumerate(lines):
        holder = next((p for p in placeholders if p.line == index), None)
        if holder is None:
            out.append(line)
        elif holder.kind == "figures":
            out.extend(_figures_of(claimed[index], sections, holder.pattern))
        elif holder.kind == "other figures":
            out.extend(_figures_of(others, sections, "") if others else ["None in this report."])
        elif holder.kind == "targets":
            out.extend(_targets(sections))
        else:
            out.extend(_measured(sections))
    return "\n".join(out).rstrip("\n") + "\n"


def _claim(
    placeholders: Sequence[_Placeholder], sections: Mapping[str, Any]
) -> dict[int, list[str]]:
    """Which sections each ``{{figures}}`` line shows: exact names first, then globs in order."""
    claimed: dict[int, list[str]] = {p.line: [] for p in placeholders}
    taken: set[str] = set()
    figures = [p for p in placeholders if p.kind == "figures"]
    for holder in figures:
        if holder.pattern in sections:
            claimed[holder.line].append(holder.pattern)
            taken.add(holder.pattern)
    for holder in figures:
        if holder.pattern in sections:
            continue
        matching = [
            n for n in sections if n not in taken and fnmatch.fnmatchcase(n, holder.pattern)
        ]
        claimed[holder.line] = sorted(matching, key=_natural)
        taken.update(matching)
    return claimed


def _figures_of(names: Sequence[str], sections: Mapping[str, Any], pattern: str) -> list[str]:
    if not names:
        return [f"*Not in this report* (no section matching `{pattern}`)."]
    out: list[str] = []
    for name in names:
        if out:
            out.append("")
        out.extend(_section(name, sections[name]))
    return out


def _section(name: str, section: Mapping[str, Any]) -> list[str]:
    out = [f"**`{name}`**: {_when(section)}", ""]
    checks = section.get("checks")
    if isinstance(checks, list) and checks:
        out.extend(
            f"- {_text(c.get('what'))}: **{_text(c.get('value'))}** "
            f"(target {_text(c.get('target'))}) {_mark(c.get('met'))}"
            for c in checks
            if isinstance(c, dict)
        )
        out.append("")
    elif section.get("target") is not None:
        out.extend([f"Target: {_text(section['target'])}.", ""])
    table = section.get("table")
    if isinstance(table, dict) and isinstance(table.get("rows"), list):
        title = _text(table.get("title", ""))
        out.extend([f"*{title}*", ""] if title else [])
        out.extend(_markdown_table(table.get("headers", []), table["rows"]))
    else:
        numbers = {key: value for key, value in section.items() if key not in _FRAME}
        rows = [[f"`{key}`", value] for key, value in _flatten(numbers, "")]
        out.extend(_markdown_table(["measure", "value"], rows))
    return out


def _when(section: Mapping[str, Any]) -> str:
    """``measured 2026-12-02 03:30 UTC by TEST, on 2 CPUs, Python 3.11.7, load average …``."""
    parts = [f"measured {_date(section.get('measured_at'))}"]
    if section.get("benchmark"):
        parts[0] += f" by `{section['benchmark']}`"
    found = section.get("machine")
    machine: Mapping[str, Any] = found if isinstance(found, dict) else {}
    if machine.get("cpus"):
        parts.append(f"{machine['cpus']} CPUs")
    if machine.get("python"):
        parts.append(f"Python {machine['python']}")
    parts.append(_load(machine))
    return ", ".join(parts) + "."


def _load(machine: Mapping[str, Any]) -> str:
    one, five = machine.get("load_average_1m"), machine.get("load_average_5m")
    if one is None:
        return "load average not recorded"
    return f"load average {one} (1 min)" + (f", {five} (5 min)" if five is not None else "")


def _date(value: Any) -> str:
    try:
        moment = datetime.datetime.fromisoformat(str(value))
    except ValueError:
        return "at an unrecorded time"
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _targets(sections: Mapping[str, Mapping[str, Any]]) -> list[str]:
    rows: list[list[Any]] = []
    for name in sorted(sections, key=_natural):
        section = sections[name]
        checks = section.get("checks")
        if isinstance(checks, list) and checks:
            rows.extend(
                [f"`{name}`", c.get("what"), c.get("target"), c.get("value"), _mark(c.get("met"))]
                for c in checks
                if isinstance(c, dict)
            )
        elif section.get("target") is not None:
            key = next((k for k in _HEADLINES if k in section), None)
            what, value = (f"`{key}`", section[key]) if key else ("", "see its figures")
            rows.append([f"`{name}`", what, section["target"], value, "see its figures"])
    if not rows:
        return ["No section of this report states a target."]
    return _markdown_table(["section", "what", "target", "measured", "met"], rows)


def _measured(sections: Mapping[str, Mapping[str, Any]]) -> list[str]:
    if not sections:
        return ["The report holds no figures."]
    dates = sorted(_date(s.get("measured_at")) for s in sections.values())
    machines = [m for s in sections.values() if isinstance(m := s.get("machine"), dict)]
    loads = sorted(m["load_average_1m"] for m in machines if "load_average_1m" in m)
    cpus = sorted({str(m.get("cpus")) for m in machines})
    pythons = sorted({str(m.get("python")) for m in machines})
    span = dates[0] if dates[0] == dates[-1] else f"between {dates[0]} and {dates[-1]}"
    if not loads:
        load = "not recorded"
    else:
        load = str(loads[0]) if loads[0] == loads[-1] else f"{loads[0]}–{loads[-1]}"
    return [
        f"{len(sections)} sections measured {span} on {' / '.join(cpus)} CPUs, Python "
        f"{' / '.join(pythons)}; the 1-minute load average at the end of each section: {load}."
    ]


def _markdown_table(headers: Sequence[Any], rows: Sequence[Any]) -> list[str]:
    width = max([len(headers), *(len(r) for r in rows if isinstance(r, list))])
    head = [*map(_text, headers), *([""] * (width - len(headers)))]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * width]
    for row in rows:
        cells = [_text(v) for v in (row if isinstance(row, list) else [row])]
        out.append("| " + " | ".join([*cells, *([""] * (width - len(cells)))]) + " |")
    return out


def _flatten(value: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten(item, f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix, value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(f"({_text(i)})" if isinstance(i, dict) else _text(i) for i in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_text(item)}" for key, item in value.items())
    return " ".join(str(value).split()).replace("|", "\\|")


def _mark(met: Any) -> str:
    return {True: "✓", False: "✗ not met"}.get(met, "") if isinstance(met, bool) else ""


def _natural(name: str) -> list[Any]:
    """``plan_500`` before ``plan_2000``."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench.render_doc", description=__doc__.splitlines()[0]
    )
    default = Path(os.environ.get(REPORT_ENV) or DEFAULT_REPORT)
    parser.add_argument("report", nargs="?", type=Path, default=default, help=f"default {default}")
    parser.add_argument("--write", action="store_true", help=f"write {DOCUMENT}")
    parser.add_argument("--template", type=Path, default=TEMPLATE)
    parser.add_argument("--partial", action="store_true", help="render a report missing sections")
    args = parser.parse_args(argv)
    try:
        template = args.template.read_text(encoding="utf-8")
        document = render(template, load_report(args.report), partial=args.partial)
    except ReportError as exc:
        print(f"render_doc: {exc}", file=sys.stderr)
        return 1
    if args.write:
        DOCUMENT.write_text(document, encoding="utf-8")
    else:
        sys.stdout.write(document)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
