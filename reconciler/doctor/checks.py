"""The read checks of ``shiftctl doctor``: credentials, each scope with one call, the IP whitelist.

Every answer other than "missing scope" proves the scope is granted: a call
that reaches the permission check and passes it may still fail for its own
reasons (a name that does not exist, a record id that cannot exist).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reconciler.doctor.report import Check
from reconciler.feishu.client import FeishuClient
from reconciler.feishu.endpoints import FLOW_DELETE
from reconciler.feishu.errors import (
    AuthError,
    FeishuError,
    FeishuTransportError,
    IpNotAllowed,
    MissingScope,
    QuotaExceeded,
)
from reconciler.model import CurrentShift

__all__ = ["PROBE_PREFIX", "Findings", "read_checks"]

#: Every probe shift's name starts so; a leftover of a killed run is found by it.
PROBE_PREFIX = "shiftctl-doctor-"
# A name no shift has, for the query-by-name scope check.
_ABSENT_NAME = f"{PROBE_PREFIX}scope-check"
# batch_del of a record id that cannot exist: it deletes nothing, and needs attendance:task.
_NO_RECORD = "0"


@dataclass
class Findings:
    """What the checks found so far; ``blocked`` once no further call can succeed."""

    checks: list[Check] = field(default_factory=list)
    learned: dict[str, Any] = field(default_factory=dict)
    scopes: dict[str, bool | None] = field(default_factory=dict)
    shifts: list[CurrentShift] = field(default_factory=list)
    blocked: bool = False
    reached: bool = False  # an authorised call got an answer: the IP whitelist let it in

    def add(self, name: str, status: Any, detail: str, hint: str = "") -> None:
        self.checks.append(Check(name, status, detail, hint))

    @property
    def leftovers(self) -> list[CurrentShift]:
        return [s for s in self.shifts if s.name.startswith(PROBE_PREFIX)]


def read_checks(client: FeishuClient, findings: Findings) -> None:
    """Credentials, then one call per scope; stops at what blocks every later call."""
    if not _credentials(client, findings):
        return
    _scope(
        findings,
        "attendance:rule:readonly",
        "used by plan, import and shifts list",
        lambda: _listing(client, findings),
    )
    _scope(
        findings,
        "attendance:task:readonly",
        "used by apply's checks by name, flows query and tasks",
        lambda: _absent_query(client),
    )
    _scope(
        findings,
        "attendance:task",
        "used by flows import and delete (checked by deleting a record id that cannot exist)",
        lambda: _no_op_delete(client),
    )
    if findings.reached and not findings.blocked:
        findings.add("IP whitelist", "ok", "calls from this machine are accepted")
    findings.learned["scopes"] = dict(findings.scopes)


def _credentials(client: FeishuClient, findings: Findings) -> bool:
    try:
        seconds = client.token_seconds()
    except FeishuTransportError as error:
        findings.add("endpoint", "problem", f"cannot reach it: {error.msg}", error.hint)
    except FeishuError as error:
        findings.add("credentials", "problem", _said(error), error.hint)
    else:
        findings.add("credentials", "ok", f"a tenant token was issued (valid {seconds:.0f} s)")
        return True
    findings.blocked = True
    return False


def _scope(findings: Findings, scope: str, used_for: str, call: Callable[[], str]) -> None:
    name = f"scope {scope}"
    if findings.blocked:
        findings.add(name, "skipped", "not checked: an earlier problem stops every call")
        return
    try:
        detail = call()
    except MissingScope as error:
        findings.scopes[scope] = False
        findings.reached = True
        findings.add(name, "problem", f"missing; {used_for}", error.hint)
    except IpNotAllowed as error:
        findings.blocked = True
        findings.add("IP whitelist", "problem", _said(error), error.hint)
    except (AuthError, QuotaExceeded, FeishuTransportError) as error:
        findings.blocked = True
        findings.add(name, "problem", _said(error), error.hint)
    except FeishuError as error:
        findings.scopes[scope] = True  # the call got past the permission check
        findings.reached = True
        findings.add(name, "ok", f"granted; {used_for} (the call answered: {error.msg})")
    else:
        findings.scopes[scope] = True
        findings.reached = True
        findings.add(name, "ok", f"granted; {used_for}{detail}")


def _listing(client: FeishuClient, findings: Findings) -> str:
    findings.shifts = list(client.list_shifts())
    notes = client.read_notes
    findings.learned["listing"] = {
        "shifts": len(findings.shifts),
        "unknown_fields": sorted(notes.unknown),
        "empty_strings": sorted(notes.empty),
        "unreadable": sorted(notes.unreadable),
    }
    count = len(findings.shifts)
    return f"; {count} shift{'s' if count != 1 else ''} listed"


def _absent_query(client: FeishuClient) -> str:
    found = client.query_shift(_ABSENT_NAME)
    return "" if found is None else f"; a near match came back: {found.name!r}"


def _no_op_delete(client: FeishuClient) -> str:
    client.request(FLOW_DELETE, body={"record_ids": [_NO_RECORD]})
    return ""


def _said(error: FeishuError) -> str:
    code = f" (code {error.code})" if error.code is not None else ""
    return f"{error.msg}{code}"
