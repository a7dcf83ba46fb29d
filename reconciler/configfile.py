"""Finding ``shiftctl.yaml`` and reading it: every value with its place, checked by a schema.

Discovery, first match wins: ``--config FILE``, then ``SHIFTCTL_CONFIG``, then
``shiftctl.yaml`` in the current folder or the nearest parent up to the repository root
(the first folder holding ``.git``). Outside a repository only the current folder counts,
so a stray file in ``/tmp`` or the home folder never changes a run.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.errors import ConfigError, ConfigInvalid, Problem, SourceLocation

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_CONFIG",
    "MAX_CONFIG_BYTES",
    "ConfigFile",
    "Found",
    "config_schema_path",
    "find_config",
    "read_config",
]

DEFAULT_CONFIG = "shiftctl.yaml"
CONFIG_ENV = "SHIFTCTL_CONFIG"
# A real configuration is a few hundred bytes; a huge file would take long to parse.
MAX_CONFIG_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class Found:
    """The configuration file to read and why it is this one."""

    path: Path
    how: str  # "--config", "SHIFTCTL_CONFIG", or "found from <folder>"


@dataclass(frozen=True, slots=True)
class ConfigFile:
    """The values of a checked configuration file and where each is written."""

    path: Path
    values: Mapping[str, Any]
    places: Mapping[tuple[str, ...], SourceLocation]

    def get(self, key: tuple[str, ...]) -> Any:
        """The value at ``key`` (("guards", "max_deletes")), or None when not written."""
        node: Any = self.values
        for part in key:
            if not isinstance(node, Mapping) or part not in node:
                return None
            node = node[part]
        return node


def config_schema_path() -> Path:
    """The configuration's JSON Schema, shipped inside the package."""
    return Path(__file__).resolve().parent / "data" / "config.schema.json"


def find_config(explicit: str | None, environ: Mapping[str, str], cwd: Path) -> Found | None:
    """The configuration file for this run, or None when there is none (defaults)."""
    for given, how in ((explicit, "--config"), (environ.get(CONFIG_ENV) or None, CONFIG_ENV)):
        if given:
            path = Path(given) if Path(given).is_absolute() else cwd / given
            if not path.is_file():
                raise ConfigError(f"{given}: configuration file not found (from {how})")
            return Found(path, how)
    for folder in _search_folders(cwd):
        candidate = folder / DEFAULT_CONFIG
        if candidate.is_file():
            return Found(candidate, f"found from {cwd}")
    return None


def _search_folders(cwd: Path) -> list[Path]:
    start = cwd.resolve()
    chain = [start, *start.parents]
    for index, folder in enumerate(chain):
        if (folder / ".git").exists():
            return chain[: index + 1]
    return [start]  # not in a repository: the current folder only


def read_config(path: Path) -> ConfigFile:
    """Read and check one configuration file; every problem at once (``ConfigInvalid``)."""
    # The YAML reader of the shift files: YAML 1.2 scalars, duplicate keys, locations.
    from reconciler.config import shown
    from reconciler.definitions._yaml import parse_documents

    display = str(shown(path))
    text = _read_text(path)
    documents, problems = parse_documents(text, display)
    if problems:
        empty = all(p.message.startswith("empty file") for p in problems)
        if empty:
            return ConfigFile(path, {}, {})  # a file of comments only: all defaults
        raise ConfigInvalid(display, problems)
    if len(documents) > 1:
        where = documents[1].start
        raise ConfigInvalid(display, [Problem(where, "", "one YAML document expected")])
    (document,) = documents
    if document.data is None:
        return ConfigFile(path, {}, {})
    if not isinstance(document.data, dict):
        raise ConfigInvalid(
            display, [Problem(document.start, "", "the configuration must be a mapping")]
        )
    found = _schema_problems(document)
    if found:
        raise ConfigInvalid(display, found)
    places = {
        tuple(str(part) for part in key): document.locate(key) for key in document.values if key
    }
    return ConfigFile(path, document.data, places)


def _read_text(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES // 1024} KiB; not a config")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None


def _schema_problems(document: Any) -> list[Problem]:
    fast = _fast_check()
    if fast is not None and fast(document.data):
        return []  # jsonschema is loaded only to explain a "no"
    from reconciler.definitions._schema import located_problems

    return located_problems(_validator(), document)


@functools.cache
def _config_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(config_schema_path().read_text(encoding="utf-8"))
    return schema


@functools.cache
def _fast_check() -> Callable[[Any], bool] | None:
    from reconciler.definitions._fastpath import Unsupported, compile_fast, inline_refs

    try:
        return compile_fast(inline_refs(_config_schema()))
    except Unsupported:  # a keyword the fast path does not know: jsonschema alone
        return None


@functools.cache
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_config_schema())
