"""Configuration: file, environment and flags combine into one Settings."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.config import FEISHU_ENDPOINT, FILE_KEYS, Secret, Settings, load_settings
from reconciler.configfile import config_schema_path
from reconciler.errors import ConfigError, ConfigInvalid


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
        "guards: {max_deletes: 2, max_delete_percent: 10}\nrate_limit: 20\nconcurrency: 4\n"
        "usage: {look_ahead_days: 60}\n",
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
    assert settings.usage_look_ahead_days == 60


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
        ("prune: yes please\n", "1:8: prune: expected true or false, got text 'yes please'"),
        # YAML 1.2, as in the shift files: yes is text, not true.
        ("prune: yes\n", "1:8: prune: expected true or false, got text 'yes'"),
        ("\nshifs: x\n", "2:1: shifs: unknown field (did you mean shifts?)"),
        ("guards: {max_deletes: -1}\n", "1:23: guards.max_deletes: must be at least 0 (got -1)"),
        ("guards: {max_deletes: 2.5}\n", "guards.max_deletes: expected a whole number, got 2.5"),
        ("guards: {max_delete_percent: 120}\n", "must be at most 100 (got 120)"),
        ("guards: {deletes: 1}\n", "1:10: guards.deletes: unknown field"),
        # NaN compares false with every count: it would switch the guard off silently.
        ("guards: {max_delete_percent: .nan}\n", "guards.max_delete_percent: NaN is not allowed"),
        ("guards: {max_deletes: .inf}\n", "guards.max_deletes: expected a whole number, got inf"),
        ("include: HQ-*\n", "include: expected a list, got text 'HQ-*'"),
        ("include: ['']\n", "include[0]: must not be blank"),
        ("concurrency: 2.5\n", "concurrency: expected a whole number, got 2.5"),
        ("rate_limit: 0\n", "rate_limit: must be more than 0 (got 0)"),
        ("rate_limit: .inf\n", "rate_limit: must be at most 10000 (got inf)"),
        ("endpoint: open.feishu.cn\n", "endpoint: not a URL: 'open.feishu.cn'"),
        ("shifts: '  '\n", "shifts: must not be blank"),
        ("rate_limit_per_minute: -5\n", "rate_limit_per_minute: must be at least 0 (got -5)"),
        ("rate_limit_per_minute: 9.5\n", "rate_limit_per_minute: expected a whole number, got 9.5"),
        ("tenant: auto\n", "tenant: expected a mapping, got text 'auto'"),
        ("tenant: {inverted: true}\n", "tenant.inverted: unknown field"),
        ("tenant: {no_need_inverted_on_read: maybe}\n", "tenant.no_need_inverted_on_read: "),
        ("- a\n- b\n", "1:1: the configuration must be a mapping"),
        ("a: [\n", "invalid YAML"),
        ("prune: true\nprune: false\n", "2:1: prune: duplicate key 'prune'"),
        ("prune: !!python/object:os.system x\n", "prune: YAML tag !!python/object"),
        ("prune: true\n---\nprune: false\n", "2:1: one YAML document expected"),
        ("usage: 30\n", "1:8: usage: expected a mapping, got 30"),
        ("usage: {days: 3}\n", "usage.days: unknown field"),
        ("usage: {look_ahead_days: 0}\n", "usage.look_ahead_days: must be at least 1 (got 0)"),
        ("usage: {look_ahead_days: 367}\n", "must be at most 366 (got 367)"),
        ("usage: {look_ahead_days: 7.5}\n", "look_ahead_days: expected a whole number, got 7.5"),
        ("usage: {look_ahead_days: true}\n", "look_ahead_days: expected a whole number"),
    ],
)
def test_bad_configuration_names_file_line_and_key(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path, text)
    with pytest.raises(ConfigInvalid) as caught:
        load_settings(environ={}, cwd=tmp_path)
    assert len(caught.value.problems) == 1
    (problem,) = caught.value.problems
    assert message in str(problem)
    assert str(problem).startswith(str(tmp_path / "shiftctl.yaml"))
    assert str(caught.value) == f"{tmp_path / 'shiftctl.yaml'}: 1 problem in the configuration"


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    write(tmp_path, "guards:\n  max_deletes: 2.5\nprune: maybe\nshifs: x\n")
    with pytest.raises(ConfigInvalid) as caught:
        load_settings(environ={}, cwd=tmp_path)
    where = tmp_path / "shiftctl.yaml"
    assert [str(p) for p in caught.value.problems] == [
        f"{where}:2:16: guards.max_deletes: expected a whole number, got 2.5",
        f"{where}:3:8: prune: expected true or false, got text 'maybe'",
        f"{where}:4:1: shifs: unknown field (did you mean shifts?)",
    ]
    assert str(caught.value) == f"{where}: 3 problems in the configuration"


def test_a_named_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_settings(config_path=str(tmp_path / "nope.yaml"), environ={}, cwd=tmp_path)


def test_the_example_configuration_at_the_root_is_valid_and_all_defaults(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    settings = load_settings(environ={}, cwd=root)
    assert settings.config_path == root / "shiftctl.yaml"
    defaults = load_settings(environ={}, cwd=tmp_path)  # no file there
    same = ("include", "exclude", "prune", "protected", "max_deletes", "max_delete_percent")
    for name in (*same, "rate_limit", "concurrency", "endpoint", "usage_look_ahead_days",
                 "rate_limit_per_minute", "no_need_inverted_on_read"):  # fmt: skip
        assert getattr(settings, name) == getattr(defaults, name), name
    assert settings.shifts_dir == root / "shifts"


def test_the_example_configuration_names_the_packaged_schema() -> None:
    root = Path(__file__).resolve().parents[2]
    first = (root / "shiftctl.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=schema/config.schema.json"
    assert (
        root / "schema" / "config.schema.json"
    ).read_bytes() == config_schema_path().read_bytes()


def test_the_schema_defaults_are_the_settings_defaults() -> None:
    schema = json.loads(config_schema_path().read_text(encoding="utf-8"))
    defaults = Settings()
    for key, name in FILE_KEYS:
        node = schema
        for part in key:
            node = node["properties"][part]
        expected = getattr(defaults, name)
        if name == "shifts_dir":
            expected = str(expected)
        if isinstance(expected, tuple):
            expected = list(expected)
        assert node["default"] == expected, key
        assert node["description"], key


def test_every_schema_key_fills_a_setting() -> None:
    schema = json.loads(config_schema_path().read_text(encoding="utf-8"))

    def leaves(node: dict[str, Any], prefix: tuple[str, ...]) -> list[tuple[str, ...]]:
        found: list[tuple[str, ...]] = []
        for name, sub in node.get("properties", {}).items():
            path = (*prefix, name)
            found += leaves(sub, path) if "properties" in sub else [path]
        return found

    assert sorted(leaves(schema, ())) == sorted(key for key, _ in FILE_KEYS)


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
        "usage",
        "look_ahead_days",
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
