"""A seed document from its text: JSON, or YAML (of which JSON is a part).

``POST /_emulator/seed`` and ``emulator serve --seed FILE`` read seeds through this,
so both take the same documents and refuse the same hostile ones: no aliases (a few
bytes of them can expand into gigabytes), no tags beyond YAML's plain types, bounded
nesting.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from reconciler.emulator.wire import lone_surrogate

__all__ = ["MAX_DEPTH", "parse_seed"]

#: A seed is users, shifts and groups: a dozen levels at most.
MAX_DEPTH = 64
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_OPENING = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSING = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def parse_seed(raw: bytes) -> dict[str, Any]:
    """The seed mapping in ``raw``; ``ValueError`` says what is wrong with it."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("the seed is not UTF-8 text") from None
    try:
        document = json.loads(text)
    except ValueError:
        document = _yaml(text)
    except RecursionError:
        raise ValueError("the seed is nested too deeply") from None
    if not isinstance(document, dict):
        raise ValueError("the seed must be a mapping with users, shifts and groups")
    surrogate = lone_surrogate(document)  # a "\ud83d" escape alone: not Unicode text
    if surrogate is not None:
        raise ValueError(f"the seed is not Unicode text: lone surrogate U+{ord(surrogate):04X}")
    return document


def _yaml(text: str) -> Any:
    """The document, after one pass over the events refused aliases and deep nesting."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                raise ValueError("the seed uses a YAML alias (*name); write the value out")
            if isinstance(event, _OPENING):
                depth += 1
                if depth > MAX_DEPTH:
                    raise ValueError(f"the seed is nested deeper than {MAX_DEPTH} levels")
            elif isinstance(event, _CLOSING):
                depth -= 1
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ValueError(f"the seed is neither JSON nor YAML: {problem}{where}") from None
