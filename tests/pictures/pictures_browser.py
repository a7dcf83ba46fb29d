"""Headless Chromium for the picture tests: a page's screenshot, or its DOM after its scripts.

Chromium comes from the system packages (Debian's ``chromium``) and mermaid from npm
(``tests/pictures/package-lock.json``); ``tests/setup-tools.sh`` installs both before
pytest starts. Missing, they fail these tests with the command that installs them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
INSTALL = "bash tests/setup-tools.sh (part of the README's test command; as root it installs)"
MERMAID = HERE / "node_modules" / "mermaid"
# Everything that could reach a network or a desktop session is off.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--hide-scrollbars",
    "--mute-audio",
    "--force-device-scale-factor=1",
]
TIMEOUT = 180  # seconds; a loaded two-core machine starts Chromium slowly, never this slowly


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(
        "chromium is not installed: the picture tests open the pages in a real browser; "
        f"run {INSTALL}, or as root: apt-get update && apt-get install -y chromium"
    )


def mermaid_script() -> Path:
    script = MERMAID / "dist" / "mermaid.min.js"
    if not script.is_file():
        pytest.fail(f"mermaid is not installed; run {INSTALL}")
    lock = json.loads((HERE / "package-lock.json").read_text(encoding="utf-8"))
    pinned = lock["packages"]["node_modules/mermaid"]["version"]
    installed = json.loads((MERMAID / "package.json").read_text(encoding="utf-8"))["version"]
    if installed != pinned:
        pytest.fail(f"mermaid {installed} differs from the lock file ({pinned}); run {INSTALL}")
    return script


def _run(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [chromium(), *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()]
    # Mermaid reads chart dates as local time: UTC makes them read back as written.
    env = {**os.environ, "TZ": "UTC"}
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=TIMEOUT, check=False, cwd=profile, env=env
    )
    assert result.returncode == 0, f"chromium exited {result.returncode}:\n{result.stderr}"
    return result


def screenshot(page: Path, out: Path, width: int, height: int) -> Path:
    """The page drawn in a ``width`` × ``height`` window, as a PNG."""
    profile = out.parent / f"{out.stem}-profile"
    profile.mkdir()
    _run(page, profile, f"--window-size={width},{height}", f"--screenshot={out}")
    assert out.is_file(), f"chromium wrote no screenshot to {out}"
    return out


def dom_after_scripts(page: Path, profile: Path, budget_ms: int = 30_000) -> str:
    """The page's DOM once its scripts have run (virtual time, so load does not matter)."""
    profile.mkdir()
    return _run(page, profile, f"--virtual-time-budget={budget_ms}", "--dump-dom").stdout
