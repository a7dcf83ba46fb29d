"""Logging to stderr for one run of a command, escaped like every other output."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from reconciler.safetext import escape

__all__ = ["setup_logging"]


def setup_logging(verbosity: int) -> Callable[[], None]:
    """Log to stderr for this run; returns what puts the logger back as it was.

    Restoring matters when ``main`` runs in-process (tests, other programs).
    """
    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_SafeFormatter("%(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("reconciler")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False

    def restore() -> None:
        logger.handlers[:] = saved[0]
        logger.setLevel(saved[1])
        logger.propagate = saved[2]

    return restore


class _SafeFormatter(logging.Formatter):
    """Log lines quote names and answers from the tenant: escaped like every output."""

    def format(self, record: logging.LogRecord) -> str:
        return escape(super().format(record), keep_newlines=True)
