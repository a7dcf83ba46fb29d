"""The offline emulator of the Feishu attendance API: a WSGI app with its state in SQLite.

Run it in-process (``create_app`` + ``httpx.WSGITransport``) or over HTTP
(``serve``, ``serving``); it speaks only the wire format of the contract.
"""

from __future__ import annotations

from reconciler.emulator.app import EmulatorApp, create_app
from reconciler.emulator.config import (
    DEFAULT_APP_ID,
    DEFAULT_APP_SECRET,
    DEFAULT_TIMEOUT_MS,
    ENDPOINTS,
    EmulatorConfig,
    Faults,
)
from reconciler.emulator.seed import SeedError
from reconciler.emulator.server import EmulatorServer, make_server, serve, serving
from reconciler.emulator.store import StateError
from reconciler.emulator.wire import LostResponse, ResponseTimeout

__all__ = [
    "DEFAULT_APP_ID",
    "DEFAULT_APP_SECRET",
    "DEFAULT_TIMEOUT_MS",
    "ENDPOINTS",
    "EmulatorApp",
    "EmulatorConfig",
    "EmulatorServer",
    "Faults",
    "LostResponse",
    "ResponseTimeout",
    "SeedError",
    "StateError",
    "create_app",
    "make_server",
    "serve",
    "serving",
]
