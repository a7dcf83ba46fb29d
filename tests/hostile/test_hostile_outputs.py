"""Tenant data and file names through every output: no control or bidi character reaches a
terminal, a log or a PR comment raw, and no name breaks out of its Markdown.

The tenant (the emulator, a SQLite file) holds shifts, people and punches with hostile
names. Every ``--format`` choice of every command is found in the click tree and run, so a
new command, format or field is checked without a new test.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from hostile_support import (
    DAY,
    HOSTILE_NAMES,
    HOSTILE_USER,
    OFFICE,
    Tenant,
    hostile_shift,
    run,
    unsafe_in,
)

from reconciler.cli import cli
from reconciler.cli.console import Console
from reconciler.commands import read_plan
from reconciler.emulator import EmulatorConfig, create_app, serving
from reconciler.emulator.config import DEFAULT_APP_ID, DEFAULT_APP_SECRET
from reconciler.render import MARKER, render_markdown

# -- every --format of every command -------------------------------------------------


def format_choices(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    """(command path, format) for every ``--format`` choice in the click tree."""
    context = click.Context(group)
    for name in group.list_commands(context):  # the root imports its commands lazily
        command = group.get_command(context, name)
        assert command is not None, name
        path = (*prefix, name)
        if isinstance(command, click.Group):
            yield from format_choices(command, path)
        for param in command.params:
            if isinstance(param, click.Option) and "--format" in param.opts:
                assert isinstance(param.type, click.Choice), path
                yield from ((" ".join(path), str(choice)) for choice in param.type.choices)


Invocation = Callable[[Tenant, str], list[str]]

# How to run each command with a format on the hostile tenant; "shows" says whether the
# output must carry the hostile text (escaped), proving it was shown and not dropped.
# fmt: off
INVOCATIONS: dict[str, tuple[Invocation, bool]] = {
    "validate": (lambda t, f: ["validate", "badnames", "--format", f], True),
    "plan": (lambda t, f: ["--emulator", t.db, "plan", "--format", f], True),
    "show": (lambda t, f: ["show", t.plan_file, "--format", f], True),
    "shifts list": (lambda t, f: ["--emulator", t.db, "shifts", "list", "--format", f], True),
    "shifts get": (
        lambda t, f: ["--emulator", t.db, "shifts", "get", t.shift_id, "--format", f],
        True,
    ),
    "shifts query": (
        lambda t, f: ["--emulator", t.db, "shifts", "query", HOSTILE_NAMES[0], "--format", f],
        True,
    ),
    "flows get": (
        lambda t, f: ["--emulator", t.db, "flows", "get", t.record_id, "--format", f],
        True,
    ),
    "flows query": (
        lambda t, f: [
            "--emulator",
            t.db,
            "flows",
            "query",
            "--user",
            t.users(),
            "--from",
            DAY,
            "--to",
            DAY,
            "--format",
            f,
        ],
        True,
    ),
    "flows delete": (
        lambda t, f: [
            "--emulator",
            t.db,
            "flows",
            "delete",
            HOSTILE_USER,
            *HOSTILE_NAMES[:2],
            "--format",
            f,
        ],
        True,
    ),
    "flows import": (
        lambda t, f: [
            "--emulator",
            t.db,
            "flows",
            "import",
            str(_punch_file(t.root, f)),
            "--format",
            f,
            "--dry-run",
        ],
        True,
    ),
    # doctor reads the hostile tenant (its shifts and answers) and reports on it.
    "doctor": (lambda t, f: ["--emulator", t.db, "doctor", "--write-probe", "--format", f], False),
    # The effective settings name where each came from: a hostile value must show escaped.
    "config": (
        lambda t, f: ["--endpoint", "https://open.feishu.cn/\x1b]0;EVIL\x07", "config",
                      "--format", f],
        True,
    ),
    "tasks": (
        lambda t, f: [
            "--emulator",
            t.db,
            "tasks",
            "--user",
            t.users(),
            "--from",
            DAY,
            "--to",
            DAY,
            "--format",
            f,
        ],
        True,
    ),
}
# fmt: on


def _punch_file(root: Path, fmt: str) -> Path:
    """Rows in ``fmt`` whose users are unknown and whose texts are hostile."""
    rows = [
        {"user_id": name, "check_time": "2024-03-05T09:00:00+08:00", "location_name": name,
         "comment": name}
        for name in HOSTILE_NAMES
    ]  # fmt: skip
    path = root / f"hostile-rows.{fmt}"
    if fmt == "json":
        path.write_text(json.dumps(rows), encoding="utf-8")
    elif fmt == "ndjson":
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    else:
        import csv
        import io

        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")
    return path


CHOICES = sorted(set(format_choices(cli)))
INPUT_FORMATS = {"flows import"}  # --format names what is read, not what is printed


def test_every_command_with_a_format_has_a_hostile_invocation() -> None:
    commands = {command for command, _ in CHOICES}
    missing = sorted(commands - set(INVOCATIONS))
    assert missing == [], f"add an invocation to INVOCATIONS in {__file__} for {missing}"
    assert sorted(set(INVOCATIONS) - commands) == []


@pytest.mark.parametrize(("command", "fmt"), CHOICES, ids=lambda v: v.replace(" ", "-"))
def test_no_format_of_any_command_prints_a_control_or_bidi_character(
    tenant: Tenant, capsys: pytest.CaptureFixture[str], command: str, fmt: str
) -> None:
    invocation, shows = INVOCATIONS[command]
    code, out, err = run(capsys, *invocation(tenant, fmt))
    assert code in (0, 1, 2, 3, 4, 5)
    assert unsafe_in(out) is None, unsafe_in(out)
    assert unsafe_in(err) is None, unsafe_in(err)
    if shows:
        assert "EVIL" in out + err, (out, err)
    if fmt == "json" and command not in INPUT_FORMATS:
        json.loads(out)  # still one valid JSON document


def test_plan_text_in_colour_carries_only_its_own_escape_sequences(
    tenant: Tenant, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # As on a terminal: shiftctl colours, and click keeps every escape sequence.
    runner = CliRunner()
    for args in (["plan"], ["validate", "badnames"]):
        result = runner.invoke(
            cli, ["--emulator", tenant.db, *args], color=True, obj=Console(color=True)
        )
        out = result.stdout + result.stderr
        assert "\x1b[" in out, (args, "coloured")
        assert "EVIL" in out
        assert unsafe_in(out, colour=True) is None, unsafe_in(out, colour=True)


def test_apply_and_import_lines_escape_tenant_names(
    tenant: Tenant, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = str(tenant.root / "copy.sqlite3")
    shutil.copy(tenant.db, copy)
    code, out, err = run(
        capsys, "--emulator", copy, "apply", "--auto-approve", "--force",
        "--allow-delete", "EVIL protected",
    )  # fmt: skip
    # The plan reads the groups and stops the in-use delete, naming shift and group escaped.
    assert code == 3, err
    assert "'EVIL-esc\\x1b]0;pwned" in err
    assert unsafe_in(out + err) is None
    code, out, err = run(
        capsys, "--emulator", copy, "apply", "--auto-approve", "--force",
        "--allow-delete", "EVIL protected", "--no-usage",
    )  # fmt: skip
    # Unread, the shift the group uses fails at Feishu (its answer quoted, escaped); the
    # rest go.
    assert code == 5, err
    assert out.count("applied  - delete") == len(HOSTILE_NAMES)
    assert "failed   - delete 'EVIL-esc\\x1b]0;pwned" in out
    assert unsafe_in(out + err) is None
    shutil.copy(tenant.db, copy)
    code, out, err = run(capsys, "--emulator", copy, "import", "--out", "imported")
    assert "EVIL" in out
    assert unsafe_in(out + err) is None
    for written in (tenant.root / "imported").iterdir():
        assert unsafe_in(written.name) is None


# -- Markdown: a name never leaves its <code>, <summary> or the comment's structure ---


def _breakouts(markdown: str) -> list[str]:
    found = []
    if "<img" in markdown:
        found.append("an HTML tag")
    if "@octocat" in markdown:
        found.append("a mention")
    if "](https" in markdown or "https:" in markdown:
        found.append("a link")
    if "www.evil" in markdown:
        found.append("an autolink")
    if markdown.count("<!--") != 1 or markdown.count("-->") != 1:
        found.append("an HTML comment beside the marker")
    for tag in ("code", "summary", "details"):
        if markdown.count(f"<{tag}>") != markdown.count(f"</{tag}>"):
            found.append(f"an unbalanced <{tag}>")
    fences = [line for line in markdown.splitlines() if line.startswith("```")]
    if len(fences) % 2:
        found.append("an unclosed code fence")
    return found


def test_markdown_names_stay_inside_their_elements(
    tenant: Tenant, capsys: pytest.CaptureFixture[str]
) -> None:
    code, markdown, _ = run(capsys, "--emulator", tenant.db, "plan", "--format", "markdown")
    assert code == 3  # blocked: protected and too many deletes, the banner names them
    assert markdown.startswith(MARKER)
    assert "> [!CAUTION]" in markdown
    assert _breakouts(markdown) == []
    assert "&#60;img src=x onerror=alert(1)&#62;&#64;octocat" in markdown
    # The short form a long plan falls back to, and the guard banner, hold as well.
    short = render_markdown(read_plan(tenant.plan_file), limit=2500)
    assert "too long for one comment" in short
    assert _breakouts(short) == []
    assert unsafe_in(short) is None


def test_github_annotations_are_one_workflow_command_per_problem(
    tenant: Tenant, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "validate", "badnames", "--format", "github")
    _, as_json, _ = run(capsys, "validate", "badnames", "--format", "json")
    lines = out.splitlines()
    assert code == 1
    assert len(lines) == len(json.loads(as_json)["problems"])
    for line in lines:
        properties, _, message = line.removeprefix("::error ").partition("::")
        assert line.startswith("::error file=")
        assert "::" not in message.replace("%3A", "")
        assert re.fullmatch(r"file=[^,:]*(,line=\d+,col=\d+)?,title=[^,:]*", properties), line


# -- a tenant whose answers carry lone surrogates (a proxy rewrites the emulator's) ----


class _SurrogateProxy:
    """Answers as the emulator does, with every ``SURROGATE`` turned into ``\\ud83d``."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: Any, start_response: Any) -> list[bytes]:
        captured: list[Any] = []
        body = b"".join(self.app(environ, lambda s, h, e=None: captured.extend([s, h])))
        body = body.replace(b"SURROGATE", b"\\ud83d")
        headers = [(k, v) for k, v in captured[1] if k.lower() != "content-length"]
        start_response(captured[0], [*headers, ("Content-Length", str(len(body)))])
        return [body]


