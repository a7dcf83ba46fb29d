"""The Python API behind plan, show, apply and import: returns results, never prints or exits.

The CLI (``reconciler.cli.engine``) parses flags, calls these and renders what they return.
Only what the listing needs is imported with this module (the client, the settings):
the YAML loader, the plan engine, apply and the usage reader are imported where they are
used, so a plan's first request leaves before them and their imports overlap its
network waits.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from reconciler.config import Settings, shown
from reconciler.errors import InputError, Problem, ValidationFailed, blocking
from reconciler.feishu.connect import open_client
from reconciler.model import CurrentShift, normalize_name
from reconciler.overrides import NO_OVERRIDES, Overrides
from reconciler.safetext import escape_json
from reconciler.tenant_facts import resolve_inversion

if TYPE_CHECKING:
    from reconciler.apply import ShiftWriter
    from reconciler.bootstrap import ImportResult
    from reconciler.definitions import DesiredState
    from reconciler.feishu.client import FeishuClient
    from reconciler.plan import Plan
    from reconciler.usage import UsageSource

log = logging.getLogger(__name__)

__all__ = [
    "check_writable",
    "connect",
    "find_shifts",
    "import_current",
    "list_current",
    "load_desired_state",
    "make_plan",
    "read_plan",
    "save_plan",
    "target_of",
    "write_json",
]


if TYPE_CHECKING:  # protocols for the checker; at run time these names are not needed

    class ShiftLister(ShiftWriter, Protocol):
        """A client that can also list every current shift (the tenant's)."""

        def list_shifts(self) -> Iterable[CurrentShift]: ...

    class ShiftFinder(ShiftLister, Protocol):
        """A client that can also query a shift by name."""

        def query_shift(self, name: str) -> CurrentShift | None: ...

    class PlanSource(ShiftLister, UsageSource, Protocol):
        """A client that lists shifts and reads attendance groups (``FeishuClient``)."""


def find_shifts(client: ShiftFinder, name: str) -> list[CurrentShift]:
    """The tenant's shifts called ``name`` (after NFC and trimming), as the tenant spells them.

    Feishu's query by name comes first; only when it finds nothing is the whole
    listing read, since Feishu's exact query cannot see ``" 早班 "`` for ``早班``.
    """
    found = client.query_shift(name)
    if found is not None:
        return [found]
    key = normalize_name(name)
    return sorted(
        (entry for entry in client.list_shifts() if entry.key == key),
        key=lambda r: (r.name, r.shift_id),
    )


def connect(settings: Settings) -> FeishuClient:
    """The client the settings describe: the embedded emulator with ``emulator_db``,
    else the endpoint with the app's credentials (the secret stays a ``Secret``).

    How it reads the no-need flags comes from ``tenant.no_need_inverted_on_read``
    (``auto``: what ``shiftctl doctor`` learned for this tenant, else as stored).
    """
    inversion = resolve_inversion(settings)
    options = {
        "rate_limit": settings.rate_limit,
        "rate_limit_per_minute": settings.rate_limit_per_minute,
        "no_need_inverted_on_read": inversion.on_read,
        "no_need_inverted_in_answers": inversion.in_answers,
    }
    if settings.emulator_db is not None:
        # Imported here: a client for a real tenant never loads the emulator.
        from reconciler.embedded import embedded_client

        return embedded_client(settings.emulator_db, **options)
    return open_client(
        endpoint=settings.endpoint,
        app_id=settings.app_id,
        app_secret=settings.app_secret,
        **options,
    )


def load_desired_state(settings: Settings) -> DesiredState:
    """The shift files, checked; errors raise, warnings travel in the state.

    A shift outside the managed scope (``include``/``exclude``) is left out of the
    plan with a warning, so excluding a name is enough to set its file aside.
    ``strict`` makes every warning an error. An existing folder without shift
    files is an empty desired set, which the plan's guards judge; a missing folder
    is an error (a wrong path, most likely), and so is any entry that cannot be read.
    """
    from reconciler.definitions import NO_SHIFT_FILES, DesiredState, collect_files, load_desired

    folder = shown(settings.shifts_dir)
    files, problems = collect_files([folder])
    # Only a folder that is really empty is an empty set; one whose entries cannot be
    # read is an error, or its shifts would look deleted.
    if folder.is_dir() and not files and all(p.message == NO_SHIFT_FILES for p in problems):
        return DesiredState(())
    state = load_desired([folder], strict=settings.strict)
    outside = [
        Problem(
            d.location,
            "shift_name",
            f"{d.shift.shift_name!r} is outside the managed scope (include/exclude in the "
            "configuration): plan leaves it alone",
            "warning",
        )
        for d in state.shifts
        if not settings.in_scope(d.shift.shift_name)
    ]
    if outside and settings.strict:
        raise ValidationFailed(blocking(outside, strict=True))
    inside = tuple(d for d in state.shifts if settings.in_scope(d.shift.shift_name))
    return DesiredState(inside, tuple(sorted([*state.warnings, *outside])))


def list_current(client: ShiftLister, stop: threading.Event | None = None) -> list[CurrentShift]:
    """Every remote shift; any failed page raises before anything is planned.

    Setting ``stop`` abandons the listing before its next page.
    """
    found: list[CurrentShift] = []
    for entry in client.list_shifts():
        if stop is not None and stop.is_set():
            raise _Abandoned
        found.append(entry)
    return found


class _Abandoned(Exception):
    """The listing was no longer wanted (the files failed, or Ctrl-C)."""


def make_plan(
    settings: Settings,
    client: PlanSource,
    overrides: Overrides = NO_OVERRIDES,
    *,
    usage: bool = True,
) -> Plan:
    """The files and the full listing, read side by side; then compare; then, with
    ``usage``, the attendance groups that use each shift updated or deleted.

    Listing is network waits; reading the files and importing the plan engine are CPU
    work, done while the listing waits. Both only read: bad files still fail the
    command before anything changes.
    """
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="shiftctl-list") as pool:
        listing = pool.submit(list_current, client, stop)
        try:
            with _quick_handoff():
                desired = load_desired_state(settings)
                log.info("%d shifts defined under %s", len(desired.shifts), settings.shifts_dir)
                # The plan engine, the usage reader and the renderer (what every caller
                # does next with the plan) are imported while the listing waits too.
                import reconciler.render  # noqa: F401
                from reconciler.plan import compute_plan
                from reconciler.usage import attach_usage, changed_shift_ids, read_usage

                current = listing.result()
        except BaseException:
            # Bad files or Ctrl-C: stop listing at the next page rather than read to the end.
            stop.set()
            listing.cancel()
            _drain(listing)
            raise
    log.info("%d remote shifts listed", len(current))
    plan = compute_plan((d.shift for d in desired.shifts), current, settings, overrides)
    plan = dataclasses.replace(
        plan, warnings=tuple(str(w) for w in desired.warnings), target=target_of(settings)
    )
    if usage:
        found = read_usage(
            client,
            changed_shift_ids(plan),
            look_ahead_days=settings.usage_look_ahead_days,
            concurrency=settings.concurrency,
        )
        plan = attach_usage(plan, found)
    log.info("plan %s, remote snapshot %s", plan.summary(), plan.snapshot)
    return plan


