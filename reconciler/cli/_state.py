"""What the root command parsed, handed to every subcommand through click's context."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from reconciler.config import Settings

DEFAULT_EMULATOR_DB = ".shiftctl/emulator.sqlite3"  # the same as reconciler.config's


class GlobalOptions(NamedTuple):
    """The root command's options, before configuration files are read."""

    config_path: str | None
    endpoint: str | None
    emulator_db: str | None
    no_color: bool
    verbosity: int

    def use_color(self) -> bool:
        """Colour only on a terminal, never with --no-color or NO_COLOR."""
        if self.no_color or os.environ.get("NO_COLOR"):
            return False
        return sys.stdout.isatty()


def settings_of(options: GlobalOptions) -> Settings:
    """The settings for a command: configuration file, environment and root flags."""
    from reconciler.config import load_settings  # kept off the start-up path

    return load_settings(
        config_path=options.config_path,
        endpoint=options.endpoint,
        emulator_db=options.emulator_db,
    )