def test_lone_surrogates_from_the_tenant_are_shown_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "shifts").mkdir()
    (tmp_path / "shifts" / "office.yaml").write_text(json.dumps(OFFICE), encoding="utf-8")
    seed = {"shifts": [hostile_shift("EVIL SURROGATE"), hostile_shift("SURROGATE2")]}
    app = create_app(str(tmp_path / "t.sqlite3"), config=EmulatorConfig(rate_limit=0), seed=seed)
    monkeypatch.setenv("FEISHU_APP_ID", DEFAULT_APP_ID)
    monkeypatch.setenv("FEISHU_APP_SECRET", DEFAULT_APP_SECRET)
    with serving(_SurrogateProxy(app)) as url:  # type: ignore[arg-type]
        outputs = []
        for fmt in ("table", "json", "yaml"):
            outputs.append(run(capsys, "--endpoint", url, "shifts", "list", "--format", fmt))
        for fmt in ("text", "markdown", "json"):
            outputs.append(run(capsys, "--endpoint", url, "plan", "--format", fmt, "--out", "p"))
        outputs.append(run(capsys, "--endpoint", url, "show", "p", "--format", "text"))
        args = ("apply", "--auto-approve", "--force", "--report", "report.json")
        outputs.append(run(capsys, "--endpoint", url, *args))
    app.close()
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert "EVIL \ud83d" in {o["shift_name"] for o in report["operations"]}
    for code, out, err in outputs:
        assert code in (0, 3), err
        assert unsafe_in(out + err) is None
        assert "\\ud83d" in out or "&#92;ud83d" in out, out
    assert json.loads((tmp_path / "p").read_text(encoding="utf-8"))["changes"]


def test_debug_logs_escape_what_the_tenant_says(
    tenant: Tenant, capsys: pytest.CaptureFixture[str]
) -> None:
    for args in (["plan"], ["shifts", "list"], ["tasks", "--user", tenant.users(),
                 "--from", DAY, "--to", DAY]):  # fmt: skip
        _, out, err = run(capsys, "-vv", "--emulator", tenant.db, *args)
        assert "DEBUG" in err
        assert "EVIL" in err  # the answers are logged, names and all
        assert unsafe_in(out) is None
        assert unsafe_in(err) is None, unsafe_in(err)
