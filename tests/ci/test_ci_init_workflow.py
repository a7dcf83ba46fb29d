"""The workflow `shiftctl init` writes for a company repository passes actionlint, and keeps
the policies of this repository's own: least privilege, forks validated only, applies that
never overlap, actions pinned (shiftctl's own action by its major tag)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ci_support import load_workflow
from test_ci_actionlint import _lint, actionlint

from reconciler.scaffold import scaffold_files, write_scaffold

__all__ = ["actionlint"]  # the fixture, used here by name

_PINNED = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")


@pytest.fixture
def generated(tmp_path: Path) -> Path:
    write_scaffold(tmp_path, scaffold_files("acme"), force=False)
    return tmp_path / ".github" / "workflows" / "shifts.yml"


def test_the_generated_workflow_passes_actionlint(actionlint: Path, generated: Path) -> None:
    findings = _lint(actionlint, generated)
    assert findings == [], [f"{f['line']}: {f['message']}" for f in findings]


def test_the_generated_workflow_keeps_the_policies(generated: Path) -> None:
    flow = load_workflow(generated)
    assert flow["permissions"] == {}
    jobs = flow["jobs"]
    assert "head.repo.full_name == github.repository" in jobs["plan"]["if"]
    assert jobs["apply"]["concurrency"]["cancel-in-progress"] is False
    for job in jobs.values():
        assert set(job["permissions"]) <= {"contents", "pull-requests", "actions"}
        for step in job["steps"]:
            uses = step["uses"]
            assert uses == "acme/shiftctl@v1" or _PINNED.match(uses.split(" ")[0]), uses
            # Secrets only ever go to the action's environment, never into its inputs.
            assert "secrets." not in str(step.get("with", {}))
