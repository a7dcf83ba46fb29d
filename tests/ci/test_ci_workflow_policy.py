"""The workflows keep the promises of the pull-request flow: pinned actions, least privilege,
no secrets for forks, applies that never overlap and only follow a reviewed plan."""

from __future__ import annotations

import re
from typing import Any

import pytest
from ci_support import run_steps, workflow_paths
from cli_invocations import shiftctl_invocations

Workflows = dict[str, dict[str, Any]]

_USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?P<comment>.*)$")
_PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
_VERSION_COMMENT = re.compile(r"^\s+#\s+v\d+(\.\d+)*\s*$")
_SHIFT_PATHS = ["shifts/**", "shiftctl.yaml"]
_PLAN_CALL = (
    "--no-color",
    "plan",
    "--out",
    "plan.json",
    "--format",
    "markdown",
    "--detailed-exitcode",
)
_SAME_REPOSITORY = "github.event.pull_request.head.repo.full_name == github.repository"


def _uses_lines() -> list[tuple[str, int, str, str]]:
    found = []
    for path in workflow_paths():
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            match = _USES.match(line)
            if match:
                found.append((path.name, number, match["ref"], match["comment"]))
    return found


def test_workflows_use_actions() -> None:
    assert len(_uses_lines()) >= 10


@pytest.mark.parametrize(
    ("workflow", "line", "ref", "comment"),
    _uses_lines(),
    ids=[f"{w}:{n}" for w, n, _, _ in _uses_lines()],
)
def test_every_action_is_pinned_to_a_commit_with_its_version(
    workflow: str, line: int, ref: str, comment: str
) -> None:
    assert _PINNED.match(ref), f"{workflow}:{line}: {ref} is not pinned to a full commit SHA"
    assert _VERSION_COMMENT.match(comment), f"{workflow}:{line}: no '# vX.Y.Z' comment"


def test_one_pin_per_action() -> None:
    pins: dict[str, set[str]] = {}
    for _, _, ref, _ in _uses_lines():
        action, _, sha = ref.partition("@")
        pins.setdefault(action, set()).add(sha)
    assert {action: shas for action, shas in pins.items() if len(shas) > 1} == {}


def test_permissions_are_declared_and_never_write_all(workflows: Workflows) -> None:
    for name, workflow in workflows.items():
        assert "permissions" in workflow, f"{name}: no top-level permissions"
        assert workflow["permissions"] not in ("write-all", "read-all"), name
        for job_id, job in workflow["jobs"].items():
            assert job.get("permissions") != "write-all", f"{name}:{job_id}"


def test_shift_jobs_ask_only_for_what_they_need(workflows: Workflows) -> None:
    shifts = workflows["shifts.yml"]
    assert shifts["permissions"] == {}
    jobs = shifts["jobs"]
    assert jobs["validate"]["permissions"] == {"contents": "read"}
    assert jobs["plan"]["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert jobs["apply"]["permissions"] == {
        "contents": "read",
        "actions": "read",
        "pull-requests": "write",
    }
    assert workflows["ci.yml"]["permissions"] == {"contents": "read"}


def test_shift_workflow_runs_on_shift_changes_only(workflows: Workflows) -> None:
    on = workflows["shifts.yml"]["on"]
    assert on["pull_request"]["paths"] == _SHIFT_PATHS
    assert on["push"] == {"branches": ["main"], "paths": _SHIFT_PATHS}
    assert on["workflow_dispatch"]["inputs"]["approved_checksum"]["required"] is True


def test_forks_are_validated_but_never_planned(workflows: Workflows) -> None:
    jobs = workflows["shifts.yml"]["jobs"]
    assert "if" not in jobs["validate"], "validation must run for every pull request"
    assert _SAME_REPOSITORY in " ".join(jobs["plan"]["if"].split())


def test_secrets_reach_only_the_jobs_that_talk_to_feishu(workflows: Workflows) -> None:
    for name, workflow in workflows.items():
        for job_id, job in workflow["jobs"].items():
            secrets = set(re.findall(r"secrets\.(\w+)", str(job)))
            expected = (
                {"FEISHU_APP_ID", "FEISHU_APP_SECRET"} if job_id in ("plan", "apply") else set()
            )
            assert secrets == (expected if name == "shifts.yml" else set()), f"{name}:{job_id}"


def test_secrets_are_passed_through_step_environment_not_script_text() -> None:
    for step in run_steps():
        assert "secrets." not in step.script, step.where


def test_no_expression_is_pasted_into_a_script() -> None:
    # Values reach scripts through env: pasted into the text, a branch name or a file name
    # from a pull request could run as shell.
    for step in run_steps():
        assert "${{" not in step.script, step.where


