"""``doctor --write-probe``: how this tenant really stores, echoes and refuses a shift.

A temporary shift ``shiftctl-doctor-<random>`` is created, read back, updated
with a body that leaves fields out, read again, created a second time under
the same name, deleted, and looked up once more. The probe shift is removed
whatever happens (a failure, Ctrl-C); a run killed outright leaves it behind,
and the next doctor finds it by its name and removes it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from reconciler.doctor.checks import PROBE_PREFIX, Findings
from reconciler.feishu.client import FeishuClient
from reconciler.feishu.endpoints import SHIFT_CREATE, SHIFT_GET
from reconciler.feishu.errors import FeishuError, MissingScope, NameTaken, NotFound
from reconciler.feishu.retry import outcome_unknown
from reconciler.model import CurrentShift

__all__ = ["probe_name", "remove_leftovers", "write_probe"]

_THRESHOLDS = {
    "late_minutes_as_late": 5,
    "late_minutes_as_lack": 60,
    "on_advance_minutes": 60,
    "early_minutes_as_early": 5,
    "early_minutes_as_lack": 60,
    "off_delay_minutes": 60,
}
# Flags that differ per segment and side, so an inverted read cannot look like the truth.
_SENT_FLAGS = [(False, True), (True, False)]
_LEFT_OUT = ("is_flexible", "flexible_minutes", "rest_time_rule")


def probe_name() -> str:
    return f"{PROBE_PREFIX}{secrets.token_hex(4)}"


def _rules(with_flags: bool) -> list[dict[str, Any]]:
    rules = []
    for (on, off), (no_on, no_off) in zip(
        [("9:00", "12:00"), ("13:00", "18:00")], _SENT_FLAGS, strict=True
    ):
        rule: dict[str, Any] = {"on_time": on, "off_time": off, **_THRESHOLDS}
        if with_flags:
            rule.update(no_need_on=no_on, no_need_off=no_off)
        rules.append(rule)
    return rules


def _full(name: str) -> dict[str, Any]:
    return {
        "shift_name": name,
        "punch_times": 2,
        "punch_time_rule": _rules(with_flags=True),
        "is_flexible": True,
        "flexible_minutes": 15,
        "rest_time_rule": [{"rest_begin_time": "10:00", "rest_end_time": "10:15"}],
    }


def remove_leftovers(
    client: FeishuClient, leftovers: Sequence[CurrentShift], found: Findings
) -> None:
    for shift in leftovers:
        try:
            client.delete_shift(shift.shift_id)
        except NotFound:
            pass  # gone meanwhile
        except FeishuError as error:
            found.add("leftover probe", "problem", f"{shift.name!r} cannot be removed: {error.msg}")
            continue
        found.add("leftover probe", "ok", f"removed {shift.name!r} (id {shift.shift_id})")


class _Probe:
    """The probe shift's life; ``cleanup`` removes whatever it created."""

    def __init__(self, client: FeishuClient, name: str) -> None:
        self.client = client
        self.name = name
        self.ids: list[str] = []
        self.tried = False
        self.uncertain = False  # a create whose answer never came

    def create(self, body: Mapping[str, Any]) -> dict[str, Any]:
        self.tried = True
        try:
            data = self.client.request(
                SHIFT_CREATE, body=body, shift_name=self.name, idempotent=False
            )
        except FeishuError as error:
            self.uncertain = self.uncertain or outcome_unknown(error)
            raise
        except BaseException:  # Ctrl-C while the create was in flight
            self.uncertain = True
            raise
        shift: dict[str, Any] = data.get("shift") or {}
        shift_id = str(shift.get("shift_id") or shift.get("id") or "")
        if shift_id:
            self.ids.append(shift_id)
        return shift

    def get(self, shift_id: str) -> dict[str, Any]:
        return self.client.request(SHIFT_GET, path_params={"shift_id": shift_id})

    def delete(self, shift_id: str) -> None:
        self.client.delete_shift(shift_id)
        self.ids.remove(shift_id)

    def cleanup(self) -> list[str]:
        """Delete every shift the probe made; returns the names of any left behind."""
        if self.uncertain:  # the create may have landed: find it by its name
            found = self.client.query_shift(self.name)
            if found is not None and found.shift_id not in self.ids:
                self.ids.append(found.shift_id)
        left = []
        for shift_id in list(self.ids):
            try:
                self.delete(shift_id)
            except NotFound:
                self.ids.remove(shift_id)
            except FeishuError:
                left.append(shift_id)
        return left


