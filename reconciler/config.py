"""shiftctl.yaml + flags + environment → one frozen ``Settings``.

Precedence, highest first: command-line flags, environment (``FEISHU_*``),
the configuration file, built-in defaults. Credentials come only from the
environment, never from a file in the repository. ``Settings.origins`` says where
each value came from (``shiftctl config`` prints it).

A new key of shiftctl.yaml goes in two places: its property in
``reconciler/data/config.schema.json`` (type, range, default, description: the one
check) and a row of ``FILE_KEYS`` below naming the ``Settings`` field it fills.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler.configfile import (
    CONFIG_ENV,
    DEFAULT_CONFIG,
    MAX_CONFIG_BYTES,
    ConfigFile,
    find_config,
    read_config,
)
from reconciler.model import normalize_name
from reconciler.secret import Secret

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_CONFIG",
    "DEFAULT_EMULATOR_DB",
    "FEISHU_ENDPOINT",
    "FILE_KEYS",
    "LARK_ENDPOINT",
    "MAX_CONFIG_BYTES",
    "STATE_DIR",
    "Secret",
    "Settings",
    "load_settings",
    "shown",
]

FEISHU_ENDPOINT = "https://open.feishu.cn"
LARK_ENDPOINT = "https://open.larksuite.com"
DEFAULT_EMULATOR_DB = ".shiftctl/emulator.sqlite3"

#: Each key of shiftctl.yaml (its path) and the Settings field it fills.
FILE_KEYS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("shifts",), "shifts_dir"),
    (("endpoint",), "endpoint"),
    (("include",), "include"),
    (("exclude",), "exclude"),
    (("prune",), "prune"),
    (("protected",), "protected"),
    (("guards", "max_deletes"), "max_deletes"),
    (("guards", "max_delete_percent"), "max_delete_percent"),
    (("rate_limit",), "rate_limit"),
    (("rate_limit_per_minute",), "rate_limit_per_minute"),
    (("concurrency",), "concurrency"),
    (("strict",), "strict"),
    (("usage", "look_ahead_days"), "usage_look_ahead_days"),
    (("tenant", "no_need_inverted_on_read"), "no_need_inverted_on_read"),
)
#: Rota schedules are read this many days ahead at most (the schema's maximum too).
MAX_LOOK_AHEAD_DAYS = 366
#: Where shiftctl keeps what it learns about a tenant (``doctor``), beside the config.
STATE_DIR = ".shiftctl"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a command needs to know about where and what to reconcile."""

    shifts_dir: Path = Path("shifts")
    endpoint: str = FEISHU_ENDPOINT
    emulator_db: str | None = None
    app_id: str | None = None
    app_secret: Secret | None = field(default=None, repr=False)
    include: tuple[str, ...] = ("*",)
    exclude: tuple[str, ...] = ()
    prune: bool = True
    protected: tuple[str, ...] = ()
    max_deletes: int = 10
    max_delete_percent: float = 25.0
    rate_limit: float = 50.0
    rate_limit_per_minute: int = 0
    concurrency: int = 8
    strict: bool = False  # warnings in shift files count as errors
    config_path: Path | None = None
    usage_look_ahead_days: int = 30
    #: "auto" (what ``doctor`` learned, else as stored), "true" or "false".
    no_need_inverted_on_read: str = "auto"
    # Derived from where the configuration is (beside it); not a setting of its own.
    state_dir: Path = field(default=Path(STATE_DIR), compare=False)
    #: Settings field → where its value came from ("default", "--endpoint",
    #: "FEISHU_ENDPOINT", "shiftctl.yaml:12:3"); no effect on comparisons.
    origins: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def in_scope(self, name: str) -> bool:
        """Managed scope: matches an include glob and no exclude glob.

        Globs match the name as shifts are matched (NFC, trimmed), so ``门店*`` also
        takes a tenant's ``" 门店A"``.
        """
        key = normalize_name(name)
        return _matches(key, self.include) and not _matches(key, self.exclude)

    def is_protected(self, name: str) -> bool:
        return _matches(normalize_name(name), self.protected)


def shown(path: Path) -> Path:
    """``path`` relative to the current directory when inside it, else as it is.

    Messages and GitHub annotations then name files the way the repository does.
    """
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _matches(name: str, globs: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in globs)


def load_settings(
    *,
    config_path: str | None = None,
    endpoint: str | None = None,
    emulator_db: str | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Settings:
    """Combine the configuration file, environment and flags into ``Settings``."""
    env = os.environ if environ is None else environ
    base = cwd or Path.cwd()
    found = find_config(config_path, env, base)
    config = read_config(found.path) if found else ConfigFile(base / DEFAULT_CONFIG, {}, {})
    root = config.path.parent
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for key, name in FILE_KEYS:
        value = config.get(key)
        if value is not None:
            values[name] = _CONVERT.get(name, _same)(value)
            place = config.places.get(key)
            origins[name] = f"{shown(config.path)}:{place.line}:{place.column}" if place else ""
    if "shifts_dir" in values and not values["shifts_dir"].is_absolute():
        values["shifts_dir"] = root / values["shifts_dir"]
    values.setdefault("shifts_dir", root / "shifts")
    values["state_dir"] = root / STATE_DIR
    _override(values, origins, "endpoint", ("--endpoint", endpoint))
    _override(values, origins, "endpoint", ("FEISHU_ENDPOINT", env.get("FEISHU_ENDPOINT")), 1)
    values["endpoint"] = str(values.get("endpoint", FEISHU_ENDPOINT)).strip().rstrip("/")
    if emulator_db:
        # The default state file belongs to the project, beside its configuration.
        default = emulator_db == DEFAULT_EMULATOR_DB and found is not None
        values["emulator_db"] = str(root / emulator_db) if default else emulator_db
        origins["emulator_db"] = "--emulator"
    if env.get("FEISHU_APP_ID"):
        values["app_id"], origins["app_id"] = env["FEISHU_APP_ID"], "FEISHU_APP_ID"
    if env.get("FEISHU_APP_SECRET"):
        values["app_secret"] = Secret(env["FEISHU_APP_SECRET"])
        origins["app_secret"] = "FEISHU_APP_SECRET"
    for name in _field_names():
        origins.setdefault(name, "default")
    origins["config_path"] = found.how if found else "none found"
    return Settings(**values, config_path=found.path if found else None, origins=origins)


def _override(
    values: dict[str, Any],
    origins: dict[str, str],
    name: str,
    source: tuple[str, str | None],
    rank: int = 0,
) -> None:
    """A flag (rank 0) beats the environment (rank 1), which beats the file."""
    label, value = source
    if not value or not value.strip():
        return
    if rank == 1 and origins.get(name, "").startswith("--"):
        return
    values[name], origins[name] = value, label


def _same(value: Any) -> Any:
    return value


_CONVERT: dict[str, Callable[[Any], Any]] = {
    "shifts_dir": Path,
    "include": tuple,
    "exclude": tuple,
    "protected": tuple,
    "max_delete_percent": float,
    "rate_limit": float,
    "rate_limit_per_minute": int,
    "max_deletes": int,
    "concurrency": int,
    "usage_look_ahead_days": int,
    # true/false/auto in the file; one string in Settings.
    "no_need_inverted_on_read": lambda v: str(v).lower() if isinstance(v, bool) else str(v),
}


def _field_names() -> list[str]:
    hidden = {"origins", "config_path", "state_dir"}
    return [f.name for f in dataclasses.fields(Settings) if f.name not in hidden]
