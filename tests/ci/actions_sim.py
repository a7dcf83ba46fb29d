"""Runs a workflow job's steps on this machine the way a GitHub runner would.

``run:`` steps execute for real in bash (``bash -e``, with ``GITHUB_OUTPUT`` and
``GITHUB_STEP_SUMMARY``); ``uses:`` steps are handed to stand-ins for GitHub itself
(comments, artifacts, API answers), the one thing these tests cannot reach.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ActionHandler = Callable[[Mapping[str, str]], dict[str, str]]

_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}", re.DOTALL)
_TOKEN = re.compile(r"\s*(?:(?P<str>'[^']*')|(?P<op>==|!=|&&|\|\||[!()])|(?P<path>[\w.-]+))")


class ActionFailed(Exception):
    """A stand-in action reports failure, as the real one would fail its step."""


class Context(dict[str, str]):
    """Expression values by path. Like GitHub, a step output, an input or an event field that
    is not there reads as ''."""

    def __missing__(self, key: str) -> str:
        if key.startswith(("steps.", "inputs.", "github.event.")):
            return ""
        raise KeyError(f"the simulated context has no {key!r}")


@dataclass(frozen=True, slots=True)
class StepResult:
    outcome: str  # success | failure | skipped
    outputs: dict[str, str]
    log: str = ""


@dataclass
class JobRun:
    """The outcome of one job: per step id (or name), and the step summary it wrote."""

    steps: dict[str, StepResult] = field(default_factory=dict)
    summary: str = ""
    skipped: bool = False

    @property
    def succeeded(self) -> bool:
        return not self.skipped and all(r.outcome != "failure" for r in self.steps.values())


_STATUS_FUNCTIONS = ("always", "success", "failure")
_JOB_FAILED = "__job_failed__"


def evaluate(expression: str, context: Mapping[str, str]) -> Any:
    """The subset of GitHub's expression language the workflows use: paths, '...' strings,
    == != && || ! parentheses and always()/success()/failure(). Anything else raises, so a
    new construct is noticed."""
    tokens = _tokens(expression)
    value, rest = _or(tokens, context)
    if rest:
        raise ValueError(f"cannot evaluate {expression!r}: unexpected {rest[0]!r}")
    return value


def _tokens(expression: str) -> list[str]:
    tokens, position = [], 0
    expression = expression.strip()
    while position < len(expression):
        match = _TOKEN.match(expression, position)
        if not match or match.end() == position:
            raise ValueError(f"cannot evaluate {expression!r} at {position}")
        tokens.append(match.group().strip())
        position = match.end()
    return [t for t in tokens if t]


def _or(tokens: list[str], context: Mapping[str, str]) -> tuple[Any, list[str]]:
    left, tokens = _and(tokens, context)
    while tokens[:1] == ["||"]:
        right, tokens = _and(tokens[1:], context)
        left = left or right
    return left, tokens


def _and(tokens: list[str], context: Mapping[str, str]) -> tuple[Any, list[str]]:
    left, tokens = _comparison(tokens, context)
    while tokens[:1] == ["&&"]:
        right, tokens = _comparison(tokens[1:], context)
        left = left and right
    return left, tokens


def _comparison(tokens: list[str], context: Mapping[str, str]) -> tuple[Any, list[str]]:
    left, tokens = _unary(tokens, context)
    if tokens[:1] in (["=="], ["!="]):
        operator = tokens[0]
        right, tokens = _unary(tokens[1:], context)
        # GitHub compares strings case-insensitively.
        same = str(left).lower() == str(right).lower()
        return (same if operator == "==" else not same), tokens
    return left, tokens


def _unary(tokens: list[str], context: Mapping[str, str]) -> tuple[Any, list[str]]:
    head, rest = tokens[0], tokens[1:]
    if head == "!":
        value, rest = _unary(rest, context)
        return not value, rest
    if head == "(":
        value, rest = _or(rest, context)
        if rest[:1] != [")"]:
            raise ValueError("unbalanced parentheses")
        return value, rest[1:]
    if head in _STATUS_FUNCTIONS and rest[:2] == ["(", ")"]:
        failed = context.get(_JOB_FAILED) == "true"
        return {"always": True, "success": not failed, "failure": failed}[head], rest[2:]
    if head.startswith("'"):
        return head[1:-1], rest
    if head in ("true", "false"):
        return head == "true", rest
    return context[head], rest


def substitute(text: str, context: Mapping[str, str]) -> str:
    """Replace every ``${{ … }}`` in ``text`` by its value."""
    return _EXPRESSION.sub(lambda m: str(evaluate(m.group(1), context)), text)


@dataclass
class Runner:
    """Runs jobs in ``workspace`` with ``context`` (github.*, secrets.*, vars.*, inputs.*)."""

    workspace: Path
    context: dict[str, str]
    actions: dict[str, ActionHandler]
    skip_steps: frozenset[str] = frozenset()
    path: str = os.environ.get("PATH", "")

    def run_job(self, workflow: Mapping[str, Any], job_id: str) -> JobRun:
        job = workflow["jobs"][job_id]
        context = Context(self.context)
        context.update({f"env.{k}": str(v) for k, v in workflow.get("env", {}).items()})
        run = JobRun()
        if "if" in job and not evaluate(job["if"], context):
            run.skipped = True
            return run
        summary = self.workspace / ".github-step-summary"
        summary.write_text("")
        failed = False
        for number, step in enumerate(job["steps"], start=1):
            key = step.get("id") or step.get("name") or f"step {number}"
            result = self._step(step, context, summary, failed)
            run.steps[key] = result
            if "id" in step:
                context[f"steps.{step['id']}.outcome"] = result.outcome
                for name, value in result.outputs.items():
                    context[f"steps.{step['id']}.outputs.{name}"] = value
            failed = failed or (result.outcome == "failure" and not step.get("continue-on-error"))
        run.summary = summary.read_text()
        return run

    def _step(
        self, step: Mapping[str, Any], context: Context, summary: Path, failed: bool
    ) -> StepResult:
        if step.get("name") in self.skip_steps:
            return StepResult("skipped", {})
        condition = str(step.get("if", "success()"))
        # Without a status function, a step runs only while nothing has failed.
        if not any(f"{name}()" in condition.replace(" ", "") for name in _STATUS_FUNCTIONS):
            condition = f"success() && ({condition})"
        context[_JOB_FAILED] = "true" if failed else "false"
        if not evaluate(condition, context):
            return StepResult("skipped", {})
        if "uses" in step:
            action = step["uses"].partition("@")[0]
            given = {k: substitute(str(v), context) for k, v in step.get("with", {}).items()}
            try:
                return StepResult("success", self.actions[action](given))
            except ActionFailed as error:
                return StepResult("failure", {}, str(error))
        return self._shell(step, context, summary)

    def _shell(self, step: Mapping[str, Any], context: Context, summary: Path) -> StepResult:
        outputs = self.workspace / ".github-output"
        outputs.write_text("")
        env = {
            "PATH": self.path,
            "HOME": os.environ.get("HOME", "/tmp"),
            "GITHUB_OUTPUT": str(outputs),
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_SHA": context["github.sha"],
            "GITHUB_WORKFLOW": context["github.workflow"],
        }
        env.update({k: substitute(str(v), context) for k, v in step.get("env", {}).items()})
        result = subprocess.run(
            ["bash", "-e", "-c", substitute(step["run"], context)],
            cwd=self.workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        parsed = dict(
            line.split("=", 1) for line in outputs.read_text().splitlines() if "=" in line
        )
        outcome = "success" if result.returncode == 0 else "failure"
        return StepResult(outcome, parsed, result.stdout + result.stderr)
