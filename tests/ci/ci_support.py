"""The repository's workflows and hook manifest as data, for the tests in this folder."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS_DIR = ROOT / ".github" / "workflows"
HOOKS_FILE = ROOT / ".pre-commit-hooks.yaml"
ACTION_FILE = ROOT / "action.yml"


@dataclass(frozen=True, slots=True)
class RunStep:
    """One ``run:`` script, named by where it lives."""

    workflow: str
    job: str
    step: str
    script: str

    @property
    def where(self) -> str:
        return f"{self.workflow}:{self.job}:{self.step}"


def load_workflow(path: Path) -> dict[str, Any]:
    """A workflow as data; YAML 1.1 reads the ``on`` key as True, so it is renamed back."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path} is not a mapping"
    if True in data:
        data["on"] = data.pop(True)
    return data


def workflow_paths() -> list[Path]:
    return sorted([*WORKFLOWS_DIR.glob("*.yml"), *WORKFLOWS_DIR.glob("*.yaml")])


def load_action() -> dict[str, Any]:
    """The composite action at the repository root."""
    data = yaml.safe_load(ACTION_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{ACTION_FILE} is not a mapping"
    return data


def run_steps() -> Iterator[RunStep]:
    """Every ``run:`` script: the workflows' and the composite action's."""
    for path in workflow_paths():
        for job_id, job in load_workflow(path).get("jobs", {}).items():
            for number, step in enumerate(job.get("steps", []), start=1):
                if "run" in step:
                    name = step.get("name") or f"step {number}"
                    yield RunStep(path.name, job_id, name, step["run"])
    for number, step in enumerate(load_action()["runs"]["steps"], start=1):
        if "run" in step:
            name = step.get("name") or f"step {number}"
            yield RunStep(ACTION_FILE.name, "runs", name, step["run"])
