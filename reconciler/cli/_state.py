"""What the root command parsed, handed to every subcommand through click's context."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reconciler.cli.console import Console

if TYPE_CHECKING:
    from reconciler.config import Settings

DEFAULT_EMULATOR_DB = ".shiftctl/emulator.sqlite3"  # the same as reconciler.config's


@dataclass(frozen=True, slots=True)
class GlobalOptions:
    """The root command's options, before configuration files are read."""

    config_path: str | None
    endpoint: str | None
    emulator_db: str | None
    verbosity: int
    #: Colour, prompts and progress bars (``reconciler.cli.console``): one policy.
    console: Console = field(default_factory=Console)


def settings_of(options: GlobalOptions) -> Settings:
    """The settings for a command: configuration file, environment and root flags."""
    from reconciler.config import load_settings  # kept off the start-up path

    return load_settings(
        config_path=options.config_path,
        endpoint=options.endpoint,
        emulator_db=options.emulator_db,
    )