_HANDOFF_LOCK = threading.Lock()
_handoffs = [0, 0.0]  # plans reading files now, and the interval to restore after the last


@contextlib.contextmanager
def _quick_handoff() -> Iterator[None]:
    """A 0.5 ms switch interval while this thread reads files beside the listing thread.

    Once the reading is only parsing (no system calls, ``ReadAhead``), the listing
    thread asks for the lock after one switch interval: at Python's default 5 ms that
    is up to a page's worth of latency per answer. The interval is process-wide, so
    plans made at once share one change: the first lowers it, the last puts it back.
    """
    with _HANDOFF_LOCK:
        if _handoffs[0] == 0:
            _handoffs[1] = sys.getswitchinterval()
            sys.setswitchinterval(min(_handoffs[1], 0.0005))
        _handoffs[0] += 1
    try:
        yield
    finally:
        with _HANDOFF_LOCK:
            _handoffs[0] -= 1
            if _handoffs[0] == 0:
                sys.setswitchinterval(_handoffs[1])


def target_of(settings: Settings) -> str:
    """Where a plan is made: the emulator and its state file, or the endpoint (no secrets)."""
    if settings.emulator_db is not None:
        return f"the emulator ({settings.emulator_db})"
    return settings.endpoint


def _drain(listing: Future[list[CurrentShift]]) -> None:
    # The files' error (or the interrupt) is the one to report; the listing's is moot.
    with contextlib.suppress(Exception):
        listing.result()


def save_plan(plan: Plan, path: str | Path) -> None:
    from reconciler.render import render_json

    write_text(path, render_json(plan))


def read_plan(path: str | Path) -> Plan:
    """A saved plan, its checksum verified."""
    from reconciler.planfile import plan_from_document

    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read the plan: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a JSON plan file: {exc}") from None
    except RecursionError:  # arrays nested thousands deep: hostile, not a plan
        raise InputError(f"{path}: not a JSON plan file: nested too deeply") from None
    try:
        return plan_from_document(doc)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None


def import_current(
    settings: Settings, client: ShiftLister, out_dir: Path, names: Sequence[str] = ()
) -> ImportResult:
    """Bootstrap shift files from the tenant (in scope, matching ``names`` globs)."""
    from reconciler.bootstrap import import_shifts

    return import_shifts(list_current(client), settings, out_dir, names)


def write_json(path: str | Path, document: Any) -> None:
    # Escaped: a tenant's name may hold a control character or a lone surrogate.
    write_text(path, escape_json(json.dumps(document, ensure_ascii=False, indent=2)) + "\n")


def write_text(path: str | Path, text: str) -> None:
    """Write beside the target and rename, so a reader never sees half a file."""
    target = Path(path)
    fd, temporary = _temporary_beside(target)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(temporary, target)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None
        raise


def check_writable(path: str | Path) -> None:
    """Refuse now a file that could not be written later (a report after an apply)."""
    fd, temporary = _temporary_beside(Path(path))
    os.close(fd)
    Path(temporary).unlink()


def _temporary_beside(target: Path) -> tuple[int, str]:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        return tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise InputError(f"{target}: cannot write: {exc.strerror or exc}") from None
