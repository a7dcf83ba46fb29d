"""The root command imports no subcommand until one runs, and its listing tells the truth."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from reconciler.cli import cli, main
from reconciler.cli._lazy import SUBCOMMANDS

ROOT = Path(__file__).parents[2]
HEAVY = ("werkzeug", "deepdiff", "httpx", "jsonschema", "sqlite3", "reconciler.emulator")


def _loaded_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint('\\n'.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return set(result.stdout.split())


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY or m.startswith(HEAVY))


def test_importing_the_cli_loads_none_of_the_heavy_libraries() -> None:
    assert _heavy(_loaded_after("import reconciler.cli")) == []


def test_global_options_after_a_command_load_only_that_command() -> None:
    code = (
        "from reconciler.cli import cli\n"
        "cli.make_context('shiftctl', ['validate', '-v', '--no-color', 'x.yaml'])"
    )
    loaded = _loaded_after(code)
    assert "reconciler.cli.definitions" in loaded
    assert not {"reconciler.cli.engine", "reconciler.cli.flows", "reconciler.emulator"} & loaded


def test_plan_connects_before_it_loads_the_engine_or_the_yaml_reader() -> None:
    # All that runs before plan's first request; the rest is imported while it waits.
    code = (
        "from reconciler.cli import cli\n"
        "import reconciler.commands\n"
        "cli.make_context('shiftctl', ['plan', '--no-usage'])\n"
    )
    loaded = _loaded_after(code)
    assert {"httpx", "reconciler.cli.engine", "reconciler.feishu.client"} <= loaded
    later = ("yaml", "jsonschema", "reconciler.plan", "reconciler.apply",
             "reconciler.definitions", "reconciler.render", "reconciler.usage",
             "reconciler.feishu.groups")  # fmt: skip
    assert sorted(m for m in loaded if m in later) == []


def test_the_pytest_plugin_loads_nothing_heavy() -> None:
    # pytest imports it in every session of an environment that has shiftctl.
    loaded = _loaded_after("import reconciler.pytest_plugin")
    assert _heavy(loaded) == []
    light = {"reconciler.pytest_plugin", "reconciler._version"}
    assert [m for m in loaded if m.startswith("reconciler.") and m not in light] == []


def test_root_help_loads_no_subcommand() -> None:
    code = (
        "from reconciler.cli import main\n"
        "import contextlib, io\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['--help'])"
    )
    loaded = _loaded_after(code)
    assert _heavy(loaded) == []
    root_modules = {"reconciler.cli._lazy", "reconciler.cli._anywhere"}
    assert sorted(
        m for m in loaded if m.startswith("reconciler.cli.") and m not in root_modules
    ) == ["reconciler.cli._state", "reconciler.cli.console"]


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_the_listing_is_each_commands_own_first_paragraph(name: str) -> None:
    command = cli.get_command(click.Context(cli), name)
    assert command is not None
    first = " ".join((command.help or "").split("\n\n")[0].split())
    assert SUBCOMMANDS[name].short_help == first


def test_every_subcommand_is_listed_and_runs_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    listing = capsys.readouterr().out
    for name in SUBCOMMANDS:
        assert f"  {name} " in listing
        assert main([name, "--help"]) == 0
        assert f"shiftctl {name} [OPTIONS]" in capsys.readouterr().out
    assert main(["no-such-command"]) == 1


def _validate_in_a_subprocess(folder: Path) -> tuple[int, set[str]]:
    code = (
        "import contextlib, io, os, sys\n"
        f"os.chdir({str(folder)!r})\n"
        "from reconciler.cli import main\n"
        "out, err = io.StringIO(), io.StringIO()\n"
        "with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):\n"
        "    code = main(['validate', 'shifts'])\n"
        "print(code)"
    )
    lines = sorted(_loaded_after(code))
    codes = [line for line in lines if line.isdigit()]
    return int(codes[0]), set(lines)


def test_validating_good_files_loads_no_heavy_library(tmp_path: Path) -> None:
    # What a pre-commit hook runs: the configuration and the files are read, and the
    # compiled fast path says yes, so jsonschema is never imported.
    shutil.copy(ROOT / "shiftctl.yaml", tmp_path / "shiftctl.yaml")
    shutil.copytree(ROOT / "shifts", tmp_path / "shifts")
    code, loaded = _validate_in_a_subprocess(tmp_path)
    assert code == 0
    assert _heavy(loaded) == []


def test_a_broken_file_loads_jsonschema_to_explain_itself(tmp_path: Path) -> None:
    (tmp_path / "shifts").mkdir()
    (tmp_path / "shifts" / "bad.yaml").write_text("shift_name: X\npunch_times: 9\n")
    code, loaded = _validate_in_a_subprocess(tmp_path)
    assert code == 1
    assert "jsonschema" in loaded
    assert not {"httpx", "deepdiff", "werkzeug"} & {m.split(".")[0] for m in loaded}
