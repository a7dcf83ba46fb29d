"""The emulator package's public names are deliberate: adding or dropping one is visible."""

from __future__ import annotations

import reconciler.emulator as emulator

EXPECTED = {
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
}


def test_all_is_curated_and_importable() -> None:
    assert sorted(emulator.__all__) == sorted(EXPECTED)
    for name in emulator.__all__:
        assert getattr(emulator, name) is not None


def test_the_endpoint_names_are_the_sdk_names_of_the_sixteen_calls() -> None:
    assert len(emulator.ENDPOINTS) == len(set(emulator.ENDPOINTS)) == 16
    resources = {name.split(".")[0] for name in emulator.ENDPOINTS}
    assert resources == {"auth", "shift", "user_flow", "user_task", "group", "user_daily_shift"}


def test_every_feishu_route_is_a_fault_endpoint_and_each_endpoint_is_routed_once() -> None:
    """One route table: the fault knobs name exactly the Feishu endpoints it routes."""
    from reconciler.emulator import ENDPOINTS
    from reconciler.emulator.app import ROUTES

    feishu = [r.endpoint for r in ROUTES if not r.endpoint.startswith("admin.")]
    assert sorted(feishu) == sorted(ENDPOINTS)
    assert len(set(feishu)) == len(feishu)
    handled = {r.endpoint for r in ROUTES if r.handler is not None}
    assert handled == set(ENDPOINTS) - {"auth.tenant_access_token"}
