"""Punch results (``task_result`` records) of one user's shift day, from their punches.

The emulator's ``user_tasks/query`` calls :func:`task_records`. Feishu does not
publish its engine, so this is the contract's INFERRED algorithm (§8, §11):

* Every ``punch_time_rule`` element is a normal segment (``task_shift_type`` 0),
  every ``overtime_rule`` element an overtime segment (1). Times are the shift
  day's wall clock in the group's time zone; ``"26:00"`` is 02:00 next day.
  All arithmetic then happens in Unix seconds, so DST days compare correctly.
* A segment and an overtime segment that touch (one's off is the other's on)
  form a *chain* sharing one check-in and one check-out punch, as Feishu shows
  the same record ids for 9–18 plus 18–19 overtime. Two normal segments never
  chain: a split shift needs its own punches. Overtime segments always take
  part in matching, so asking for overtime results never changes normal ones;
  ``need_overtime`` only decides whether their records are returned. Overtime
  has no thresholds of its own: it borrows those of the nearest normal segment.
* A chain's check-in window runs from ``on − on_advance_minutes`` up to
  ``on + flexible late allowance + late_minutes_as_lack`` inclusive; its
  check-out window from ``off − flexible early allowance −
  early_minutes_as_lack`` up to ``off + flexible late allowance +
  off_delay_minutes`` inclusive. Neither side crosses the chain's midpoint (a
  punch on it is a check-out). Where one chain's check-out window overlaps the
  next chain's check-in window, they are cut at the midpoint between the first
  one's off and the next one's on; a punch on the cut is the next check-in.
  Punches outside every window are kept as flows but not counted.
* Check-in is the first punch of its window, check-out the last ("first in,
  last out"); equal times are ordered by record id. Punches are counted
  whatever the clock says; the clock only separates Todo from Lack.
* Lateness is measured in seconds against the scheduled on time; every
  threshold is inclusive (≥). Lack at ``late_minutes_as_lack``, else Late at
  ``late_minutes_as_late`` or at the serious-late threshold (the shift-level
  ``late_minutes_as_serious_late`` wins over the segment's; the task enum has
  no SeriousLate, so it reads Late), else Normal. The check-out side mirrors
  this with Lack at ``early_minutes_as_lack`` and Early at
  ``early_minutes_as_early``. Punching exactly on time is always Normal.
* Flexible shifts (``is_flexible``): the allowance is the largest
  ``flexible_late_minutes``/``flexible_early_minutes`` over ``flexible_rule``,
  or ``flexible_minutes`` both ways when there is no rule. The segment's day
  slides by the check-in's offset from on time, clamped to the allowance, and
  the check-out is judged against the slid off time; the thresholds then apply
  on top. Each normal segment slides on its own; overtime never slides.
* A side with no punch is Todo until its window closes (against ``now``), then
  Lack. An exempt side is NoNeedCheck and counts no punch: ``no_need_on`` of a
  segment, or ``no_need_off`` of the segment or of the shift. (The stored form
  fills a segment's ``no_need_off`` with false, so an explicit false cannot
  undo the shift's true.) A rest-day shift (``day_type`` 2) exempts every side but
  still attaches the punches its windows see (duty worked on a rest day shows).
* Without a punch the record id is ``""`` and the record key is absent.
  ``check_*_shift_time`` are the scheduled (not slid) on/off times.
* Not modelled, as they need other days or approvals: breaks
  (``rest_time_rule``, they change worked time, not results), late-off/late-on
  tiers, windows of adjacent days overlapping, and every supplement (``None``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from reconciler.emulator.segments import Segment, shift_segments

NORMAL, LATE, EARLY, LACK, NO_NEED_CHECK, TODO = (
    "Normal",
    "Late",
    "Early",
    "Lack",
    "NoNeedCheck",
    "Todo",
)


@dataclass(frozen=True, slots=True)
class _Window:
    """Half-open ``[start, end)`` in Unix seconds."""

    start: int
    end: int

    def holds(self, when: int) -> bool:
        return self.start <= when < self.end


@dataclass(frozen=True, slots=True)
class _Chain:
    segments: tuple[Segment, ...]
    check_in: _Window
    check_out: _Window


@dataclass(frozen=True, slots=True)
class _Punch:
    when: int
    record_id: str
    flow: Mapping[str, Any]


def task_records(
    shift: Mapping[str, Any],
    day: dt.date,
    tz: dt.tzinfo,
    flows: Sequence[Mapping[str, Any]],
    now: dt.datetime,
    need_overtime: bool = False,
) -> list[dict[str, Any]]:
    """The ``records`` of one user's ``user_task`` for ``day``, as the wire shows them."""
    segments = shift_segments(shift, day, tz)
    rest_day = int(shift.get("day_type") or 1) == 2
    punches = sorted(_punches(flows), key=lambda p: (p.when, p.record_id))
    clock = int(now.timestamp())
    records: list[dict[str, Any]] = []
    for chain in _chains(segments):
        first = _first(chain.check_in, punches)
        last = _last(chain.check_out, punches)
        for seg in chain.segments:
            if not (need_overtime or not seg.overtime):
                continue
            if rest_day:
                records.append(_rest_day_record(seg, first, last))
            else:
                records.append(_record(seg, chain, first, last, clock))
    return records


