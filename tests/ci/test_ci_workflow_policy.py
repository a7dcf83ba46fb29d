"""The workflows and the action keep the promises of the pull-request flow: pinned actions,
least privilege, no secrets for forks, secrets only in step environments, applies that never
overlap and only follow a reviewed plan whose checksum is checked to be one."""

from __future__ import annotations

import re
from typing import Any

import pytest
from ci_support import ACTION_FILE, load_action, run_steps, workflow_paths
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
# The shift flow, as this repository runs it and as others call it.
FLOWS = ("shifts.yml", "shiftctl.yml")
# This repository's own action, as the reusable workflow names it (it cannot pin its own ref).
SELF = re.compile(r"^shiftctl/shiftctl@v\d+$")


def _uses_lines() -> list[tuple[str, int, str, str]]:
    found = []
    for path in [*workflow_paths(), ACTION_FILE]:
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            match = _USES.match(line)
            if match and match["ref"] != "./" and not SELF.match(match["ref"]):
                found.append((path.name, number, match["ref"], match["comment"]))
    return found


def _action_steps(workflows: Workflows, name: str, job: str) -> list[dict[str, Any]]:
    """The steps of ``job`` that are this repository's action."""
    return [
        step
        for step in workflows[name]["jobs"][job]["steps"]
        if step.get("uses") == "./" or SELF.match(step.get("uses", ""))
    ]


def _inner(name: str) -> dict[str, Any]:
    """The action's step called ``name``."""
    (step,) = [s for s in load_action()["runs"]["steps"] if s.get("name") == name]
    return step


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


def test_the_reusable_workflow_names_its_own_action_by_major_release(workflows: Workflows) -> None:
    refs = {ref for _, _, ref, _ in _self_uses()}
    assert refs == {"shiftctl/shiftctl@v1"}
    assert {workflow for workflow, _, _, _ in _self_uses()} == {"shiftctl.yml"}


def _self_uses() -> list[tuple[str, int, str, str]]:
    found = []
    for path in [*workflow_paths(), ACTION_FILE]:
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            match = _USES.match(line)
            if match and SELF.match(match["ref"]):
                found.append((path.name, number, match["ref"], match["comment"]))
    return found


@pytest.mark.parametrize("flow", FLOWS)
def test_shift_jobs_ask_only_for_what_they_need(workflows: Workflows, flow: str) -> None:
    shifts = workflows[flow]
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


@pytest.mark.parametrize("flow", FLOWS)
def test_each_shift_job_is_one_step_of_the_action(workflows: Workflows, flow: str) -> None:
    for job in ("validate", "plan", "apply"):
        (step,) = _action_steps(workflows, flow, job)
        assert step["with"]["command"] == job
        kinds = [
            s.get("uses", "run").partition("@")[0] for s in workflows[flow]["jobs"][job]["steps"]
        ]
        assert kinds == ["actions/checkout", step["uses"].partition("@")[0]], flow
    uses = {_action_steps(workflows, flow, "plan")[0]["uses"]}
    assert uses == ({"./"} if flow == "shifts.yml" else {"shiftctl/shiftctl@v1"})


def test_the_action_has_the_inputs_and_outputs_others_rely_on() -> None:
    action = load_action()
    assert action["runs"]["using"] == "composite"
    assert list(action["inputs"]) == [
        "command",
        "working-directory",
        "version",
        "args",
        "github-token",
    ]
    assert action["inputs"]["command"]["required"] is True
    assert list(action["outputs"]) == ["exitcode", "has-changes", "plan-path", "markdown-path"]


def test_the_action_never_sees_secrets_and_hands_none_to_other_actions() -> None:
    action = load_action()
    assert "secrets." not in str(action)
    for step in action["runs"]["steps"]:
        if "uses" in step:
            env = step.get("env", {})
            assert env.get("FEISHU_APP_ID") == "", step
            assert env.get("FEISHU_APP_SECRET") == "", step


def test_the_reviewed_checksum_is_checked_to_be_hex_before_any_use() -> None:
    script = _inner("Compare with the reviewed plan")["run"]
    assert "form='^sha256:[0-9a-f]{64}$'" in script
    read = script.index("reviewed=$(jq -r '.checksum' \"$OUT/reviewed/plan.json\"")
    checked = script.index('if ! [[ "$reviewed" =~ $form ]]; then', read)
    # Between reading it and checking it, nothing else touches the value.
    assert script[read:checked].count("$reviewed") == 0
    assert script.index("$reviewed", read) == checked + len('if ! [[ "')
    approved = script.index('reviewed="$APPROVED_CHECKSUM"')
    assert script.index('if ! [[ "$reviewed" =~ $form ]]; then', approved) < read


def test_shift_workflow_runs_on_shift_changes_only(workflows: Workflows) -> None:
    assert "workflow_call" in workflows["shiftctl.yml"]["on"]
    on = workflows["shifts.yml"]["on"]
    assert on["pull_request"]["paths"] == _SHIFT_PATHS
    assert on["push"] == {"branches": ["main"], "paths": _SHIFT_PATHS}
    assert on["workflow_dispatch"]["inputs"]["approved_checksum"]["required"] is True


@pytest.mark.parametrize("flow", FLOWS)
def test_forks_are_validated_but_never_planned(workflows: Workflows, flow: str) -> None:
    jobs = workflows[flow]["jobs"]
    assert "if" not in jobs["validate"], "validation must run for every pull request"
    assert _SAME_REPOSITORY in " ".join(jobs["plan"]["if"].split())


