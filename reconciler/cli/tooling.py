"""config and completion: how shiftctl is set up, and the shell's tab completion."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from reconciler.cli._state import GlobalOptions, settings_of
from reconciler.config import FILE_KEYS, Settings, shown
from reconciler.safetext import escape, escape_json

# Shown under the name a user writes: the key of shiftctl.yaml where there is one.
_SHOWN_AS = {field: ".".join(key) for key, field in FILE_KEYS}
_ORDER = [field for _, field in FILE_KEYS] + ["emulator_db", "app_id", "app_secret"]


@click.command("config")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def config_command(options: GlobalOptions, fmt: str) -> None:
    """Print the effective settings and where each one came from.

    The configuration file is --config, else SHIFTCTL_CONFIG, else the nearest
    shiftctl.yaml from the current folder up to the repository root. Each value comes
    from a flag, the environment, that file (file:line:col) or the default. Secrets are
    never printed, only whether they are set.
    """
    settings = settings_of(options)
    rows = [
        (_SHOWN_AS.get(name, name), _value(settings, name), _origin(settings, name))
        for name in _ORDER
    ]
    where = str(settings.config_path) if settings.config_path else None
    how = settings.origins.get("config_path", "none found")
    if fmt == "json":
        document = {
            "config_file": where,
            "config_file_from": how,
            "settings": {name: {"value": value, "from": origin} for name, value, origin in rows},
        }
        click.echo(escape_json(json.dumps(document, ensure_ascii=False, indent=2)))
        return
    click.echo(f"configuration file: {escape(where or '(none: defaults)')} ({escape(how)})")
    width = max(len(name) for name, _, _ in rows)
    shown_values = [escape(_text(value)) for _, value, _ in rows]
    value_width = min(max(len(text) for text in shown_values), 48)
    for (name, _, origin), text in zip(rows, shown_values, strict=True):
        click.echo(f"  {name:<{width}}  {text:<{value_width}}  {escape(origin)}")


def _value(settings: Settings, name: str) -> Any:
    value = getattr(settings, name)
    if name == "app_secret":
        return "(set)" if value is not None else None
    if isinstance(value, Path):
        return str(shown(value))
    if isinstance(value, tuple):
        return list(value)
    return value


def _origin(settings: Settings, name: str) -> str:
    return settings.origins.get(name, "default")


def _text(value: Any) -> str:
    if value is None:
        return "(not set)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


@click.command("completion")
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
@click.pass_context
def completion_command(ctx: click.Context, shell: str) -> None:
    """Print the shell completion script for bash, zsh or fish.

    Load it from the shell's start-up file:

    \b
      bash (4.4+), ~/.bashrc:  eval "$(shiftctl completion bash)"
      zsh, ~/.zshrc:           eval "$(shiftctl completion zsh)"
      fish:                    shiftctl completion fish > ~/.config/fish/completions/shiftctl.fish

    Commands, options, choices and file names complete.
    """
    from click.shell_completion import get_completion_class

    completion = get_completion_class(shell)
    if completion is None:  # click.Choice already refused anything else
        raise click.UsageError(f"no completion for {shell}")
    root = ctx.find_root().command
    click.echo(completion(root, {}, "shiftctl", "_SHIFTCTL_COMPLETE").source())
