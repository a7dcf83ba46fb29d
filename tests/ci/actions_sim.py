"""Runs a workflow job's steps on this machine the way a GitHub runner would.

``run:`` steps execute for real in bash (``bash -e``, with ``GITHUB_OUTPUT`` and
``GITHUB_STEP_SUMMARY``); a composite action of this repository (``uses: ./``) runs its
own steps the same way, with its inputs, outputs and the calling step's env; other
``uses:`` steps are handed to stand-ins for GitHub itself (comments, artifacts, API
answers), the one thing these tests cannot reach.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ActionHandler = Callable[[Mapping[str, str]], dict[str, str]]

_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}", re.DOTALL)
_TOKEN = re.compile(r"\s*(?:(?P<str>'[^']*')|(?P<op>==|!=|&&|\|\||[!()])|(?P<path>[\w.-]+))")


class ActionFailed(Exception):
    """A stand-in action reports failure, as the real one would fail its step."""


class Context(dict[str, str]):
    """Expression values by path. Like GitHub, a step output, an input or an event field that
    is not there reads as ''."""

    def __missing__(self, key: str) -> str:
        if key.startswith(("steps.", "inputs.", "github.event.", "env.")):
            return ""
        raise KeyError(f"the simulated context has no {key!r}")


@dataclass(frozen=True, slots=True)
class StepResult:
    outcome: str  # success | failure | skipped
    outputs: dict[str, str]
    log: str = ""
    inner: dict[str, StepResult] = field(default_factory=dict)  # a composite action's steps


@dataclass
class JobRun:
    """The outcome of one job: per step id (or name), and the step summary it wrote."""

    steps: dict[str, StepResult] = field(default_factory=dict)
    summary: str = ""
    skipped: bool = False
    failed: bool = False  # a step failed that was not allowed to (continue-on-error)

    @property
    def succeeded(self) -> bool:
        return not self.skipped and not self.failed


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
    """Runs jobs in ``workspace`` with ``context`` (github.*, secrets.*, vars.*, inputs.*).

    ``composites`` maps an action (``./``, or its published name) to the folder of its
    ``action.yml``, whose steps then run here too.
    """

    workspace: Path
    context: dict[str, str]
    actions: dict[str, ActionHandler]
    skip_steps: frozenset[str] = frozenset()
    path: str = os.environ.get("PATH", "")
    composites: dict[str, Path] = field(default_factory=dict)

    def run_job(self, workflow: Mapping[str, Any], job_id: str) -> JobRun:
        job = workflow["jobs"][job_id]
        context = Context(self.context)
        context.update({f"env.{k}": str(v) for k, v in workflow.get("env", {}).items()})
        context.setdefault("runner.temp", str(self.workspace / ".runner-temp"))
        run = JobRun()
        if "if" in job and not evaluate(job["if"], context):
            run.skipped = True
            return run
        summary = self.workspace / ".github-step-summary"
        summary.write_text("")
        (self.workspace / ".runner-temp").mkdir(exist_ok=True)
        run.steps, run.failed = self._steps(job["steps"], context, summary, {})
        run.summary = summary.read_text()
        return run

    def _steps(
        self,
        steps: list[Mapping[str, Any]],
        context: Context,
        summary: Path,
        inherited_env: Mapping[str, str],
    ) -> tuple[dict[str, StepResult], bool]:
        results: dict[str, StepResult] = {}
        failed = False
        for number, step in enumerate(steps, start=1):
            key = step.get("id") or step.get("name") or f"step {number}"
            result = self._step(step, context, summary, failed, inherited_env)
            results[key] = result
            # A composite's own steps, by id or name, beside it (the tests look them up).
            results.update({k: v for k, v in result.inner.items() if k not in results})
            if "id" in step:
                context[f"steps.{step['id']}.outcome"] = result.outcome
                for name, value in result.outputs.items():
                    context[f"steps.{step['id']}.outputs.{name}"] = value
            failed = failed or (result.outcome == "failure" and not step.get("continue-on-error"))
        return results, failed

    def _step(
        self,
        step: Mapping[str, Any],
        context: Context,
        summary: Path,
        failed: bool,
        inherited_env: Mapping[str, str],
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
        env = {**inherited_env}
        env.update({k: substitute(str(v), context) for k, v in step.get("env", {}).items()})
        if "uses" in step:
            action = step["uses"].partition("@")[0]
            given = {k: substitute(str(v), context) for k, v in step.get("with", {}).items()}
            if action in self.composites:
                return self._composite(self.composites[action], given, env, context, summary)
            try:
                return StepResult("success", self.actions[action](given))
            except ActionFailed as error:
                return StepResult("failure", {}, str(error))
        return self._shell(step, context, summary, env)

    def _composite(
        self,
        folder: Path,
        given: Mapping[str, str],
        env: Mapping[str, str],
        outer: Context,
        summary: Path,
    ) -> StepResult:
        """A composite action: its inputs (with defaults), its steps, then its outputs."""
        action = yaml.safe_load((folder / "action.yml").read_text(encoding="utf-8"))
        unknown = set(given) - set(action.get("inputs", {}))
        if unknown:
            return StepResult("failure", {}, f"unexpected inputs {sorted(unknown)}")
        # An action sees github.*, runner.*, vars.*: never the caller's secrets or steps.
        context = Context(
            {k: v for k, v in outer.items() if k.startswith(("github.", "runner.", "vars."))}
        )
        context["github.action_path"] = str(folder)
        for name, spec in action.get("inputs", {}).items():
            if name in given:
                context[f"inputs.{name}"] = given[name]
            elif spec.get("required"):
                return StepResult("failure", {}, f"input {name} is required")
            else:
                context[f"inputs.{name}"] = substitute(str(spec.get("default", "")), outer)
        inner, failed = self._steps(action["runs"]["steps"], context, summary, env)
        outputs = {
            name: substitute(str(spec["value"]), context)
            for name, spec in action.get("outputs", {}).items()
        }
        log = "".join(result.log for result in inner.values())
        return StepResult("failure" if failed else "success", outputs, log, inner)

    def _shell(
        self, step: Mapping[str, Any], context: Context, summary: Path, step_env: dict[str, str]
    ) -> StepResult:
        outputs = self.workspace / ".github-output"
        outputs.write_text("")
        env = {
            "PATH": self.path,
            "HOME": os.environ.get("HOME", "/tmp"),
            "GITHUB_OUTPUT": str(outputs),
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_SHA": context["github.sha"],
            "GITHUB_WORKFLOW": context["github.workflow"],
            "RUNNER_TEMP": str(self.workspace / ".runner-temp"),
        }
        env.update(step_env)
        # GitHub runs `shell: bash` as bash -eo pipefail, a workflow's default as bash -e.
        shell = ["bash", "-e", "-o", "pipefail"] if step.get("shell") == "bash" else ["bash", "-e"]
        cwd = self.workspace / substitute(str(step.get("working-directory", ".")), context)
        result = subprocess.run(
            [*shell, "-c", substitute(step["run"], context)],
            cwd=cwd,
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
