"""Configuration: file, environment and flags combine into one Settings."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.config import FEISHU_ENDPOINT, Secret, load_settings
from reconciler.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "shiftctl.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path: Path) -> None:
    settings = load_settings(environ={}, cwd=tmp_path)
    assert settings.endpoint == FEISHU_ENDPOINT
    assert settings.shifts_dir == tmp_path / "shifts"
    assert settings.prune is True
    assert settings.app_secret is None
    assert settings.config_path is None


def test_file_values_are_read_relative_to_the_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        "shifts: defs\nendpoint: https://open.larksuite.com/\ninclude: ['HQ-*']\n"
        "exclude: ['HQ-tmp*']\nprune: false\nprotected: ['HQ-core']\n"
        "guards: {max_deletes: 2, max_delete_percent: 10}\nrate_limit: 20\nconcurrency: 4\n",
    )
    settings = load_settings(environ={}, cwd=tmp_path)
    assert settings.shifts_dir == tmp_path / "defs"
    assert settings.endpoint == "https://open.larksuite.com"
    assert settings.in_scope("HQ-day")
    assert not settings.in_scope("HQ-tmp1")
    assert not settings.in_scope("Branch-day")
    assert settings.is_protected("HQ-core")
    assert (settings.max_deletes, settings.max_delete_percent) == (2, 10.0)
    assert (settings.rate_limit, settings.concurrency, settings.prune) == (20.0, 4, False)


def test_flags_beat_environment_beat_file(tmp_path: Path) -> None:
    write(tmp_path, "endpoint: https://from-file\n")
    env = {"FEISHU_ENDPOINT": "https://from-env"}
    assert load_settings(environ=env, cwd=tmp_path).endpoint == "https://from-env"
    flagged = load_settings(endpoint="https://from-flag", environ=env, cwd=tmp_path)
    assert flagged.endpoint == "https://from-flag"


def test_credentials_come_from_the_environment_and_never_show(tmp_path: Path) -> None:
    env = {"FEISHU_APP_ID": "cli_a1", "FEISHU_APP_SECRET": "s3cr3t-value"}
    settings = load_settings(environ=env, cwd=tmp_path)
    assert settings.app_id == "cli_a1"
    assert settings.app_secret == Secret("s3cr3t-value")
    assert settings.app_secret is not None
    assert settings.app_secret.reveal() == "s3cr3t-value"
    assert "s3cr3t" not in repr(settings)
    assert "s3cr3t" not in f"{settings.app_secret}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("prune: yes please\n", "1:1: prune: must be true or false"),
        ("\nshifs: x\n", "2:1: shifs: unknown key"),
        ("guards: {max_deletes: -1}\n", "guards.max_deletes: must be a number ≥ 0"),
        ("guards: {max_delete_percent: 120}\n", "must be a percentage from 0 to 100"),
        ("guards: {deletes: 1}\n", "guards.deletes: unknown guard"),
        # NaN compares false with every count: it would switch the guard off silently.
        ("guards: {max_delete_percent: .nan}\n", "max_delete_percent: must be a number ≥ 0"),
        ("guards: {max_deletes: .nan}\n", "guards.max_deletes: must be a number ≥ 0"),
        ("guards: {max_deletes: .inf}\n", "guards.max_deletes: must be a finite number"),
        ("include: HQ-*\n", "include: must be a list of name globs"),
        ("concurrency: 2.5\n", "concurrency: must be a whole number"),
        ("rate_limit: 0\n", "rate_limit: must be a positive number"),
        ("rate_limit_per_minute: -5\n", "rate_limit_per_minute: must be a whole number ≥ 0"),
        ("rate_limit_per_minute: 9.5\n", "rate_limit_per_minute: must be a whole number"),
        ("tenant: auto\n", "tenant: must be a mapping with no_need_inverted_on_read"),
        ("tenant: {inverted: true}\n", "tenant.inverted: unknown setting"),
        ("tenant: {no_need_inverted_on_read: maybe}\n", "must be auto, true or false"),
        ("- a\n- b\n", "1:1: the configuration must be a mapping"),
        ("a: [\n", "not valid YAML"),
    ],
)
def test_bad_configuration_names_file_line_and_key(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={}, cwd=tmp_path)
    assert message in str(caught.value)
    assert str(tmp_path / "shiftctl.yaml") in str(caught.value)


def test_a_named_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_settings(config_path=str(tmp_path / "nope.yaml"), environ={}, cwd=tmp_path)


def test_the_example_configuration_at_the_root_is_valid_and_all_defaults() -> None:
    root = Path(__file__).resolve().parents[2]
    settings = load_settings(environ={}, cwd=root)
    assert settings.config_path == root / "shiftctl.yaml"
    defaults = load_settings(environ={}, cwd=root / "shifts")  # no file there
    same = ("include", "exclude", "prune", "protected", "max_deletes", "max_delete_percent")
    for name in (*same, "rate_limit", "concurrency", "endpoint", "rate_limit_per_minute"):
        assert getattr(settings, name) == getattr(defaults, name), name
    assert settings.shifts_dir == root / "shifts"


def test_a_huge_configuration_is_refused_before_parsing(tmp_path: Path) -> None:
    write(tmp_path, "shifts: x\n# " + "a" * (1 << 20) + "\n")
    with pytest.raises(ConfigError, match="larger than 1024 KiB"):
        load_settings(environ={}, cwd=tmp_path)


_KEYS = st.sampled_from(
    [
        "shifts",
        "endpoint",
        "include",
        "exclude",
        "prune",
        "protected",
        "guards",
        "rate_limit",
        "concurrency",
        "max_deletes",
        "max_delete_percent",
        "other",
    ]
)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=4)),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(document=st.dictionaries(_KEYS, _VALUES, max_size=6))
def test_any_configuration_is_settings_or_a_config_error(document: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        write(Path(folder), yaml.safe_dump(document, allow_unicode=True))
        try:
            loaded = load_settings(environ={}, cwd=Path(folder))
        except ConfigError as exc:
            refused = str(exc)
        else:
            refused = ""
    if refused:  # one line naming the file, never another exception
        assert refused.startswith(folder)
        return
    assert loaded.max_deletes >= 0
    assert 0 <= loaded.max_delete_percent <= 100
    assert loaded.rate_limit > 0
    assert loaded.concurrency >= 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", "auto"), ("tenant: {no_need_inverted_on_read: auto}\n", "auto"),
     ("tenant: {no_need_inverted_on_read: true}\n", "true"),
     ("tenant: {no_need_inverted_on_read: false}\n", "false")],
)  # fmt: skip
def test_the_tenant_inversion_setting(tmp_path: Path, text: str, expected: str) -> None:
    write(tmp_path, text)
    settings = load_settings(environ={}, cwd=tmp_path)
    assert settings.no_need_inverted_on_read == expected
    assert settings.state_dir == tmp_path / ".shiftctl"


def test_the_per_minute_cap(tmp_path: Path) -> None:
    assert load_settings(environ={}, cwd=tmp_path).rate_limit_per_minute == 0
    write(tmp_path, "rate_limit_per_minute: 1000\n")
    assert load_settings(environ={}, cwd=tmp_path).rate_limit_per_minute == 1000
