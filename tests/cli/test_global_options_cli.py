"""Global options anywhere on the command line (kubectl's habit), -C DIR, shiftctl config,
shiftctl schema config and shell completion."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from reconciler.cli import cli, main
from reconciler.cli._state import DEFAULT_EMULATOR_DB
from reconciler.configfile import config_schema_path

ROOT = Path(__file__).resolve().parents[2]
SHIFTCTL = str(Path(sys.executable).parent / "shiftctl")


@pytest.fixture(autouse=True)
def project(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("FEISHU_APP_ID", "FEISHU_APP_SECRET", "FEISHU_ENDPOINT", "SHIFTCTL_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    shutil.copytree(ROOT / "shifts", tmp_path / "shifts")
    shutil.copy(ROOT / "shiftctl.yaml", tmp_path / "shiftctl.yaml")
    (tmp_path / ".git").mkdir()  # the repository root, where discovery stops
    monkeypatch.chdir(tmp_path)
    return tmp_path


def parsed(*args: str) -> dict[str, object]:
    """The root options click sees for ``shiftctl ARGS``."""
    with cli.make_context("shiftctl", list(args), resilient_parsing=False) as ctx:
        return dict(ctx.params)


@pytest.mark.parametrize(
    "args",
    [
        ("-v", "plan"),
        ("plan", "-v"),
        ("plan", "--verbose", "--format", "json"),
        ("flows", "query", "-v", "--user", "u1"),
    ],
)
def test_verbose_counts_wherever_it_is_written(args: tuple[str, ...]) -> None:
    assert parsed(*args)["verbose"] == 1


def test_short_flags_cluster_after_the_command() -> None:
    assert parsed("plan", "-vv", "--no-color")["verbose"] == 2
    assert parsed("plan", "-vv", "--no-color")["no_color"] is True


@pytest.mark.parametrize(
    ("args", "database"),
    [
        (("--emulator", "plan"), DEFAULT_EMULATOR_DB),
        (("plan", "--emulator"), DEFAULT_EMULATOR_DB),
        (("--emulator", "x.db", "plan"), "x.db"),
        (("plan", "--emulator=x.db"), "x.db"),
        # After the command a bare --emulator never takes the next word: plan.json is
        # apply's argument, the state is the default.
        (("apply", "--emulator", "plan.json"), DEFAULT_EMULATOR_DB),
        (("apply", "plan.json", "--emulator"), DEFAULT_EMULATOR_DB),
    ],
)
def test_emulator_with_or_without_its_database(args: tuple[str, ...], database: str) -> None:
    assert parsed(*args)["emulator_db"] == database


def test_a_value_of_the_commands_own_option_is_never_taken_for_a_global_one() -> None:
    # "-v" here is the user id given to --user, not verbosity.
    assert parsed("flows", "query", "--user", "-v", "--from", "x")["verbose"] == 0
    assert parsed("validate", "--", "-v")["verbose"] == 0


def test_values_of_global_options_after_the_command(project: Path) -> None:
    other = project / "other.yaml"
    other.write_text("concurrency: 2\n", encoding="utf-8")
    params = parsed("plan", "--config", str(other), "--endpoint=https://open.larksuite.com")
    assert params["config_path"] == str(other)
    assert params["endpoint"] == "https://open.larksuite.com"


def test_plan_with_the_emulator_after_the_command_converges(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["plan", "--emulator", "--detailed-exitcode"]) == 2
    assert main(["apply", "--auto-approve", "--emulator"]) == 0
    assert main(["plan", "--detailed-exitcode", "--emulator"]) == 0
    assert "No changes." in capsys.readouterr().out
    assert Path(DEFAULT_EMULATOR_DB).is_file()


def test_apply_a_saved_plan_named_after_a_bare_emulator(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["plan", "--emulator", "--out", "plan.json"]) == 0
    assert main(["apply", "--emulator", "plan.json"]) == 0
    assert "8 applied" in capsys.readouterr().out
    assert not Path("plan.json").with_suffix("").exists()


def test_help_says_global_options_work_after_the_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--help"]) == 0
    root = " ".join(capsys.readouterr().out.split())
    assert "may also be written after the command" in root
    assert "-C, --chdir DIR" in root
    assert main(["plan", "--help"]) == 0
    plan = " ".join(capsys.readouterr().out.split())
    assert "Global options (shiftctl --help) may stand before or after the command" in plan
    assert main(["flows", "import", "--help"]) == 0
    assert "may stand before or after" in " ".join(capsys.readouterr().out.split())


def test_chdir_runs_as_if_started_there(
    project: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    os.chdir(elsewhere)
    assert main(["-C", str(project), "validate"]) == 0
    assert "8 shifts in 7 files: no problems" in capsys.readouterr().out
    assert Path.cwd() == elsewhere, "main() puts the working directory back"
    assert main(["validate", "-C", str(project / "shifts")]) == 0  # found up the tree
    assert main(["-C", str(elsewhere / "missing"), "validate"]) == 1


def test_from_a_subfolder_the_projects_configuration_is_used(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "shiftctl.yaml").write_text("shifts: defs\n", encoding="utf-8")
    (project / "shifts").rename(project / "defs")
    os.chdir(project / "defs")
    assert main(["validate"]) == 0
    assert "8 shifts in 7 files" in capsys.readouterr().out


def test_config_prints_each_setting_and_where_it_came_from(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FEISHU_APP_SECRET", "very-secret-value")
    monkeypatch.setenv("FEISHU_ENDPOINT", "https://open.larksuite.com")
    os.chdir(project / "shifts")
    assert main(["config"]) == 0
    text = capsys.readouterr().out
    assert f"configuration file: {project / 'shiftctl.yaml'} (found from" in text
    lines = {line.split()[0]: line.split() for line in text.splitlines()[1:]}
    assert lines["endpoint"][1:] == ["https://open.larksuite.com", "FEISHU_ENDPOINT"]
    assert lines["guards.max_deletes"][2] == f"{project / 'shiftctl.yaml'}:26:16"
    assert lines["prune"][1:] == ["true", f"{project / 'shiftctl.yaml'}:18:8"]
    assert lines["app_secret"][1:] == ["(set)", "FEISHU_APP_SECRET"]
    assert "very-secret-value" not in text
    assert main(["--endpoint", "https://x.example", "config", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["settings"]["endpoint"] == {"value": "https://x.example", "from": "--endpoint"}
    assert document["settings"]["app_secret"]["value"] == "(set)"


def test_a_broken_configuration_lists_every_problem(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "shiftctl.yaml").write_text("guards:\n  max_deletes: 2.5\nprun: true\n")
    assert main(["config"]) == 1
    err = capsys.readouterr().err
    assert "shiftctl.yaml:2:16: guards.max_deletes: expected a whole number, got 2.5" in err
    assert "shiftctl.yaml:3:1: prun: unknown field (did you mean prune?)" in err
    assert "2 problems in the configuration" in err


def test_schema_config_prints_the_packaged_configuration_schema(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["schema", "config"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(config_schema_path().read_text(encoding="utf-8"))
    assert printed["title"] == "shiftctl.yaml"


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_a_script_for_each_shell(
    shell: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["completion", shell]) == 0
    script = capsys.readouterr().out
    assert "_SHIFTCTL_COMPLETE" in script
    assert f"{shell}_complete" in script


def test_completion_completes_commands_and_options_in_a_real_bash() -> None:
    bash = shutil.which("bash")
    assert bash is not None
    # bash calls the completion function with the program's name, as $1.
    ask = '_shiftctl_completion "$SHIFTCTL"; echo "${COMPREPLY[*]}"; COMPREPLY=()\n'
    probe = (
        'eval "$("$SHIFTCTL" completion bash)"\n'
        f"COMP_WORDS=(shiftctl pl); COMP_CWORD=1; {ask}"
        f"COMP_WORDS=(shiftctl plan --det); COMP_CWORD=2; {ask}"
        f'COMP_WORDS=(shiftctl plan --format ""); COMP_CWORD=3; {ask}'
    )
    result = subprocess.run(
        [bash, "-c", probe],
        env={**os.environ, "SHIFTCTL": SHIFTCTL},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["plan", "--detailed-exitcode", "text markdown json html"]


def test_completion_refuses_an_unknown_shell(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completion", "tcsh"]) == 1
    assert "tcsh" in capsys.readouterr().err


def test_the_root_options_are_the_ones_hoisted() -> None:
    # A new root option is hoisted too: the spec is read from the root command itself.
    from reconciler.cli._anywhere import GlobalSpec

    spec = GlobalSpec.of(cli)
    assert spec.with_value == {"-C", "--chdir", "--config", "--endpoint"}
    assert spec.optional_value == {"--emulator": DEFAULT_EMULATOR_DB}
    assert spec.flags == {"--no-color", "-v", "--verbose"}
    assert isinstance(cli, click.Group)
