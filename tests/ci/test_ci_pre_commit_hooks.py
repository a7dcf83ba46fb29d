"""The pre-commit hooks offered to other repositories: a valid manifest whose entries are real
shiftctl commands, run here the way pre-commit runs them."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from ci_support import HOOKS_FILE, ROOT
from cli_invocations import check_invocation

from reconciler.cli import cli, main

# The keys pre-commit's manifest schema accepts for a hook.
_HOOK_KEYS = {
    "id", "name", "entry", "language", "alias", "files", "exclude", "types", "types_or",
    "exclude_types", "additional_dependencies", "args", "always_run", "fail_fast",
    "pass_filenames", "description", "language_version", "log_file",
    "minimum_pre_commit_version", "require_serial", "stages", "verbose",
}  # fmt: skip


@pytest.fixture(scope="module")
def hooks() -> dict[str, dict[str, Any]]:
    manifest = yaml.safe_load(HOOKS_FILE.read_text(encoding="utf-8"))
    assert isinstance(manifest, list)
    return {hook["id"]: hook for hook in manifest}


def _argv(hook: dict[str, Any], filenames: list[str]) -> list[str]:
    """The command line pre-commit builds: entry, args, then the matching files."""
    words = [*shlex.split(hook["entry"]), *hook.get("args", [])]
    assert words[0] == "shiftctl"
    return words[1:] + (filenames if hook.get("pass_filenames", True) else [])


def _tracked_matching(hook: dict[str, Any]) -> list[str]:
    """The files ``pre-commit run --all-files`` would hand to the hook."""
    listed = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    return [path for path in listed if re.search(hook["files"], path)]


def test_manifest_offers_validate_and_fmt(hooks: dict[str, dict[str, Any]]) -> None:
    assert set(hooks) == {"shiftctl-validate", "shiftctl-fmt"}
    for hook in hooks.values():
        assert {"id", "name", "entry", "language"} <= hook.keys() <= _HOOK_KEYS
        assert hook["language"] == "python"
    assert hooks["shiftctl-validate"]["entry"] == "shiftctl validate"
    assert hooks["shiftctl-fmt"]["entry"] == "shiftctl fmt --check"


def test_the_hook_entry_is_the_packaged_console_script() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["shiftctl"] == "reconciler.cli:run"


@pytest.mark.parametrize("hook_id", ["shiftctl-validate", "shiftctl-fmt"])
def test_hook_entries_exist_in_the_cli(hooks: dict[str, dict[str, Any]], hook_id: str) -> None:
    assert check_invocation(cli, _argv(hooks[hook_id], ["shifts/a.yaml"])) == []


@pytest.mark.parametrize(
    ("path", "validate", "fmt"),
    [
        ("shifts/standard.yaml", True, True),
        ("shifts/teams/night.yml", True, True),
        ("shiftctl.yaml", True, False),
        ("docs/shifts/example.yaml", False, False),
        (".github/workflows/shifts.yml", False, False),
        ("shifts/README.md", False, False),
    ],
)
def test_hooks_run_on_shift_files_only(
    hooks: dict[str, dict[str, Any]], path: str, validate: bool, fmt: bool
) -> None:
    assert bool(re.search(hooks["shiftctl-validate"]["files"], path)) is validate
    assert bool(re.search(hooks["shiftctl-fmt"]["files"], path)) is fmt


def test_the_example_shifts_pass_both_hooks(
    hooks: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    for hook in hooks.values():
        files = _tracked_matching(hook)
        assert any(path.startswith("shifts/") for path in files), hook["id"]
        assert main(_argv(hook, files)) == 0, hook["id"]


def test_validate_hook_sees_duplicates_across_unchanged_files(
    hooks: dict[str, dict[str, Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Only one file is staged, but the duplicate lives in a file that did not change.
    (tmp_path / "shifts").mkdir()
    for name in ("standard.yaml", "copy.yaml"):
        shutil.copy(ROOT / "shifts" / "standard.yaml", tmp_path / "shifts" / name)
    monkeypatch.chdir(tmp_path)
    assert main(_argv(hooks["shiftctl-validate"], ["shifts/copy.yaml"])) == 1
    output = capsys.readouterr()
    assert "copy.yaml" in output.out + output.err
    assert "standard.yaml" in output.out + output.err


def test_fmt_hook_refuses_a_non_canonical_file_and_leaves_it_alone(
    hooks: dict[str, dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = (ROOT / "shifts" / "standard.yaml").read_text(encoding="utf-8")
    document = yaml.safe_load(source)
    # Same content, keys in reverse order: canonical form fixes key order.
    shuffled = yaml.safe_dump(dict(reversed(document.items())), sort_keys=False)
    target = tmp_path / "shifts" / "standard.yaml"
    target.parent.mkdir()
    target.write_text(shuffled, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "shifts/standard.yaml"]) == 0, "only the form differs"
    assert main(_argv(hooks["shiftctl-fmt"], ["shifts/standard.yaml"])) == 1
    assert target.read_text(encoding="utf-8") == shuffled
