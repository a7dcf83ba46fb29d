"""What ``shiftctl doctor`` learned about a tenant, kept in ``.shiftctl/tenant.json``.

Facts are kept per tenant (endpoint and app id, or the emulator's state file),
so what one tenant taught never applies to another. ``auto`` settings read
them: ``tenant.no_need_inverted_on_read: auto`` is the learned value, else
"as stored". The file holds no secret; committing it lets CI use the facts.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from reconciler.config import Settings
from reconciler.errors import ConfigError

__all__ = ["FACTS_FILE", "Inversion", "facts_path", "load_facts", "resolve_inversion", "save_facts"]

log = logging.getLogger(__name__)

FACTS_FILE = "tenant.json"
FORMAT_VERSION = 1


def facts_path(settings: Settings) -> Path:
    return settings.state_dir / FACTS_FILE


def tenant_key(settings: Settings) -> str:
    """Which tenant the settings reach: the emulator's state file, or endpoint and app id."""
    if settings.emulator_db is not None:
        return f"emulator:{settings.emulator_db}"
    return f"{settings.endpoint} {settings.app_id or ''}".strip()


def _read(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(
            f"{path}: cannot read what doctor learned ({exc}); delete it or run shiftctl doctor"
        ) from None
    if not isinstance(document, dict) or not isinstance(document.get("tenants", {}), dict):
        raise ConfigError(f"{path}: not a shiftctl tenant file; delete it or run shiftctl doctor")
    return document


def load_facts(settings: Settings) -> dict[str, Any]:
    """The facts learned for this tenant ({} when none)."""
    entry = _read(facts_path(settings)).get("tenants", {}).get(tenant_key(settings), {})
    return entry if isinstance(entry, dict) else {}


def save_facts(settings: Settings, facts: dict[str, Any]) -> Path:
    """Merge ``facts`` into this tenant's entry (other tenants kept); returns the path."""
    path = facts_path(settings)
    document = _read(path)
    tenants = document.setdefault("tenants", {})
    key = tenant_key(settings)
    tenants[key] = {**tenants.get(key, {}), **facts}
    document["format_version"] = FORMAT_VERSION
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot save what doctor learned: {exc.strerror}") from None
    return path


class Inversion:
    """How to read the no-need flags: on read (get/list/query) and in write answers."""

    def __init__(self, on_read: bool, in_answers: bool, source: str) -> None:
        self.on_read = on_read
        self.in_answers = in_answers
        self.source = source


def resolve_inversion(settings: Settings) -> Inversion:
    """``true``/``false`` as configured; ``auto`` from the learned facts, else as stored."""
    setting = settings.no_need_inverted_on_read
    facts = load_facts(settings)
    in_answers = facts.get("no_need_inverted_in_answers") is True
    if setting in ("true", "false"):
        return Inversion(setting == "true", in_answers, "shiftctl.yaml")
    learned = facts.get("no_need_inverted_on_read")
    if isinstance(learned, bool):
        log.info(
            "no_need flags on read: %s (learned by doctor)", "inverted" if learned else "as stored"
        )
        return Inversion(learned, in_answers, str(facts_path(settings)))
    return Inversion(False, in_answers, "default (as stored)")
