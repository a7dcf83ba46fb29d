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
