"""Which shiftctl.yaml a run reads: --config, SHIFTCTL_CONFIG, then the nearest one up to
the repository root; the shifts folder and the emulator state are relative to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.config import DEFAULT_EMULATOR_DB, load_settings
from reconciler.configfile import find_config
from reconciler.errors import ConfigError


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "shifts" / "team").mkdir(parents=True)
    (root / "shiftctl.yaml").write_text("shifts: shifts\nconcurrency: 3\n", encoding="utf-8")
    return root


def test_the_nearest_file_up_to_the_repository_root_is_found(repository: Path) -> None:
    deep = repository / "shifts" / "team"
    settings = load_settings(environ={}, cwd=deep)
    assert settings.config_path == repository / "shiftctl.yaml"
    assert settings.shifts_dir == repository / "shifts"
    assert settings.concurrency == 3
    assert settings.origins["concurrency"].endswith("shiftctl.yaml:2:14")
    assert settings.origins["config_path"] == f"found from {deep}"


def test_a_nearer_file_wins(repository: Path) -> None:
    team = repository / "shifts" / "team"
    (team / "shiftctl.yaml").write_text("concurrency: 5\n", encoding="utf-8")
    settings = load_settings(environ={}, cwd=team)
    assert settings.config_path == team / "shiftctl.yaml"
    assert settings.shifts_dir == team / "shifts"


def test_the_search_stops_at_the_repository_root(tmp_path: Path, repository: Path) -> None:
    (tmp_path / "shiftctl.yaml").write_text("concurrency: 99\n", encoding="utf-8")
    (repository / "shiftctl.yaml").unlink()
    settings = load_settings(environ={}, cwd=repository / "shifts")
    assert settings.config_path is None
    assert settings.concurrency == 8
    assert settings.shifts_dir == repository / "shifts" / "shifts"


def test_outside_a_repository_only_the_current_folder_counts(tmp_path: Path) -> None:
    (tmp_path / "shiftctl.yaml").write_text("concurrency: 99\n", encoding="utf-8")
    (tmp_path / "below").mkdir()
    assert find_config(None, {}, tmp_path / "below") is None
    found = find_config(None, {}, tmp_path)
    assert found is not None
    assert found.path == tmp_path / "shiftctl.yaml"


def test_the_environment_names_a_file_and_the_flag_beats_it(
    tmp_path: Path, repository: Path
) -> None:
    named = tmp_path / "other.yaml"
    named.write_text("concurrency: 4\n", encoding="utf-8")
    flagged = tmp_path / "flag.yaml"
    flagged.write_text("concurrency: 6\n", encoding="utf-8")
    env = {"SHIFTCTL_CONFIG": str(named)}
    from_env = load_settings(environ=env, cwd=repository)
    assert (from_env.concurrency, from_env.origins["config_path"]) == (4, "SHIFTCTL_CONFIG")
    assert from_env.shifts_dir == tmp_path / "shifts"
    from_flag = load_settings(config_path=str(flagged), environ=env, cwd=repository)
    assert (from_flag.concurrency, from_flag.origins["config_path"]) == (6, "--config")


def test_a_missing_file_from_the_environment_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope.yaml: configuration file not found \(from "):
        load_settings(environ={"SHIFTCTL_CONFIG": "nope.yaml"}, cwd=tmp_path)


def test_a_relative_name_is_read_from_the_current_folder(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "c.yaml").write_text("shifts: defs\n", encoding="utf-8")
    settings = load_settings(config_path="conf/c.yaml", environ={}, cwd=tmp_path)
    assert settings.shifts_dir == tmp_path / "conf" / "defs"


def test_the_default_emulator_state_lives_beside_the_configuration(repository: Path) -> None:
    deep = repository / "shifts" / "team"
    settings = load_settings(emulator_db=DEFAULT_EMULATOR_DB, environ={}, cwd=deep)
    assert settings.emulator_db == str(repository / DEFAULT_EMULATOR_DB)
    named = load_settings(emulator_db="mine.sqlite3", environ={}, cwd=deep)
    assert named.emulator_db == "mine.sqlite3"


def test_every_setting_says_where_it_came_from(repository: Path) -> None:
    env = {"FEISHU_ENDPOINT": "https://env.example", "FEISHU_APP_SECRET": "s3cr3t"}
    settings = load_settings(environ=env, cwd=repository)
    assert settings.origins["endpoint"] == "FEISHU_ENDPOINT"
    assert settings.origins["app_secret"] == "FEISHU_APP_SECRET"
    assert settings.origins["prune"] == "default"
    assert settings.origins["shifts_dir"].endswith("shiftctl.yaml:1:9")
    flagged = load_settings(endpoint="https://flag.example", environ=env, cwd=repository)
    assert (flagged.endpoint, flagged.origins["endpoint"]) == ("https://flag.example", "--endpoint")
    assert "s3cr3t" not in repr(settings.origins)
