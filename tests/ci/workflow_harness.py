"""A repository of shifts whose workflow jobs run on this machine against one tenant, with
GitHub (comments, artifacts, API answers) stood in for by memory.

The workflow is this repository's shifts.yml (jobs on ``uses: ./``) or the reusable
shiftctl.yml as a company repository calls it (``uses: shiftctl/shiftctl@v1``, here the
action of this checkout); either way the action's own steps run for real.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from actions_sim import ActionFailed, ActionHandler, JobRun, Runner
from ci_support import ROOT, load_workflow

from reconciler.cli import main
from reconciler.emulator.config import DEFAULT_APP_ID, DEFAULT_APP_SECRET

SHIFTS = load_workflow(ROOT / ".github" / "workflows" / "shifts.yml")
REUSABLE = load_workflow(ROOT / ".github" / "workflows" / "shiftctl.yml")
WORKFLOWS = {"shifts.yml": SHIFTS, "shiftctl.yml": REUSABLE}
REPOSITORY = "acme/attendance"
# Where the action runs from: this checkout, under either name.
COMPOSITES = {"./": ROOT, "shiftctl/shiftctl": ROOT}


@dataclass
class GitHub:
    """What the tests stand in for: comments, artifacts, and the answers the API gives."""

    comments: dict[tuple[str, str], str] = field(default_factory=dict)
    artifacts: dict[str, dict[str, dict[str, bytes]]] = field(default_factory=dict)
    reviewed: dict[str, str] = field(default_factory=dict)

    def actions(self, workspace: Path, run_id: str, pr: str) -> dict[str, ActionHandler]:
        def sticky(given: Any) -> dict[str, str]:
            number = given.get("number") or pr
            self.comments[(number, given["header"])] = (workspace / given["path"]).read_text()
            return {}

        def upload(given: Any) -> dict[str, str]:
            paths = [workspace / name for name in given["path"].split()]
            found = [path for path in paths if path.is_file()]
            if not found and given.get("if-no-files-found") == "error":
                raise ActionFailed("no files found")
            stored = {path.name: path.read_bytes() for path in found}
            self.artifacts.setdefault(run_id, {})[given["name"]] = stored
            # upload-artifact v4's outputs: the id and the URL a person opens it at.
            number = str(len(self.artifacts[run_id]))
            url = f"https://github.com/{REPOSITORY}/actions/runs/{run_id}/artifacts/{number}"
            return {"artifact-id": number, "artifact-url": url}

        def download(given: Any) -> dict[str, str]:
            stored = self.artifacts.get(given["run-id"], {}).get(given["name"])
            if stored is None:
                raise ActionFailed("Artifact not found")
            for name, data in stored.items():
                target = workspace / given["path"] / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            return {}

        return {
            "actions/checkout": lambda given: {},
            "actions/setup-python": lambda given: {"python-path": sys.executable},
            "actions/github-script": lambda given: dict(self.reviewed),
            "actions/upload-artifact": upload,
            "actions/download-artifact": download,
            "marocchino/sticky-pull-request-comment": sticky,
        }


@dataclass(frozen=True, slots=True)
class PullRequestRun:
    run_id: str
    validate: JobRun
    plan: JobRun


@dataclass
class Repo:
    """A repository of shifts whose workflow runs against one tenant."""

    tmp: Path
    endpoint: str
    main_branch: Path  # the repository's files on main: shifts/ and shiftctl.yaml
    workflow: str = "shifts.yml"
    github: GitHub = field(default_factory=GitHub)
    runs: int = 0

    @property
    def shifts(self) -> Path:
        return self.main_branch / "shifts"

    def checkout(self, shifts: Path | None = None) -> Path:
        self.runs += 1
        workspace = self.tmp / f"run-{self.runs}"
        shutil.copytree(shifts or self.shifts, workspace / "shifts")
        shutil.copy(self.main_branch / "shiftctl.yaml", workspace / "shiftctl.yaml")
        return workspace

    def run(self, job: str, event: str, workspace: Path, **context: str) -> JobRun:
        pr = context.get("github.event.pull_request.number", "")
        ref = "refs/heads/main" if event != "pull_request" else f"refs/pull/{pr}/merge"
        workflow = WORKFLOWS[self.workflow]
        base = {
            "github.workflow": "shifts",
            "github.repository": REPOSITORY,
            "github.event_name": event,
            "github.sha": f"{self.runs:040x}",
            "github.ref": ref,
            "github.ref_name": ref.removeprefix("refs/heads/").removeprefix("refs/"),
            "github.ref_type": "branch",
            "github.token": "github-token-stand-in",
            "secrets.FEISHU_APP_ID": DEFAULT_APP_ID,
            "secrets.FEISHU_APP_SECRET": DEFAULT_APP_SECRET,
            "vars.FEISHU_ENDPOINT": self.endpoint,
        }
        # A called workflow's inputs, at their defaults, as a caller writing one line has them.
        called = workflow["on"].get("workflow_call") or {}
        for name, spec in (called.get("inputs") or {}).items():
            base[f"inputs.{name}"] = str(spec.get("default", ""))
        runner = Runner(
            workspace=workspace,
            context={**base, **context},
            actions=self.github.actions(workspace, str(self.runs), pr),
            skip_steps=frozenset({"Install shiftctl"}),  # this environment has it installed
            path=f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            composites=COMPOSITES,
        )
        return runner.run_job(workflow, job)

    def approve(self, checksum: str) -> JobRun:
        """A maintainer runs the workflow by hand on main, approving the plan by checksum."""
        # The action reads the dispatch event's input, whichever workflow passed it on.
        return self.run(
            "apply",
            "workflow_dispatch",
            self.checkout(),
            **{"github.event.inputs.approved_checksum": checksum},
        )

    def pull_request(
        self, number: str, head_repo: str = REPOSITORY, shifts: Path | None = None
    ) -> PullRequestRun:
        workspace = self.checkout(shifts)
        context = {
            "github.event.pull_request.number": number,
            "github.event.pull_request.head.sha": f"{number:0>40}",
            "github.event.pull_request.head.repo.full_name": head_repo,
        }
        validate = self.run("validate", "pull_request", workspace, **context)
        plan = self.run("plan", "pull_request", workspace, **context)
        return PullRequestRun(str(self.runs), validate, plan)

    def edit_in_console(self, shifts: dict[str, str]) -> None:
        """Someone changes shifts in the Feishu admin console (here: another shiftctl)."""
        console = self.tmp / "console"
        (console / "shifts").mkdir(parents=True)
        (console / "shiftctl.yaml").write_text("shifts: shifts\nprune: false\n")
        for name, text in shifts.items():
            (console / "shifts" / name).write_text(text)
        config = str(console / "shiftctl.yaml")
        assert (
            main(["--endpoint", self.endpoint, "--config", config, "apply", "--auto-approve"]) == 0
        )

    def merge(self, shifts: Path) -> None:
        """The pull request's files become main's."""
        shutil.rmtree(self.shifts)
        shutil.copytree(shifts, self.shifts)

    def remote_plan_exit_code(self) -> int:
        """``shiftctl plan --detailed-exitcode`` of the files on main (the working directory)."""
        return main(["--endpoint", self.endpoint, "plan", "--detailed-exitcode"])
