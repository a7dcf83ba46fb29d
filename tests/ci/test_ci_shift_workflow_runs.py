"""The jobs of shifts.yml (on `uses: ./`) and of the reusable shiftctl.yml (as a company
repository calls it), the action's steps among them, run for real against the served
emulator: a pull request gets its plan as one comment, the merge applies exactly that plan,
and a plan that changed since the review is refused until someone approves it by checksum.
Only GitHub itself is simulated."""

from __future__ import annotations

import datetime
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from ci_support import ROOT
from workflow_harness import Repo

from reconciler.cli import main
from reconciler.emulator.app import create_app
from reconciler.emulator.config import DEFAULT_APP_ID, DEFAULT_APP_SECRET
from reconciler.emulator.server import serving


@pytest.fixture(params=["shifts.yml", "shiftctl.yml"])
def repo(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Repo]:
    app = create_app(str(tmp_path / "tenant.sqlite3"))
    with serving(app) as url:
        monkeypatch.setenv("FEISHU_APP_ID", DEFAULT_APP_ID)
        monkeypatch.setenv("FEISHU_APP_SECRET", DEFAULT_APP_SECRET)
        # A snapshot: the shared checkout may change while the test runs.
        main_branch = tmp_path / "main"
        shutil.copytree(ROOT / "shifts", main_branch / "shifts")
        shutil.copy(ROOT / "shiftctl.yaml", main_branch / "shiftctl.yaml")
        monkeypatch.chdir(main_branch)
        yield Repo(tmp_path, url, main_branch, workflow=request.param)
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
    assert set(artifact) == {"plan.json", "plan.md", "plan.html"}
    # The page is the saved plan drawn, self-contained, and the comment links its artifact.
    page = artifact["plan.html"].decode("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<svg" in page
    assert "<script" not in page
    link = f"https://github.com/acme/attendance/actions/runs/{first.run_id}/artifacts/1"
    assert f"plan.html in the [shiftctl-plan artifact]({link})" in comment
    assert link in first.plan.summary
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


def _lists(repo: Repo) -> int:
    stats = httpx.get(f"{repo.endpoint}/_emulator/stats").json()["data"]["endpoints"]
    return int(stats.get("shift.list", {}).get("requests", 0))


def test_merge_applies_the_reviewed_plan_and_converges(repo: Repo) -> None:
    reviewed = repo.pull_request("7")
    repo.github.reviewed = {"pr-number": "7", "run-id": reviewed.run_id}
    httpx.delete(f"{repo.endpoint}/_emulator/stats").raise_for_status()
    apply = repo.run("apply", "push", repo.checkout())
    assert apply.succeeded, apply.steps
    assert apply.steps["compare"].outputs["decision"] == "apply"
    assert apply.steps["apply"].outcome == "success"
    # Calls are a budget: the merge lists the tenant twice (plan, apply's re-read); the
    # convergence is verified from the answers to the writes.
    assert _lists(repo) == 2
    assert "Verified from the tenant's answers: every change took effect." in apply.summary
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
    approved = repo.approve(new_checksum)
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
    assert blocked.plan.steps["plan"].outputs["exitcode"] == "3"
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
    annotations = runs.validate.steps["validate"]
    assert "::error file=" in annotations.log
    assert "standard.yaml" in annotations.log
    assert not runs.plan.succeeded
    comment = repo.github.comments[("5", "shiftctl-plan")]
    assert "shiftctl plan failed (exit 1)" in comment
    assert "standard.yaml:" in comment
    assert "Plan checksum" not in comment


def test_a_partial_apply_is_reported_and_the_rest_approved_by_checksum(repo: Repo) -> None:
    assert main(["--endpoint", repo.endpoint, "apply", "--auto-approve"]) == 0
    # A rota group has 标准班 two months ahead: past the plan's 30-day look-ahead, so the
    # plan lets the delete through, and Feishu refuses it at apply.
    later = (datetime.date.today() + datetime.timedelta(days=60)).isoformat()
    rota = {"id": "g1", "name": "HQ", "type": "rota", "members": ["u1"]}
    uses = {
        "users": [{"employee_id": "u1"}],
        "groups": [{**rota, "schedule": {"u1": {later: "标准班"}}}],
    }
    httpx.post(f"{repo.endpoint}/_emulator/seed", json=uses).raise_for_status()
    change = repo.tmp / "change"
    shutil.copytree(repo.shifts, change)
    (change / "standard.yaml").unlink()
    extra = yaml.safe_load((change / "early.yaml").read_text())
    extra["shift_name"] = "早班二"
    (change / "early-2.yaml").write_text(yaml.safe_dump(extra, allow_unicode=True, sort_keys=False))
    reviewed = repo.pull_request("11", shifts=change)
    assert reviewed.plan.succeeded, reviewed.plan.steps
    repo.merge(change)
    repo.github.reviewed = {"pr-number": "11", "run-id": reviewed.run_id}
    partial = repo.run("apply", "push", repo.checkout())
    assert partial.steps["apply"].outcome == "failure"
    assert "converged" not in partial.steps  # no third listing, even after a failure
    result = repo.github.comments[("11", "shiftctl-apply")]
    assert "partly applied (exit 5)" in result
    assert "code 1220600: shift can not be del" in result
    assert "report.json" in result
    # A re-run posts what is left; once the group lets go, approving it converges.
    rerun = repo.run("apply", "push", repo.checkout())
    assert rerun.steps["compare"].outputs["decision"] == "refuse"
    left = rerun.steps["compare"].outputs["checksum"]
    assert left in repo.github.comments[("11", "shiftctl-apply")]
    released = {"groups": [rota]}
    httpx.post(f"{repo.endpoint}/_emulator/seed", json=released).raise_for_status()
    approved = repo.approve(left)
    assert approved.succeeded, approved.steps
    assert repo.remote_plan_exit_code() == 0


def test_a_push_without_a_reviewed_plan_applies_nothing(repo: Repo) -> None:
    repo.github.reviewed = {}  # no merged pull request for the pushed commit
    run = repo.run("apply", "push", repo.checkout())
    assert not run.succeeded
    assert run.steps["compare"].outputs["decision"] == "refuse"
    assert repo.github.comments == {}
    assert repo.remote_plan_exit_code() == 2


@pytest.mark.parametrize(
    "forged",
    [
        "sha256:" + "0" * 63 + "\ndecision=apply",  # a second output line
        "sha256:" + "A" * 64,  # not lower-case hex
        "::error::not a checksum",  # a workflow command
        "",
    ],
)
def test_a_reviewed_checksum_that_is_not_hex_is_refused_loudly(repo: Repo, forged: str) -> None:
    reviewed = repo.pull_request("7")
    artifact = repo.github.artifacts[reviewed.run_id]["shiftctl-plan"]
    document = json.loads(artifact["plan.json"])
    document["checksum"] = forged
    artifact["plan.json"] = json.dumps(document).encode()
    repo.github.reviewed = {"pr-number": "7", "run-id": reviewed.run_id}
    merged = repo.run("apply", "push", repo.checkout())
    compare = merged.steps["compare"]
    assert compare.outcome == "failure"
    assert "reviewed plan's checksum is not sha256 and 64 hex digits" in compare.log
    assert "decision" not in compare.outputs
    if forged:
        assert forged not in compare.log, "the forged value is never printed"
    assert merged.steps["apply"].outcome == "skipped"
    assert not merged.succeeded
    assert repo.remote_plan_exit_code() == 2, "nothing applied"


def test_an_approved_checksum_that_is_not_hex_is_refused(repo: Repo) -> None:
    repo.pull_request("7")
    run = repo.approve("sha256:123; echo pwned")
    assert run.steps["compare"].outcome == "failure"
    assert "approved_checksum must be sha256: and 64 hex digits" in run.steps["compare"].log
    assert "pwned" not in run.steps["compare"].log
    assert not run.succeeded
    assert repo.remote_plan_exit_code() == 2


def test_the_action_reports_its_outputs(repo: Repo) -> None:
    run = repo.pull_request("7").plan
    (action,) = [r for r in run.steps.values() if r.inner]  # the one step that is the action
    assert action.outputs["exitcode"] == "2"
    assert action.outputs["has-changes"] == "true"
    plan_path = Path(action.outputs["plan-path"])
    assert json.loads(plan_path.read_text())["summary"]["create"] == 8
    assert "8 to create" in Path(action.outputs["markdown-path"]).read_text()
    validate = repo.pull_request("7").validate
    (checked,) = [r for r in validate.steps.values() if r.inner]
    assert checked.outputs == {
        "exitcode": "0",
        "has-changes": "false",
        "plan-path": "",
        "markdown-path": "",
    }