def test_endpoint_comes_from_a_repository_variable(workflows: Workflows) -> None:
    for job_id in ("plan", "apply"):
        job = workflows["shifts.yml"]["jobs"][job_id]
        for step in job["steps"]:
            env = step.get("env", {})
            if "FEISHU_APP_SECRET" in env:
                assert env["FEISHU_ENDPOINT"] == "${{ vars.FEISHU_ENDPOINT }}", step["name"]


def test_applies_never_overlap_or_get_cancelled(workflows: Workflows) -> None:
    apply = workflows["shifts.yml"]["jobs"]["apply"]
    assert apply["concurrency"]["cancel-in-progress"] is False
    assert "${{" not in apply["concurrency"]["group"].replace("${{ github.repository }}", "")
    assert "github.ref == 'refs/heads/main'" in apply["if"]
    assert apply["environment"] == "feishu"


def test_pull_request_plans_markdown_into_a_sticky_comment_and_an_artifact(
    workflows: Workflows,
) -> None:
    steps = workflows["shifts.yml"]["jobs"]["plan"]["steps"]
    calls = [args for step in steps if "run" in step for args in shiftctl_invocations(step["run"])]
    assert _PLAN_CALL in calls
    used = {step["uses"].partition("@")[0]: step for step in steps if "uses" in step}
    sticky = used["marocchino/sticky-pull-request-comment"]
    assert sticky["with"]["header"] == "shiftctl-plan"
    upload = used["actions/upload-artifact"]
    assert upload["with"]["name"] == "shiftctl-plan"
    assert "plan.json" in upload["with"]["path"]
    scripts = " ".join(step.get("run", "") for step in steps)
    assert "GITHUB_STEP_SUMMARY" in scripts


def test_main_applies_only_the_reviewed_plan(workflows: Workflows) -> None:
    apply = workflows["shifts.yml"]["jobs"]["apply"]
    steps = {step["name"]: step for step in apply["steps"] if "name" in step}
    download = steps["Download the reviewed plan"]
    assert download["with"]["name"] == "shiftctl-plan"
    assert download["with"]["run-id"] == "${{ steps.reviewed.outputs.run-id }}"
    compare = steps["Compare with the reviewed plan"]["run"]
    assert "jq -r '.checksum' plan.json" in compare
    assert "jq -r '.checksum' reviewed/plan.json" in compare
    assert steps["Apply"]["if"] == "steps.compare.outputs.decision == 'apply'"
    assert shiftctl_invocations(steps["Apply"]["run"]) == [
        ("--no-color", "apply", "plan.json", "--report", "report.json")
    ]
    assert "GITHUB_STEP_SUMMARY" in steps["Apply"]["run"]
    refused = "steps.compare.outputs.decision == 'refuse'"
    assert steps["Fail when the plan was not the reviewed one"]["if"] == refused
    assert steps["Post the new plan on the merged pull request"]["if"].startswith(refused)


def test_ci_tests_every_supported_python_and_the_wheel(workflows: Workflows) -> None:
    jobs = workflows["ci.yml"]["jobs"]
    assert jobs["test"]["strategy"]["matrix"]["python-version"] == ["3.11", "3.12", "3.13"]
    test_runs = [step["run"] for step in jobs["test"]["steps"] if "run" in step]
    assert test_runs == [".ci/run"]  # the README's test command, nothing else
    # ruff and mypy run once, inside the suite (tests/test_quality.py), not again in a job.
    every_run = " ".join(step.get("run", "") for job in jobs.values() for step in job["steps"])
    assert "ruff" not in every_run
    assert "mypy" not in every_run
    outside = [step for step in jobs["wheel"]["steps"] if "working-directory" in step]
    assert [step["working-directory"] for step in outside] == ["${{ runner.temp }}"]
    assert ("validate", "$SHIFTS") in shiftctl_invocations(outside[0]["run"])


def test_a_weekly_job_tests_the_newest_versions_without_constraints(workflows: Workflows) -> None:
    ci = workflows["ci.yml"]
    triggers = ci.get("on") or ci.get(True)
    assert [entry["cron"] for entry in triggers["schedule"]] == ["17 6 * * 1"]
    newest = ci["jobs"]["newest"]
    assert "schedule" in newest["if"]
    script = " ".join(step.get("run", "") for step in newest["steps"])
    assert "pip install -q --upgrade -e '.[test]'" in script
    assert "constraints" not in script
    assert ".venv/bin/python -m pytest" in script
    # The schedule runs only the drift job; the pinned jobs run on pushes and pull requests.
    for name in ("test", "readme", "wheel"):
        assert ci["jobs"][name]["if"] == "github.event_name != 'schedule'"
