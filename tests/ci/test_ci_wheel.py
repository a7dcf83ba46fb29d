"""The wheel works on its own: built from a copy of the tree, installed into a fresh virtualenv,
run from a directory outside the checkout, it validates shifts with the schema it ships.

Slow (a build and an install, about 15-60 s): the wheel is built and installed once per run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from ci_support import ROOT

SCHEMA = ROOT / "reconciler" / "data" / "shift.schema.json"
# What a build reads; copying just these keeps the shared checkout's other files out of it.
_BUILD_INPUTS = ("pyproject.toml", "README.md", "reconciler")


@dataclass(frozen=True, slots=True)
class Installed:
    wheel: Path
    bin: Path
    elsewhere: Path

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a program of the virtualenv from outside the checkout, with nothing inherited."""
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        return subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            cwd=self.elsewhere,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


def _run(*args: str | Path, cwd: Path | None = None) -> None:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    work = tmp_path_factory.mktemp("wheel")
    # Building from a copy leaves the shared checkout without build/ droppings.
    source = work / "source"
    source.mkdir()
    for name in _BUILD_INPUTS:
        if (ROOT / name).is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(ROOT / name, source / name, ignore=ignore, symlinks=True)
        else:
            shutil.copy(ROOT / name, source / name)
    _run(sys.executable, "-m", "build", "--wheel", "--outdir", work / "dist", source)
    (wheel,) = (work / "dist").glob("shiftctl-*.whl")
    _run(sys.executable, "-m", "venv", work / "venv")
    venv_bin = work / "venv" / "bin"
    _run(venv_bin / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check", wheel)
    elsewhere = work / "elsewhere"
    elsewhere.mkdir()
    return Installed(wheel, venv_bin, elsewhere)


def test_wheel_ships_the_schema_and_no_tests(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
        assert wheel.read("reconciler/data/shift.schema.json") == SCHEMA.read_bytes()
    assert "reconciler/py.typed" in names
    assert not [n for n in names if n.startswith(("tests/", "shifts/", "schema/"))]


def test_installed_package_is_the_wheel_not_the_checkout(installed: Installed) -> None:
    result = installed.run("python", "-c", "import reconciler; print(reconciler.__file__)")
    assert result.returncode == 0, result.stderr
    location = Path(result.stdout.strip())
    assert location.is_relative_to(installed.bin.parent)
    assert not location.is_relative_to(ROOT)


def test_installed_shiftctl_validates_the_examples_from_outside(installed: Installed) -> None:
    result = installed.run("shiftctl", "validate", str(ROOT / "shifts"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no problems" in result.stdout


def test_installed_shiftctl_prints_the_packaged_schema(installed: Installed) -> None:
    result = installed.run("shiftctl", "schema")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == json.loads(SCHEMA.read_text(encoding="utf-8"))


def test_installed_shiftctl_refuses_a_bad_file_with_its_location(installed: Installed) -> None:
    bad = installed.elsewhere / "shifts" / "bad.yaml"
    bad.parent.mkdir(exist_ok=True)
    source = (ROOT / "shifts" / "standard.yaml").read_text(encoding="utf-8")
    bad.write_text(source.rstrip("\n") + "\nno_such_field: 1\n", encoding="utf-8")
    result = installed.run("shiftctl", "validate", "shifts")
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert "bad.yaml:" in output
    assert "no_such_field" in output
    assert "Traceback" not in output


def test_installed_shiftctl_starts_a_repository_from_its_packaged_templates(
    installed: Installed,
) -> None:
    result = installed.run("shiftctl", "init", "company")
    assert result.returncode == 0, result.stdout + result.stderr
    repo = installed.elsewhere / "company"
    assert (repo / "schema" / "shift.schema.json").read_bytes() == SCHEMA.read_bytes()
    assert (repo / ".github" / "workflows" / "shifts.yml").is_file()
    assert installed.run("shiftctl", "--config", "company/shiftctl.yaml", "schema").returncode == 0
