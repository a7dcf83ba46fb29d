"""``shiftctl doctor``: check a tenant before the first apply, and learn how it behaves.

Credentials and token, each scope the commands need (one call each), the IP
whitelist, the endpoint's region and the calls the run spent; with
``--write-probe`` also how the tenant stores, echoes and refuses a shift. What
it learns goes to ``.shiftctl/tenant.json``, which ``auto`` settings read.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import httpx

from reconciler import __version__
from reconciler.config import FEISHU_ENDPOINT, LARK_ENDPOINT, Settings
from reconciler.doctor.checks import PROBE_PREFIX, Findings, read_checks
from reconciler.doctor.probe import probe_name, remove_leftovers, write_probe
from reconciler.doctor.report import Check, DoctorReport, render_json, render_text
from reconciler.feishu.client import FeishuClient
from reconciler.feishu.stats import calls_document, calls_line
from reconciler.tenant_facts import save_facts

__all__ = [
    "PROBE_PREFIX",
    "Check",
    "DoctorReport",
    "region_of",
    "render_json",
    "render_text",
    "run_doctor",
]

_PROBE_FACTS = (
    "no_need_inverted_on_read",
    "no_need_inverted_in_answers",
    "updates",
    "times_echoed",
    "defaults_filled",
    "duplicate_name",
    "not_found",
)


def region_of(settings: Settings) -> str:
    """Which Feishu the settings reach, in words."""
    if settings.emulator_db is not None:
        return f"the in-process emulator, state {settings.emulator_db}"
    host = httpx.URL(settings.endpoint).host
    if host == httpx.URL(FEISHU_ENDPOINT).host:
        return "Feishu, mainland China"
    if host == httpx.URL(LARK_ENDPOINT).host:
        return "Lark, international"
    return f"a custom endpoint ({host}): not Feishu's or Lark's own"


def run_doctor(
    settings: Settings,
    client: FeishuClient,
    *,
    write: bool = False,
    notify: Callable[[str], None] = lambda _: None,
    name: str | None = None,
) -> DoctorReport:
    """Check the tenant; with ``write``, probe it with a temporary shift (always removed)."""
    found = Findings()
    read_checks(client, found)
    if not write:
        for shift in found.leftovers:
            found.add(
                "leftover probe",
                "problem",
                f"{shift.name!r} (id {shift.shift_id}) is left from an interrupted doctor run",
                "run shiftctl doctor --write-probe to remove it",
            )
        if not found.blocked:
            found.add("scope attendance:rule", "skipped", "writes are checked with --write-probe")
    elif found.blocked or found.scopes.get("attendance:rule:readonly") is False:
        found.add("write probe", "skipped", "not run: the read checks found a problem first")
    else:
        remove_leftovers(client, found.leftovers, found)
        write_probe(client, found, name or probe_name(), notify)
    saved = _save(settings, found, write) if found.reached else None
    return DoctorReport(
        endpoint=_shown_endpoint(settings),
        region=region_of(settings),
        app_id=client.app_id,
        checks=tuple(found.checks),
        learned=dict(found.learned),
        calls=calls_document(client.stats),
        calls_line=calls_line(client.stats),
        saved_to=str(saved) if saved else None,
    )


def _save(settings: Settings, found: Findings, write: bool) -> str:
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()
    facts = {
        "endpoint": _shown_endpoint(settings),
        "region": region_of(settings),
        "checked_at": now,
        "shiftctl_version": __version__,
        "scopes": found.scopes,
    }
    if write:
        facts.update({k: found.learned[k] for k in _PROBE_FACTS if k in found.learned})
        facts["probed_at"] = now
    return str(save_facts(settings, facts))


def _shown_endpoint(settings: Settings) -> str:
    return "--emulator" if settings.emulator_db is not None else settings.endpoint
