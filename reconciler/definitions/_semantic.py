"""Rules a schema cannot express: how the times and thresholds of a shift fit together.

Two kinds, each rule's source in docs/shifts.md ("What validate checks"): errors are
what Feishu's pages say it refuses (an apply would fail); warnings are ours: values
that are suspicious but that Feishu, and its admin console, accept.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence

from reconciler.definitions._renames import own_findings
from reconciler.definitions._yaml import Document, JsonPath, dotted
from reconciler.errors import Problem
from reconciler.model import OvertimeRule, RestRule, Shift, minutes_of, normalize_name

__all__ = ["semantic_problems"]

_Finding = tuple[JsonPath, str]
_Rule = Callable[[Shift], Iterable[_Finding]]
_RULES = "punch_time_rule"


def semantic_problems(
    document: Document, shift: Shift, *, skip: frozenset[str] = frozenset()
) -> list[Problem]:
    """Every semantic problem of a shift, located in its document.

    ``skip`` names top-level fields whose values the schema refused: a rule that
    reads any of them does not run (a rule never sees a value the schema refused).
    """

    def run(rules: Sequence[tuple[frozenset[str], _Rule]]) -> list[_Finding]:
        return [found for reads, rule in rules if not reads & skip for found in rule(shift)]

    located = [
        Problem(document.locate(path), dotted(path), message) for path, message in run(_ERRORS)
    ]
    located += [
        Problem(document.locate(path), dotted(path), message, "warning")
        for path, message in run(_warnings(document))
    ]
    return located


def _warnings(document: Document) -> tuple[tuple[frozenset[str], _Rule], ...]:
    return (
        *_WARNINGS,
        (frozenset({"shift_name", "previous_names"}), lambda s: own_findings(document, s)),
    )


def _first_segment(shift: Shift) -> Iterator[_Finding]:
    # Feishu: "the first segment's no_need_on must be false" (shift/create).
    if shift.punch_time_rule and shift.punch_time_rule[0].no_need_on:
        yield ((_RULES, 0, "no_need_on"), "the first segment always needs a check-in")


def _rest_day(shift: Shift) -> Iterator[_Finding]:
    # Feishu: day_type "cannot be 2 when is_flexible is true" (shift/create).
    if shift.day_type == 2 and shift.is_flexible:
        yield (("day_type",), "a rest-day shift (day_type 2) cannot be flexible")


def _name(shift: Shift) -> Iterator[_Finding]:
    name = shift.shift_name
    if name != name.strip():
        yield (
            ("shift_name",),
            f"{name!r} has spaces at the start or end; Feishu keeps them as written, "
            "and shiftctl matches the name without them",
        )
    elif name != normalize_name(name):
        yield (
            ("shift_name",),
            f"{name!a} is not in Unicode NFC form ({normalize_name(name)!r} is); "
            "Feishu keeps it as written, and shiftctl matches its NFC form",
        )


def _punch_count(shift: Shift) -> Iterator[_Finding]:
    count = len(shift.punch_time_rule)
    if shift.punch_times != count:
        yield (
            ("punch_times",),
            f"is {shift.punch_times} but punch_time_rule has {count} "
            f"segment{'s' if count != 1 else ''}; Feishu ignores punch_times (a legacy "
            "field) and uses the segments",
        )


def _segments(shift: Shift) -> Iterator[_Finding]:
    previous_off: str | None = None
    for index, rule in enumerate(shift.punch_time_rule):
        on, off = minutes_of(rule.on_time), minutes_of(rule.off_time)
        if on >= off:
            yield (
                (_RULES, index, "off_time"),
                f"{rule.off_time} is not after on_time {rule.on_time} "
                "(after midnight go past 24:00, e.g. 30:00 for 06:00 the next day)",
            )
        if previous_off is not None and on < minutes_of(previous_off):
            yield (
                (_RULES, index, "on_time"),
                f"{rule.on_time} is before the previous segment ends ({previous_off}); "
                "segments should be in order and not overlap",
            )
        previous_off = rule.off_time


def _thresholds(shift: Shift) -> Iterator[_Finding]:
    for index, rule in enumerate(shift.punch_time_rule):
        if rule.late_minutes_as_late > rule.late_minutes_as_lack:
            yield (
                (_RULES, index, "late_minutes_as_late"),
                f"{rule.late_minutes_as_late} is more than late_minutes_as_lack "
                f"{rule.late_minutes_as_lack} (a check-in would be Lack before it is Late)",
            )
        if rule.early_minutes_as_early > rule.early_minutes_as_lack:
            yield (
                (_RULES, index, "early_minutes_as_early"),
                f"{rule.early_minutes_as_early} is more than early_minutes_as_lack "
                f"{rule.early_minutes_as_lack} (a check-out would be Lack before it is Early)",
            )


def _breaks(shift: Shift) -> Iterator[_Finding]:
    """Breaks must end after they begin, sit inside one segment, and not overlap."""
    yield from _spans("rest_time_rule", shift.rest_time_rule)
    segments = sorted(
        (minutes_of(r.on_time), minutes_of(r.off_time)) for r in shift.punch_time_rule
    )
    starts = [on for on, _ in segments]
    # reach[i]: the latest end among segments starting no later than starts[i], so
    # "some segment holds [begin, end]" is one binary search, not a scan per break.
    reach = list(itertools.accumulate((off for _, off in segments), max))
    working = ", ".join(f"{r.on_time}–{r.off_time}" for r in shift.punch_time_rule[:4])
    working += ", …" if len(shift.punch_time_rule) > 4 else ""
    ordered = sorted(enumerate(shift.rest_time_rule), key=lambda item: _bounds(item[1]))
    previous: RestRule | None = None
    for index, rest in ordered:
        begin, end = _bounds(rest)
        if begin >= end:
            continue  # already reported by _spans
        last = bisect.bisect_right(starts, begin) - 1
        if last < 0 or reach[last] < end:
            yield (
                ("rest_time_rule", index, "rest_begin_time"),
                f"break {rest.rest_begin_time}–{rest.rest_end_time} is not inside "
                f"working time ({working})",
            )
        if previous is not None and begin < _bounds(previous)[1]:
            yield (
                ("rest_time_rule", index, "rest_begin_time"),
                f"break {rest.rest_begin_time}–{rest.rest_end_time} overlaps break "
                f"{previous.rest_begin_time}–{previous.rest_end_time}",
            )
        previous = rest


def _bounds(rest: RestRule) -> tuple[int, int]:
    return minutes_of(rest.rest_begin_time), minutes_of(rest.rest_end_time)


def _spans(name: str, items: Sequence[RestRule | OvertimeRule]) -> Iterator[_Finding]:
    for index, item in enumerate(items):
        if isinstance(item, RestRule):
            begin, end, end_field = item.rest_begin_time, item.rest_end_time, "rest_end_time"
        else:
            begin, end, end_field = item.on_overtime, item.off_overtime, "off_overtime"
        if minutes_of(begin) >= minutes_of(end):
            yield ((name, index, end_field), f"{end} is not after {begin}")


_PUNCH = frozenset({_RULES})
# Each rule with the top-level fields it reads.
_ERRORS: tuple[tuple[frozenset[str], _Rule], ...] = (
    (_PUNCH, _first_segment),
    (frozenset({"day_type", "is_flexible"}), _rest_day),
)
_WARNINGS: tuple[tuple[frozenset[str], _Rule], ...] = (
    (frozenset({"shift_name"}), _name),
    (frozenset({"punch_times", _RULES}), _punch_count),
    (_PUNCH, _segments),
    (_PUNCH, _thresholds),
    (frozenset({"rest_time_rule", _RULES}), _breaks),
    (
        frozenset({"overtime_rest_time_rule"}),
        lambda s: _spans("overtime_rest_time_rule", s.overtime_rest_time_rule),
    ),
    (frozenset({"overtime_rule"}), lambda s: _spans("overtime_rule", s.overtime_rule)),
)