def _rest_day_record(seg: Segment, first: _Punch | None, last: _Punch | None) -> dict[str, Any]:
    """A rest-day shift judges nothing, but the duty punches it saw are attached."""
    exempt = replace(seg, need_on=False, need_off=False)
    record = _record(exempt, None, None, None, 0)
    return {**record, **_attached("check_in", first), **_attached("check_out", last)}


def _attached(side: str, punch: _Punch | None) -> dict[str, Any]:
    if punch is None:
        return {}
    return {f"{side}_record_id": punch.record_id, f"{side}_record": dict(punch.flow)}


def _record(
    seg: Segment, chain: _Chain | None, first: _Punch | None, last: _Punch | None, now: int
) -> dict[str, Any]:
    punch_in = first if seg.need_on else None
    punch_out = last if seg.need_off else None
    slide = _slide(seg, punch_in)
    in_result = _in_result(seg, punch_in, slide) if punch_in else None
    out_result = _out_result(seg, punch_out, slide) if punch_out else None
    return {
        "check_in_record_id": punch_in.record_id if punch_in else "",
        **({"check_in_record": dict(punch_in.flow)} if punch_in else {}),
        "check_out_record_id": punch_out.record_id if punch_out else "",
        **({"check_out_record": dict(punch_out.flow)} if punch_out else {}),
        "check_in_result": in_result
        or _unpunched(seg.need_on, chain.check_in if chain else None, now),
        "check_out_result": out_result
        or _unpunched(seg.need_off, chain.check_out if chain else None, now),
        "check_in_result_supplement": "None",
        "check_out_result_supplement": "None",
        "check_in_shift_time": str(seg.on),
        "check_out_shift_time": str(seg.off),
        "task_shift_type": 1 if seg.overtime else 0,
    }


def _unpunched(needed: bool, window: _Window | None, now: int) -> str:
    """A side without a punch: exempt, Todo while its window is open, Lack once it closed."""
    if not needed or window is None:
        return NO_NEED_CHECK
    return TODO if now < window.end else LACK


def _slide(seg: Segment, punch_in: _Punch | None) -> int:
    """How far a flexible segment moves: the check-in's offset, clamped to the allowance."""
    if punch_in is None:
        return 0
    return max(-seg.flex_early, min(punch_in.when - seg.on, seg.flex_late))


def _in_result(seg: Segment, punch: _Punch, slide: int) -> str:
    late = punch.when - (seg.on + slide)
    if late <= 0:
        return NORMAL
    if late >= seg.late_lack:
        return LACK
    if late >= seg.late or (seg.serious and late >= seg.serious):
        return LATE
    return NORMAL


def _out_result(seg: Segment, punch: _Punch, slide: int) -> str:
    early = (seg.off + slide) - punch.when
    if early <= 0:
        return NORMAL
    if early >= seg.early_lack:
        return LACK
    return EARLY if early >= seg.early else NORMAL


def _first(window: _Window, punches: Iterable[_Punch]) -> _Punch | None:
    return next((p for p in punches if window.holds(p.when)), None)


def _last(window: _Window, punches: Sequence[_Punch]) -> _Punch | None:
    return _first(window, reversed(punches))


def _punches(flows: Iterable[Mapping[str, Any]]) -> Iterable[_Punch]:
    for flow in flows:
        yield _Punch(int(flow["check_time"]), str(flow.get("record_id", "")), flow)


# --- chains and windows -----------------------------------------------------


def _chains(segments: Sequence[Segment]) -> list[_Chain]:
    groups: list[list[Segment]] = []
    for seg in segments:
        if groups and _joins(groups[-1][-1], seg):
            groups[-1].append(seg)
        else:
            groups.append([seg])
    return _separate([_chain(tuple(g)) for g in groups])


def _joins(prev: Segment, seg: Segment) -> bool:
    """Touching segments share punches unless both are normal (a split shift)."""
    return prev.off == seg.on and (prev.overtime or seg.overtime)


def _chain(segments: tuple[Segment, ...]) -> _Chain:
    """The chain's own windows, each kept on its side of the chain's midpoint."""
    start, end = segments[0].on, segments[-1].off
    middle = (start + end) // 2
    in_end = max(s.on + s.flex_late + s.late_lack for s in segments) + 1
    out_start = min(s.off - s.flex_early - s.early_lack for s in segments)
    return _Chain(
        segments,
        _Window(min(s.on - s.advance for s in segments), min(in_end, middle)),
        _Window(max(out_start, middle), max(s.off + s.flex_late + s.delay for s in segments) + 1),
    )


def _separate(chains: list[_Chain]) -> list[_Chain]:
    """Cut overlapping check-out/check-in windows of neighbours between off and next on."""
    out = list(chains)
    for i in range(len(out) - 1):
        left, right = out[i], out[i + 1]
        if left.check_out.end <= right.check_in.start:
            continue
        cut = (left.segments[-1].off + right.segments[0].on) // 2
        cut = max(right.check_in.start, min(cut, left.check_out.end))
        out[i] = _Chain(left.segments, left.check_in, _Window(left.check_out.start, cut))
        out[i + 1] = _Chain(right.segments, _Window(cut, right.check_in.end), right.check_out)
    return out
