"""shiftctl.yaml + flags + environment → one frozen ``Settings``.

Precedence, highest first: command-line flags, environment (``FEISHU_*``),
the configuration file, built-in defaults. Credentials come only from the
environment, never from a file in the repository.
"""

from __future__ import annotations

import fnmatch
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reconciler.errors import ConfigError
from reconciler.model import normalize_name
from reconciler.secret import Secret

DEFAULT_CONFIG = "shiftctl.yaml"
FEISHU_ENDPOINT = "https://open.feishu.cn"
LARK_ENDPOINT = "https://open.larksuite.com"

_KNOWN = {
    "shifts",
    "endpoint",
    "include",
    "exclude",
    "prune",
    "protected",
    "guards",
    "rate_limit",
    "concurrency",
    "strict",
}
_GUARDS = {"max_deletes", "max_delete_percent"}
# A real configuration is a few hundred bytes; a huge file would take long to parse.
MAX_CONFIG_BYTES = 1 << 20


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
    concurrency: int = 8
    strict: bool = False  # warnings in shift files count as errors
    config_path: Path | None = None

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
    path = Path(config_path) if config_path else base / DEFAULT_CONFIG
    if config_path and not path.is_file():
        raise ConfigError(f"{path}: configuration file not found")
    values = _read_file(path) if path.is_file() else {}
    root = path.parent if path.is_file() else base
    shifts_dir = Path(values.get("shifts", "shifts"))
    secret = env.get("FEISHU_APP_SECRET")
    return Settings(
        shifts_dir=shifts_dir if shifts_dir.is_absolute() else root / shifts_dir,
        endpoint=(
            endpoint or env.get("FEISHU_ENDPOINT") or values.get("endpoint") or FEISHU_ENDPOINT
        )
        .strip()
        .rstrip("/"),
        emulator_db=emulator_db,
        app_id=env.get("FEISHU_APP_ID") or None,
        app_secret=Secret(secret) if secret else None,
        include=tuple(values.get("include", ("*",))),
        exclude=tuple(values.get("exclude", ())),
        prune=values.get("prune", True),
        protected=tuple(values.get("protected", ())),
        max_deletes=values.get("guards", {}).get("max_deletes", 10),
        max_delete_percent=float(values.get("guards", {}).get("max_delete_percent", 25.0)),
        rate_limit=float(values.get("rate_limit", 50.0)),
        concurrency=values.get("concurrency", 8),
        strict=values.get("strict", False),
        config_path=path if path.is_file() else None,
    )


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
        if len(raw) > MAX_CONFIG_BYTES:
            raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES // 1024} KiB; not a config")
        text = raw.decode("utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text) if node is not None else {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise ConfigError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1:1: the configuration must be a mapping")
    lines = _key_lines(node)
    for key, value in data.items():
        _check(path, lines.get(str(key), (1, 1)), str(key), value)
    return data


def _key_lines(node: yaml.Node | None) -> dict[str, tuple[int, int]]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {
        str(k.value): (k.start_mark.line + 1, k.start_mark.column + 1)
        for k, _ in node.value
        if isinstance(k, yaml.ScalarNode)
    }


def _check(path: Path, where: tuple[int, int], key: str, value: Any) -> None:
    prefix = f"{path}:{where[0]}:{where[1]}: {key}"
    if key not in _KNOWN:
        raise ConfigError(f"{prefix}: unknown key (known: {', '.join(sorted(_KNOWN))})")
    if key in {"shifts", "endpoint"} and not (isinstance(value, str) and value.strip()):
        raise ConfigError(f"{prefix}: must be a non-empty string")
    if key in {"include", "exclude", "protected"} and not (
        isinstance(value, list) and all(isinstance(v, str) and v for v in value)
    ):
        raise ConfigError(f"{prefix}: must be a list of name globs")
    if key in {"prune", "strict"} and not isinstance(value, bool):
        raise ConfigError(f"{prefix}: must be true or false")
    if key in {"rate_limit", "concurrency"} and not (
        isinstance(value, int | float) and not isinstance(value, bool) and value > 0
    ):
        raise ConfigError(f"{prefix}: must be a positive number")
    if key == "concurrency" and not isinstance(value, int):
        raise ConfigError(f"{prefix}: must be a whole number")
    if key == "guards":
        _check_guards(prefix, value)


def _check_guards(prefix: str, value: Any) -> None:
    if not isinstance(value, dict):
        raise ConfigError(f"{prefix}: must be a mapping with {', '.join(sorted(_GUARDS))}")
    for name, limit in value.items():
        if name not in _GUARDS:
            raise ConfigError(
                f"{prefix}.{name}: unknown guard (known: {', '.join(sorted(_GUARDS))})"
            )
        # NaN compares false with everything: it would silently turn the guard off.
        if isinstance(limit, bool) or not isinstance(limit, int | float) or not limit >= 0:
            raise ConfigError(f"{prefix}.{name}: must be a number ≥ 0")
        if not math.isfinite(limit):
            raise ConfigError(f"{prefix}.{name}: must be a finite number")
        if name == "max_delete_percent" and limit > 100:
            raise ConfigError(f"{prefix}.{name}: must be a percentage from 0 to 100")
