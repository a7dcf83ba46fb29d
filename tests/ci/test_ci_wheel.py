"""The release works on its own: the sdist and the wheel (built from the sdist, as on PyPI)
of a tagged copy of the tree carry the tag's version; the wheel, installed with pytest into a
fresh virtualenv and run from outside the checkout, validates shifts with the schema it
ships, and its pytest plugin serves the emulator to a test of someone else's.

Slow (a build and an install, about 20-60 s): done once per run.
"""

from __future__ import annotations

import email
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from ci_support import ROOT

SCHEMA = ROOT / "reconciler" / "data" / "shift.schema.json"
CONFIG_SCHEMA = ROOT / "reconciler" / "data" / "config.schema.json"
# What a build reads; copying just these keeps the shared checkout's other files out of it.
_BUILD_INPUTS = ("pyproject.toml", "README.md", "LICENSE", "reconciler")
TAG, VERSION = "v9.8.7", "9.8.7"  # a release tag of the copy: the version comes from it
_GIT_ENV = {
    "GIT_AUTHOR_NAME": "release test",
    "GIT_AUTHOR_EMAIL": "release@example.invalid",
    "GIT_COMMITTER_NAME": "release test",
    "GIT_COMMITTER_EMAIL": "release@example.invalid",
}


@dataclass(frozen=True, slots=True)
class Installed:
    wheel: Path
    sdist: Path
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
    env = {**os.environ, **_GIT_ENV}
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    work = tmp_path_factory.mktemp("wheel")
    # Building from a copy leaves the shared checkout without build/ droppings; the copy is
    # a git repository with a release tag, as the release workflow sees it.
    source = work / "source"
    source.mkdir()
    for name in _BUILD_INPUTS:
        if (ROOT / name).is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "_version.py")
            shutil.copytree(ROOT / name, source / name, ignore=ignore, symlinks=True)
        else:
            shutil.copy(ROOT / name, source / name)
    for git in (("init", "-q"), ("add", "-A"), ("commit", "-qm", "release"), ("tag", TAG)):
        _run("git", "-C", source, *git)
    # Both, the wheel from the sdist (python -m build's default): the sdist keeps the version.
    _run(sys.executable, "-m", "build", "--outdir", work / "dist", source)
    (wheel,) = (work / "dist").glob("shiftctl-*.whl")
    (sdist,) = (work / "dist").glob("shiftctl-*.tar.gz")
    _run(sys.executable, "-m", "venv", work / "venv")
    venv_bin = work / "venv" / "bin"
    # Only the wheel (with its dependencies) and pytest, at the versions the suite pins.
    pip = (venv_bin / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check")
    _run(*pip, "-c", ROOT / "constraints.txt", wheel, "pytest")
    elsewhere = work / "elsewhere"
    elsewhere.mkdir()
    return Installed(wheel, sdist, venv_bin, elsewhere)


def test_wheel_ships_the_schemas_and_no_tests(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
        assert wheel.read("reconciler/data/shift.schema.json") == SCHEMA.read_bytes()
        assert wheel.read("reconciler/data/config.schema.json") == CONFIG_SCHEMA.read_bytes()
        info = f"shiftctl-{VERSION}.dist-info"
        metadata = email.message_from_bytes(wheel.read(f"{info}/METADATA"))
        entry_points = wheel.read(f"{info}/entry_points.txt").decode()
        assert wheel.read("reconciler/_version.py").decode().endswith(f'version = "{VERSION}"\n')
        assert f"{info}/licenses/LICENSE" in names
    assert "reconciler/py.typed" in names
    assert not [n for n in names if n.startswith(("tests/", "shifts/", "schema/"))]
    assert metadata["Version"] == VERSION
    assert metadata["License-Expression"] == "MIT"
    assert metadata["Requires-Python"] == ">=3.11"
    assert "Framework :: Pytest" in metadata.get_all("Classifier", [])
    assert any(url.startswith("Source, https://") for url in metadata.get_all("Project-URL", []))
    assert "[pytest11]\nshiftctl-emulator = reconciler.pytest_plugin" in entry_points


def test_the_sdist_carries_the_version_and_the_license(installed: Installed) -> None:
    assert installed.sdist.name == f"shiftctl-{VERSION}.tar.gz"
    with tarfile.open(installed.sdist) as sdist:
        names = set(sdist.getnames())
        pkg_info = sdist.extractfile(f"shiftctl-{VERSION}/PKG-INFO")
        assert pkg_info is not None
        assert email.message_from_bytes(pkg_info.read())["Version"] == VERSION
    assert f"shiftctl-{VERSION}/LICENSE" in names


def test_the_installed_version_is_the_tag(installed: Installed) -> None:
    result = installed.run("shiftctl", "--version")
    assert result.stdout.strip() == f"shiftctl, version {VERSION}"
    probe = installed.run("python", "-c", "import reconciler; print(reconciler.__version__)")
    assert probe.stdout.strip() == VERSION


PLUGIN_TEST = """\
import httpx


def test_a_token_and_a_seeded_shift(feishu_emulator):
    rule = {"on_time": "9:00", "off_time": "18:00", "late_minutes_as_late": 5,
            "late_minutes_as_lack": 60, "on_advance_minutes": 60,
            "early_minutes_as_early": 5, "early_minutes_as_lack": 60, "off_delay_minutes": 120}
    feishu_emulator.seed({"shifts": [{"shift_name": "早班", "punch_times": 1,
                                     "punch_time_rule": [rule]}]})
    token = httpx.post(
        feishu_emulator.url + "/open-apis/auth/v3/tenant_access_token/internal",
        json={"app_id": feishu_emulator.app_id, "app_secret": feishu_emulator.app_secret},
    ).json()["tenant_access_token"]
    listed = httpx.get(
        feishu_emulator.url + "/open-apis/attendance/v1/shifts",
        headers={"Authorization": "Bearer " + token},
    ).json()
    assert [s["shift_name"] for s in listed["data"]["shift_list"]] == ["早班"]
    assert feishu_emulator.stats()["shift.list"]["succeeded"] == 1


def test_the_session_twin(feishu_emulator_session):
    feishu_emulator_session.faults(latency_ms=1)
    feishu_emulator_session.reset()
    assert feishu_emulator_session.faults()["latency_ms"] == 0
"""


def test_the_installed_pytest_plugin_serves_the_emulator(installed: Installed) -> None:
    test_file = installed.elsewhere / "test_with_the_plugin.py"
    test_file.write_text(PLUGIN_TEST, encoding="utf-8")
    result = installed.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", test_file.name)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
    listed = installed.run("python", "-m", "pip", "list", "--format=freeze")
    installed_names = {line.split("==")[0].lower() for line in listed.stdout.splitlines()}
    assert "lark-oapi" not in installed_names  # only the wheel, its dependencies and pytest


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
