"""emulator serve: the offline Feishu attendance API as a real HTTP server."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import click

from reconciler.cli._state import DEFAULT_EMULATOR_DB
from reconciler.emulator import (
    DEFAULT_APP_ID,
    DEFAULT_APP_SECRET,
    DEFAULT_TIMEOUT_MS,
    EmulatorApp,
    EmulatorConfig,
    SeedError,
    StateError,
    create_app,
    make_server,
)
from reconciler.emulator.seed_text import parse_seed
from reconciler.errors import ConfigError, InputError

log = logging.getLogger(__name__)


@click.group("emulator")
def emulator_group() -> None:
    """Run the offline emulator of the Feishu attendance API."""


@emulator_group.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8080,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port (0 picks a free one).",
)
@click.option(
    "--db",
    default=DEFAULT_EMULATOR_DB,
    show_default=True,
    help='SQLite file for the state, or ":memory:".',
)
@click.option("--latency-ms", default=0.0, type=click.FloatRange(0), help="Added latency.")
@click.option("--jitter-ms", default=0.0, type=click.FloatRange(0), help="Latency ± this.")
@click.option(
    "--rate-limit",
    default=50,
    show_default=True,
    type=click.IntRange(0),
    help="Requests per second per endpoint and app (0: no limit).",
)
@click.option(
    "--fault-rate",
    default=0.0,
    type=click.FloatRange(0, 1),
    help="Share of calls answered with HTTP 500 (1225000/1226000).",
)
@click.option(
    "--lost-rate",
    default=0.0,
    type=click.FloatRange(0, 1),
    help="Share of successful calls whose response is dropped after the commit.",
)
@click.option(
    "--timeout-rate",
    default=0.0,
    type=click.FloatRange(0, 1),
    help="Share of successful calls whose response is withheld after the commit.",
)
@click.option(
    "--timeout-ms",
    default=DEFAULT_TIMEOUT_MS,
    show_default=True,
    type=click.FloatRange(0),
    help="How long a withheld response keeps the connection silent before closing it.",
)
@click.option(
    "--seed",
    "seed_file",
    type=click.Path(exists=True, dir_okay=False),
    help="YAML or JSON file of users, shifts and attendance groups to load.",
)
@click.option("--random-seed", type=int, default=None, help="Make ids and faults reproducible.")
@click.option(
    "--dialect",
    type=click.Choice(["current", "legacy"]),
    default="current",
    show_default=True,
    help="current: today's documented errors (1220600 + message, HTTP 400) and limits; "
    "legacy: the older pages (1226001 as HTTP 500, 1226002, 1226003).",
)
@click.option(
    "--monthly-quota",
    default=0,
    show_default=True,
    type=click.IntRange(0),
    metavar="N",
    help="Past N successful calls a month, every call is HTTP 429 / 99991403 (0: none).",
)
@click.option(
    "--no-need-inverted-on-read",
    is_flag=True,
    help="get/list/query answer no_need_on/no_need_off inverted, as those pages say.",
)
@click.option(
    "--update-merges", is_flag=True, help="An update keeps the fields its body leaves out."
)
@click.option(
    "--idempotent-replay",
    type=click.Choice(["return", "error"]),
    default="return",
    show_default=True,
    help="A known idempotent_id: return the stored record, or fail the batch (1220600).",
)
@click.option(
    "--app-id",
    envvar="SHIFTCTL_EMULATOR_APP_ID",
    default=DEFAULT_APP_ID,
    show_default=True,
    help="App id accepted (or SHIFTCTL_EMULATOR_APP_ID).",
)
@click.option(
    "--app-secret",
    envvar="SHIFTCTL_EMULATOR_APP_SECRET",
    default=DEFAULT_APP_SECRET,
    show_default=False,
    help="App secret accepted (or SHIFTCTL_EMULATOR_APP_SECRET; a documented default).",
)
def serve_command(
    host: str,
    port: int,
    db: str,
    latency_ms: float,
    jitter_ms: float,
    rate_limit: int,
    fault_rate: float,
    lost_rate: float,
    timeout_rate: float,
    timeout_ms: float,
    seed_file: str | None,
    random_seed: int | None,
    dialect: str,
    monthly_quota: int,
    no_need_inverted_on_read: bool,
    update_merges: bool,
    idempotent_replay: str,
    app_id: str,
    app_secret: str,
) -> None:
    """Serve the emulator over HTTP/1.1 (keep-alive, one thread per connection)."""
    try:
        config = EmulatorConfig(
            app_id=app_id,
            app_secret=app_secret,
            latency_ms=latency_ms,
            jitter_ms=jitter_ms,
            rate_limit=rate_limit,
            error_rate=fault_rate,
            lost_rate=lost_rate,
            timeout_rate=timeout_rate,
            timeout_ms=timeout_ms,
            seed=random_seed,
            dialect=dialect,
            monthly_quota=monthly_quota,
            no_need_inverted_on_read=no_need_inverted_on_read,
            update_merges=update_merges,
            idempotent_replay=idempotent_replay,
        )
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    app = _open(db, config, seed_file)
    try:
        server = make_server(app, host, port)
    except OSError as exc:
        app.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    click.echo(
        f"emulator serving on {server.base_url} (app id {app_id}, state {db}, {dialect} dialect)",
        err=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("emulator stopped", err=True)
    finally:
        server.server_close()
        app.close()


def _open(db: str, config: EmulatorConfig, seed_file: str | None) -> EmulatorApp:
    seed = _read_seed(seed_file) if seed_file else None
    try:
        return create_app(db, config=config, seed=seed)
    except SeedError as exc:
        raise InputError(f"{seed_file}: {exc}") from None
    except StateError as exc:
        raise ConfigError(str(exc)) from None


def _read_seed(path: str) -> dict[str, Any]:
    """A seed document from YAML or JSON, read as ``POST /_emulator/seed`` reads it."""
    try:
        return parse_seed(Path(path).read_bytes())
    except OSError as exc:
        raise InputError(f"{path}: cannot read the seed: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise InputError(f"{path}: {exc}") from None