def write_probe(
    client: FeishuClient, found: Findings, name: str, notify: Callable[[str], None]
) -> None:
    """Run the probe, adding checks and learned facts to ``found``; always cleans up."""
    probe = _Probe(client, name)
    try:
        _run(probe, found)
    except MissingScope as error:
        found.scopes["attendance:rule"] = False
        found.add("scope attendance:rule", "problem", "missing; used by apply", error.hint)
    except FeishuError as error:
        found.add("write probe", "problem", f"stopped: {error.msg}", error.hint)
    finally:
        left = probe.cleanup()
        if left:
            notify(f"the probe shift {name!r} (ids {', '.join(left)}) could not be removed")
            found.add("probe cleanup", "problem", f"{name!r} is still there; delete it by hand")
        elif probe.tried:
            notify(f"the probe shift {name!r} is removed")


def _run(probe: _Probe, found: Findings) -> None:
    sent = _full(probe.name)
    answer = probe.create(sent)
    found.scopes["attendance:rule"] = True
    found.add("scope attendance:rule", "ok", f"granted; created the probe shift {probe.name!r}")
    shift_id = probe.ids[0]
    learned = found.learned
    learned["no_need_inverted_in_answers"] = _inverted(answer)
    learned["times_echoed"] = _times(answer)
    learned["defaults_filled"] = "day_type" in answer
    read = probe.get(shift_id)
    inverted = _inverted(read)
    learned["no_need_inverted_on_read"] = inverted
    if inverted is None:
        found.add("no_need flags on read", "warning", "neither as stored nor inverted")
    else:
        how = "inverted" if inverted else "as stored"
        found.add(
            "no_need flags on read", "learned", f"{how} (tenant.no_need_inverted_on_read: auto)"
        )
    compact = {"id": shift_id, **{k: v for k, v in sent.items() if k not in _LEFT_OUT}}
    compact["punch_time_rule"] = _rules(with_flags=False)
    probe.client.request(SHIFT_CREATE, body=compact, shift_name=probe.name, idempotent=False)
    after = probe.get(shift_id)
    kept = [k for k in _LEFT_OUT if after.get(k) not in (None, False, 0, [], "")]
    learned["updates"] = "merge" if kept else "replace"
    how = f"merge (kept {', '.join(kept)}); shiftctl sends every field" if kept else "replace"
    found.add("updates", "learned", how)
    echo = "as sent" if learned["times_echoed"] == "as sent" else "zero-padded"
    filled = "defaults filled in" if learned["defaults_filled"] else "only the fields sent"
    found.add("values echoed", "learned", f"times {echo}, {filled}")
    _duplicate(probe, sent, found)
    probe.delete(shift_id)
    _gone(probe, shift_id, found)


def _duplicate(probe: _Probe, sent: Mapping[str, Any], found: Findings) -> None:
    try:
        probe.create(sent)
    except FeishuError as error:
        recognised = isinstance(error, NameTaken)
        found.learned["duplicate_name"] = _shape(error, recognised)
        status = "learned" if recognised else "problem"
        detail = f"refused with code {error.code}, HTTP {error.http_status}: {error.msg!r}"
        why = "" if recognised else "shiftctl does not recognise this as a taken name"
        found.add("a duplicate name", status, detail, why)
        return
    found.add("a duplicate name", "problem", "the tenant allowed two shifts with one name")


def _gone(probe: _Probe, shift_id: str, found: Findings) -> None:
    try:
        probe.get(shift_id)
    except FeishuError as error:
        recognised = isinstance(error, NotFound)
        found.learned["not_found"] = _shape(error, recognised)
        status = "ok" if recognised else "problem"
        found.add("a deleted shift", status, f"reads as not found (code {error.code})")
        return
    found.add("a deleted shift", "problem", "it can still be read after its delete")


def _shape(error: FeishuError, recognised: bool) -> dict[str, Any]:
    return {
        "code": error.code,
        "http_status": error.http_status,
        "msg": error.msg,
        "class": type(error).__name__,
        "recognised": recognised,
    }


def _flags(shift: Mapping[str, Any]) -> list[tuple[Any, Any]]:
    rules = shift.get("punch_time_rule") or []
    return [(r.get("no_need_on"), r.get("no_need_off")) for r in rules if isinstance(r, dict)]


def _inverted(shift: Mapping[str, Any]) -> bool | None:
    flags = _flags(shift)
    if flags == _SENT_FLAGS:
        return False
    if flags == [(not on, not off) for on, off in _SENT_FLAGS]:
        return True
    return None


def _times(shift: Mapping[str, Any]) -> str:
    rules = shift.get("punch_time_rule") or [{}]
    first = rules[0] if isinstance(rules[0], dict) else {}
    return "as sent" if first.get("on_time") == "9:00" else "zero-padded"
