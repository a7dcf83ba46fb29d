"""shiftctl init: a company's repository from nothing, never overwriting what is there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from reconciler import __version__
from reconciler.cli import cli, main
from reconciler.config import Settings, load_settings
from reconciler.definitions import schema_path
from reconciler.emulator import create_app

ROOT = Path(__file__).parents[2]
FILES = [
    "shiftctl.yaml",
    "shifts/README.md",
    ".pre-commit-config.yaml",
    ".github/workflows/shifts.yml",
    "schema/shift.schema.json",
    "schema/config.schema.json",
]


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def workflow(path: Path) -> dict[str, object]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as true
    return data


def test_init_writes_the_repository_and_lists_each_file(tmp_path: Path) -> None:
    repo = tmp_path / "company-shifts"
    result = run("init", str(repo))
    assert result.exit_code == 0, result.output
    assert [line.split()[1] for line in result.stdout.splitlines()[: len(FILES)]] == [
        str(repo / name) for name in FILES
    ]
    assert "Init: 6 written, 0 unchanged." in result.stdout
    assert f"Next: cd {repo} && shiftctl import" in result.stdout
    assert sorted(str(p.relative_to(repo)) for p in repo.rglob("*") if p.is_file()) == sorted(FILES)
    # The schema of this version, where the $schema comments of shifts/*.yaml point.
    assert (repo / "schema" / "shift.schema.json").read_bytes() == schema_path().read_bytes()
    # The configuration: every key at its default, and commented.
    settings = load_settings(cwd=repo)
    defaults = Settings(shifts_dir=repo / "shifts", config_path=repo / "shiftctl.yaml")
    assert settings == defaults
    assert (repo / "shiftctl.yaml").read_text(encoding="utf-8").count("\n# ") >= 8


def test_the_hooks_and_the_workflow_use_the_published_hooks_and_action(tmp_path: Path) -> None:
    assert run("init", "--owner", "acme", str(tmp_path)).exit_code == 0
    hooks = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (entry,) = hooks["repos"]
    assert entry["repo"] == "https://github.com/acme/shiftctl"
    assert entry["rev"] == f"v{__version__}"
    offered = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in entry["hooks"]] == [h["id"] for h in offered]
    flow = workflow(tmp_path / ".github" / "workflows" / "shifts.yml")
    jobs = flow["jobs"]
    assert isinstance(jobs, dict)
    uses = {
        name: [s for s in job["steps"] if s["uses"].startswith("acme/shiftctl@")]
        for name, job in jobs.items()
    }
    assert {name: [(s["uses"], s["with"]["command"]) for s in steps] for name, steps in
            uses.items()} == {
        "validate": [("acme/shiftctl@v1", "validate")],
        "plan": [("acme/shiftctl@v1", "plan")],
        "apply": [("acme/shiftctl@v1", "apply")],
    }  # fmt: skip
    for steps in uses.values():
        assert steps[0]["with"]["version"] == __version__
    assert jobs["apply"]["environment"] == "feishu"
    assert flow["permissions"] == {}
    assert "OWNER" not in (tmp_path / ".github" / "workflows" / "shifts.yml").read_text("utf-8")


def test_without_an_owner_the_placeholder_is_marked(tmp_path: Path) -> None:
    result = run("init", str(tmp_path))
    assert "replace OWNER with the GitHub owner of shiftctl" in result.stderr
    text = (tmp_path / ".github" / "workflows" / "shifts.yml").read_text(encoding="utf-8")
    assert "uses: OWNER/shiftctl@v1" in text
    assert "# Written by `shiftctl init`" in text
    assert "replace OWNER with the GitHub owner" in text
    assert main(["init", "--owner", "not/a name", str(tmp_path / "x")]) == 1
    assert not (tmp_path / "x").exists()


def test_init_again_changes_nothing_and_refuses_to_overwrite_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", str(tmp_path)]) == 0
    again = run("init", str(tmp_path))
    assert again.exit_code == 0
    assert "Init: 0 written, 6 unchanged." in again.stdout
    config = tmp_path / "shiftctl.yaml"
    config.write_text("shifts: definitions\n", encoding="utf-8")
    (tmp_path / "schema" / "shift.schema.json").unlink()
    capsys.readouterr()
    assert main(["init", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "already has shiftctl.yaml, which init would change; nothing was written" in err
    assert "--force" in err
    assert config.read_text(encoding="utf-8") == "shifts: definitions\n"
    assert not (tmp_path / "schema" / "shift.schema.json").exists()  # nothing at all
    forced = run("init", "--force", str(tmp_path))
    assert forced.exit_code == 0
    assert forced.stdout.splitlines()[:2] == [
        f"wrote     {tmp_path / 'shiftctl.yaml'}",
        f"wrote     {tmp_path / 'schema/shift.schema.json'}",
    ]
    assert "shifts: shifts" in config.read_text(encoding="utf-8")


def test_init_refuses_a_file_where_it_needs_a_folder(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert main(["init", str(tmp_path / "file")]) == 1
    (tmp_path / "repo" / "shiftctl.yaml").mkdir(parents=True)
    assert main(["init", str(tmp_path / "repo")]) == 1
    assert not (tmp_path / "repo" / "shifts").exists()


def test_import_into_an_initialised_repository_writes_schema_comments_that_resolve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("FEISHU_APP_ID", "FEISHU_APP_SECRET", "FEISHU_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    shift = json.loads(json.dumps(yaml.safe_load((ROOT / "shifts" / "night.yaml").read_text())))
    db = str(tmp_path / "tenant.sqlite3")
    create_app(db, seed={"shifts": [shift]}).close()
    repo = tmp_path / "repo"
    assert main(["init", str(repo)]) == 0
    monkeypatch.chdir(repo)
    capsys.readouterr()
    assert main(["--emulator", db, "import"]) == 0
    assert "does not exist" not in capsys.readouterr().err
    (written,) = (repo / "shifts").glob("*.yaml")
    first = written.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schema/shift.schema.json"
    assert (written.parent / first.split("=", 1)[1]).resolve().is_file()
    assert main(["validate"]) == 0
    assert main(["--emulator", db, "plan", "--detailed-exitcode"]) == 0


def test_import_says_when_the_schema_comment_points_nowhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shift = yaml.safe_load((ROOT / "shifts" / "night.yaml").read_text(encoding="utf-8"))
    db = str(tmp_path / "tenant.sqlite3")
    create_app(db, seed={"shifts": [shift]}).close()
    monkeypatch.chdir(tmp_path)
    assert main(["--emulator", db, "import"]) == 0
    err = capsys.readouterr().err
    assert "points at ../schema/shift.schema.json, which does not exist: `shiftctl init`" in err
