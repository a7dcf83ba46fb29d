"""The shell of shifts.yml, run for real against the served emulator: a pull request gets its
plan as one comment, the merge applies exactly that plan, and a plan that changed since the
review is refused until someone approves it by checksum. Only GitHub itself is simulated."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from actions_sim import ActionFailed, ActionHandler, JobRun, Runner
from ci_support import ROOT, load_workflow

from reconciler.cli import main
from reconciler.emulator.app import create_app
from reconciler.emulator.config import DEFAULT_APP_ID, DEFAULT_APP_SECRET
from reconciler.emulator.server import serving

SHIFTS = load_workflow(ROOT / ".github" / "workflows" / "shifts.yml")
REPOSITORY = "acme/attendance"


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
            names = [n for n in given["path"].split() if (workspace / n).is_file()]
            if not names and given.get("if-no-files-found") == "error":
                raise ActionFailed("no files found")
            stored = {n: (workspace / n).read_bytes() for n in names}
            self.artifacts.setdefault(run_id, {})[given["name"]] = stored
            return {}

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
            "actions/setup-python": lambda given: {},
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
        base = {
            "github.workflow": "shifts",
            "github.repository": REPOSITORY,
            "github.event_name": event,
            "github.sha": f"{self.runs:040x}",
            "github.ref": "refs/heads/main" if event != "pull_request" else f"refs/pull/{pr}/merge",
            "github.token": "github-token-stand-in",
            "secrets.FEISHU_APP_ID": DEFAULT_APP_ID,
            "secrets.FEISHU_APP_SECRET": DEFAULT_APP_SECRET,
            "vars.FEISHU_ENDPOINT": self.endpoint,
        }
        runner = Runner(
            workspace=workspace,
            context={**base, **context},
            actions=self.github.actions(workspace, str(self.runs), pr),
            skip_steps=frozenset({"Install shiftctl"}),  # this environment has it installed
            path=f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        )
        return runner.run_job(SHIFTS, job)

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

    def remote_plan_exit_code(self) -> int:
        """``shiftctl plan --detailed-exitcode`` of the files on main (the working directory)."""
        return main(["--endpoint", self.endpoint, "plan", "--detailed-exitcode"])


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repo]:
    app = create_app(str(tmp_path / "tenant.sqlite3"))
    with serving(app) as url:
        monkeypatch.setenv("FEISHU_APP_ID", DEFAULT_APP_ID)
        monkeypatch.setenv("FEISHU_APP_SECRET", DEFAULT_APP_SECRET)
        # A snapshot: the shared checkout may change while the test runs.
        main_branch = tmp_path / "main"
        shutil.copytree(ROOT / "shifts", main_branch / "shifts")
        shutil.copy(ROOT / "shiftctl.yaml", main_branch / "shiftctl.yaml")
        monkeypatch.chdir(main_branch)
        yield Repo(tmp_path, url, main_branch)
    app.close()


def _checksum(comment: str) -> str:
    return comment.split("Plan checksum `", 1)[1].split("`", 1)[0]


def reviewed_checksum(repo: Repo, pr: str) -> str:
    return _checksum(repo.github.comments[(pr, "shiftctl-plan")])


def test_pull_request_is_validated_planned_and_commented_once(repo: Repo) -> None:
    first = repo.pull_request("7")
    assert first.validate.succeeded
    assert first.plan.succeeded, first.plan.steps
    comment = repo.github.comments[("7", "shiftctl-plan")]
    assert "<!-- shiftctl-plan -->" in comment
    assert "8 to create" in comment
    assert _checksum(comment).startswith("sha256:")
    assert "8 to create" in first.plan.summary
    artifact = repo.github.artifacts[first.run_id]["shiftctl-plan"]
    assert set(artifact) == {"plan.json", "plan.md"}
    # A second push updates the same comment instead of adding one.
    repo.pull_request("7")
    assert [key for key in repo.github.comments if key[0] == "7"] == [("7", "shiftctl-plan")]


def test_a_fork_is_validated_never_planned_and_never_applied(repo: Repo) -> None:
    runs = repo.pull_request("8", head_repo="stranger/attendance")
    assert runs.validate.succeeded
    assert runs.plan.skipped
    assert repo.github.comments == {}
    # Merged anyway: its green run has no plan artifact, so nothing is applied.
    repo.github.reviewed = {"pr-number": "8", "run-id": runs.run_id}
    merged = repo.run("apply", "push", repo.checkout())
    assert merged.steps["Download the reviewed plan"].outcome == "failure"
    assert merged.steps["compare"].outputs["decision"] == "refuse"
    assert not merged.succeeded
    assert "not applied" in repo.github.comments[("8", "shiftctl-apply")]
    assert repo.remote_plan_exit_code() == 2


def test_merge_applies_the_reviewed_plan_and_converges(repo: Repo) -> None:
    reviewed = repo.pull_request("7")
    repo.github.reviewed = {"pr-number": "7", "run-id": reviewed.run_id}
    apply = repo.run("apply", "push", repo.checkout())
    assert apply.succeeded, apply.steps
    assert apply.steps["compare"].outputs["decision"] == "apply"
    assert apply.steps["apply"].outcome == "success"
    assert apply.steps["Verify convergence"].outcome == "success"
    assert "### shiftctl: applied" in apply.summary
    assert "8 applied, 0 failed" in apply.summary
    assert repo.remote_plan_exit_code() == 0
    result = repo.github.comments[("7", "shiftctl-apply")]
    assert "### shiftctl: applied" in result
    assert reviewed_checksum(repo, "7") in result
    # A later push with nothing new to apply succeeds without applying.
    again = repo.run("apply", "push", repo.checkout())
    assert again.succeeded
    assert again.steps["compare"].outputs["decision"] == "nothing"
    assert again.steps["apply"].outcome == "skipped"


def test_a_tenant_changed_after_review_is_refused_until_approved(repo: Repo) -> None:
    reviewed = repo.pull_request("7")
    repo.github.reviewed = {"pr-number": "7", "run-id": reviewed.run_id}
    # Someone edits one shift in the admin console between review and merge.
    original = (repo.shifts / "standard.yaml").read_text()
    edited = original.replace('"09:00"', '"09:30"')
    assert edited != original
    repo.edit_in_console({"standard.yaml": edited})
    refused = repo.run("apply", "push", repo.checkout())
    assert not refused.succeeded
    assert refused.steps["compare"].outputs["decision"] == "refuse"
    assert refused.steps["apply"].outcome == "skipped"
    notice = repo.github.comments[("7", "shiftctl-apply")]
    assert "not applied" in notice
    new_checksum = refused.steps["compare"].outputs["checksum"]
    assert f"approved_checksum: {new_checksum}" in notice
    assert new_checksum != _checksum(repo.github.comments[("7", "shiftctl-plan")])
    assert repo.remote_plan_exit_code() == 2, "nothing may have been applied"
    # A maintainer approves exactly the posted plan by its checksum.
    approved = repo.run(
        "apply", "workflow_dispatch", repo.checkout(), **{"inputs.approved_checksum": new_checksum}
    )
    assert approved.succeeded, approved.steps
    assert repo.remote_plan_exit_code() == 0


def test_a_plan_blocked_by_a_guard_is_posted_and_fails(repo: Repo) -> None:
    assert main(["--endpoint", repo.endpoint, "apply", "--auto-approve"]) == 0
    kept = repo.tmp / "kept"
    kept.mkdir()
    for name in sorted(p.name for p in repo.shifts.glob("*.yaml"))[:3]:
        shutil.copy(repo.shifts / name, kept / name)
    blocked = repo.pull_request("9", shifts=kept)
    assert blocked.validate.succeeded
    assert not blocked.plan.succeeded
    assert blocked.plan.steps["plan"].outputs["exit-code"] == "3"
    assert "blocked by a safety guard" in repo.github.comments[("9", "shiftctl-plan")]
    assert repo.remote_plan_exit_code() == 0, "a blocked plan changes nothing"


def test_invalid_files_are_annotated_and_replace_the_plan_comment(repo: Repo) -> None:
    repo.pull_request("5")
    broken = repo.tmp / "broken"
    shutil.copytree(repo.shifts, broken)
    text = (broken / "standard.yaml").read_text()
    (broken / "standard.yaml").write_text(text.replace('off_time: "18:00"', 'off_time: "8 pm"'))
    runs = repo.pull_request("5", shifts=broken)
    assert not runs.validate.succeeded
    annotations = runs.validate.steps["Validate (problems become annotations on the changed lines)"]
    assert "::error file=" in annotations.log
    assert "standard.yaml" in annotations.log
    assert not runs.plan.succeeded
    comment = repo.github.comments[("5", "shiftctl-plan")]
    assert "shiftctl plan failed (exit 1)" in comment
    assert "standard.yaml:" in comment
    assert "Plan checksum" not in comment


def test_a_push_without_a_reviewed_plan_applies_nothing(repo: Repo) -> None:
    repo.github.reviewed = {}  # no merged pull request for the pushed commit
    run = repo.run("apply", "push", repo.checkout())
    assert not run.succeeded
    assert run.steps["compare"].outputs["decision"] == "refuse"
    assert repo.github.comments == {}
    assert repo.remote_plan_exit_code() == 2