def test_secrets_reach_only_the_jobs_that_talk_to_feishu(workflows: Workflows) -> None:
    for name, workflow in workflows.items():
        for job_id, job in workflow["jobs"].items():
            secrets = set(re.findall(r"secrets\.(\w+)", str(job)))
            expected = (
                {"FEISHU_APP_ID", "FEISHU_APP_SECRET"} if job_id in ("plan", "apply") else set()
            )
            assert secrets == (expected if name in FLOWS else set()), f"{name}:{job_id}"


def test_secrets_are_passed_through_step_environment_not_script_text(
    workflows: Workflows,
) -> None:
    for step in run_steps():
        assert "secrets." not in step.script, step.where
    for name, workflow in workflows.items():
        for job_id, job in workflow["jobs"].items():
            outside = {k: v for k, v in job.items() if k != "steps"}
            assert "secrets." not in str(outside), f"{name}:{job_id}"
            for step in job.get("steps", []):
                assert "secrets." not in str({k: v for k, v in step.items() if k != "env"})


def test_no_expression_is_pasted_into_a_script() -> None:
    # Values reach scripts through env: pasted into the text, a branch name or a file name
    # from a pull request could run as shell.
    for step in run_steps():
        assert "${{" not in step.script, step.where


@pytest.mark.parametrize("flow", FLOWS)
def test_endpoint_comes_from_a_repository_variable(workflows: Workflows, flow: str) -> None:
    for job_id in ("plan", "apply"):
        job = workflows[flow]["jobs"][job_id]
        for step in job["steps"]:
            env = step.get("env", {})
            if "FEISHU_APP_SECRET" in env:
                assert env["FEISHU_ENDPOINT"] == "${{ vars.FEISHU_ENDPOINT }}", step


@pytest.mark.parametrize("flow", FLOWS)
def test_applies_never_overlap_or_get_cancelled(workflows: Workflows, flow: str) -> None:
    apply = workflows[flow]["jobs"]["apply"]
    assert apply["concurrency"]["cancel-in-progress"] is False
    assert "${{" not in apply["concurrency"]["group"].replace("${{ github.repository }}", "")
    if flow == "shifts.yml":
        assert "github.ref == 'refs/heads/main'" in apply["if"]
        assert apply["environment"] == "feishu"
    else:
        assert "github.ref_name == inputs.branch" in apply["if"]
        assert apply["environment"] == "${{ inputs.environment }}"
        called = workflows[flow]["on"]["workflow_call"]["inputs"]
        assert (called["branch"]["default"], called["environment"]["default"]) == (
            "main",
            "feishu",
        )


def test_pull_request_plans_markdown_into_a_sticky_comment_and_an_artifact() -> None:
    plan = _inner("Plan")
    assert plan["if"] == "inputs.command == 'plan'"
    calls = shiftctl_invocations(plan["run"])
    assert [call[:2] for call in calls] == [("--no-color", "plan")]
    assert "--detailed-exitcode" in calls[0]
    assert calls[0][calls[0].index("--format") + 1] == "markdown"
    sticky = _inner("Post the plan on the pull request")
    assert sticky["uses"].startswith("marocchino/sticky-pull-request-comment@")
    assert sticky["with"]["header"] == "shiftctl-plan"
    assert "github.event_name == 'pull_request'" in sticky["if"]
    upload = _inner("Keep the plan for the apply on main")
    assert upload["with"]["name"] == "shiftctl-plan"
    assert "plan.json" in upload["with"]["path"]
    assert "GITHUB_STEP_SUMMARY" in plan["run"]


def test_main_applies_only_the_reviewed_plan() -> None:
    download = _inner("Download the reviewed plan")
    assert download["with"]["name"] == "shiftctl-plan"
    assert download["with"]["run-id"] == "${{ steps.reviewed.outputs.run-id }}"
    compare = _inner("Compare with the reviewed plan")["run"]
    assert "jq -r '.checksum' \"$OUT/plan.json\"" in compare
    assert "jq -r '.checksum' \"$OUT/reviewed/plan.json\"" in compare
    apply = _inner("Apply")
    assert apply["if"] == "inputs.command == 'apply' && steps.compare.outputs.decision == 'apply'"
    assert shiftctl_invocations(apply["run"]) == [
        ("--no-color", "apply", "$OUT/plan.json", "--report", "$OUT/report.json")
    ]
    assert "GITHUB_STEP_SUMMARY" in apply["run"]
    refused = "steps.compare.outputs.decision == 'refuse'"
    assert refused in _inner("Post the new plan on the merged pull request")["if"]
    verdict = _inner("Fail unless shiftctl succeeded")
    assert verdict["if"] == "always()"
    assert '[ "$DECISION" = refuse ]' in verdict["run"]


def test_releases_are_built_checked_and_published_by_trusted_publishing(
    workflows: Workflows,
) -> None:
    release = workflows["release.yml"]
    assert release["on"] == {"push": {"tags": ["v[0-9]*"]}}
    assert release["permissions"] == {}
    build, publish = release["jobs"]["build"], release["jobs"]["publish"]
    assert build["permissions"] == {"contents": "read"}
    checkout = build["steps"][0]
    assert checkout["with"]["fetch-depth"] == 0  # setuptools-scm needs the tag
    scripts = " ".join(step.get("run", "") for step in build["steps"])
    assert "python -m build --outdir dist" in scripts
    assert "twine check --strict dist/*" in scripts
    assert publish["needs"] == "build"
    assert publish["permissions"] == {"id-token": "write"}  # no token, no password
    assert publish["environment"]["name"] == "pypi"
    assert publish["steps"][-1]["uses"].startswith("pypa/gh-action-pypi-publish@")
    assert "with" not in publish["steps"][-1], "trusted publishing takes no credentials"


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
