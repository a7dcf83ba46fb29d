"""The expression subset the workflow simulator evaluates, checked against GitHub's rules."""

from __future__ import annotations

import pytest
from actions_sim import Context, evaluate, substitute
from ci_support import load_action, load_workflow, workflow_paths

CONTEXT = Context(
    {
        "github.event_name": "push",
        "github.ref": "refs/heads/main",
        "github.repository": "acme/attendance",
        "steps.compare.outputs.decision": "apply",
        "__job_failed__": "false",
    }
)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("github.event_name == 'push'", True),
        ("github.event_name == 'PUSH'", True),  # string comparison ignores case
        ("github.event_name != 'push'", False),
        ("github.ref == 'refs/heads/main' && (github.event_name == 'push' || false)", True),
        ("false || github.event_name == 'push' && false", False),  # && binds tighter
        ("!(github.event_name == 'push')", False),
        ("steps.never.outputs.value == ''", True),  # an unset output reads as ''
        ("github.event.pull_request.head.repo.full_name == github.repository", False),
        ("always() && steps.compare.outputs.decision == 'apply'", True),
        ("failure()", False),
    ],
)
def test_expressions_evaluate_as_on_github(expression: str, expected: bool) -> None:
    assert bool(evaluate(expression, CONTEXT)) is expected


def test_an_unknown_context_or_construct_is_an_error_not_a_guess() -> None:
    with pytest.raises(KeyError):
        evaluate("runner.os == 'Linux'", CONTEXT)
    with pytest.raises(ValueError, match="cannot evaluate"):
        evaluate("contains(github.ref, 'main')", CONTEXT)


def test_substitute_fills_every_expression() -> None:
    text = "${{ github.repository }}@${{ steps.compare.outputs.decision }}"
    assert substitute(text, CONTEXT) == "acme/attendance@apply"


def test_every_condition_in_the_workflows_is_understood() -> None:
    # Any field a condition may read resolves, so the check is on syntax alone.
    class Anything(Context):
        def __missing__(self, key: str) -> str:
            return ""

    for path in workflow_paths():
        for job in load_workflow(path)["jobs"].values():
            for condition in [job.get("if"), *(step.get("if") for step in job["steps"])]:
                if condition is not None:
                    evaluate(condition, Anything())
    action = load_action()
    for step in action["runs"]["steps"]:
        if "if" in step:
            evaluate(step["if"], Anything())
