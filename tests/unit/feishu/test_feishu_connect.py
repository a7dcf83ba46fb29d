"""open_client for a real tenant (credentials, endpoints, TLS), embedded_client for --emulator."""

from __future__ import annotations

import pytest

from reconciler.embedded import embedded_client
from reconciler.errors import ConfigError
from reconciler.feishu import FEISHU_ENDPOINT, LARK_ENDPOINT, open_client
from reconciler.secret import Secret


@pytest.mark.parametrize(
    ("app_id", "app_secret", "named"),
    [
        (None, None, ["FEISHU_APP_ID", "FEISHU_APP_SECRET"]),
        ("cli_x", None, ["FEISHU_APP_SECRET"]),
        (None, "s3cr3t-value", ["FEISHU_APP_ID"]),
        ("cli_x", "", ["FEISHU_APP_SECRET"]),
    ],
)
def test_missing_credentials_name_the_variables_and_the_emulator(
    app_id: str | None, app_secret: str | None, named: list[str]
) -> None:
    with pytest.raises(ConfigError) as caught:
        open_client(
            endpoint=None,
            app_id=app_id,
            app_secret=Secret(app_secret) if app_secret is not None else None,
        )
    message = str(caught.value)
    for name in named:
        assert name in message
    assert "--emulator" in message
    assert "s3cr3t-value" not in message


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        (None, FEISHU_ENDPOINT),
        (LARK_ENDPOINT, LARK_ENDPOINT),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
    ],
)
def test_endpoint_defaults_to_feishu(endpoint: str | None, expected: str) -> None:
    with open_client(
        endpoint=endpoint, app_id="cli_x", app_secret=Secret("s3cr3t-value")
    ) as client:
        assert f"base_url='{expected}" in repr(client)
        assert "s3cr3t-value" not in repr(client)


def test_emulator_runs_in_process_with_its_state_in_a_file(tmp_path) -> None:
    from reconciler.model import Shift

    db = tmp_path / "state" / "emulator.sqlite3"
    rule = {"on_time": "9:00", "off_time": "18:00", "late_minutes_as_late": 30,
            "late_minutes_as_lack": 60, "on_advance_minutes": 60, "early_minutes_as_early": 30,
            "early_minutes_as_lack": 60, "off_delay_minutes": 60}  # fmt: skip
    shift = Shift.from_mapping({"shift_name": "早班", "punch_times": 1, "punch_time_rule": [rule]})
    with embedded_client(str(db)) as client:
        created = client.create_shift(shift)
        assert "emulator-secret" not in repr(client)
    assert db.exists()
    with embedded_client(str(db)) as again:
        assert [remote.shift_id for remote in again.list_shifts()] == [created.shift_id]


@pytest.mark.parametrize("content", [b"not a database at all", None])
def test_an_unusable_emulator_state_is_a_config_error(tmp_path, content: bytes | None) -> None:
    db = tmp_path / "emulator.sqlite3"
    if content is None:
        db = tmp_path / "a-file" / "emulator.sqlite3"  # its directory cannot be made
        db.parent.write_bytes(b"")
    else:
        db.write_bytes(content)
    with pytest.raises(ConfigError) as caught:
        embedded_client(str(db))
    assert str(db) in str(caught.value)
    assert "--emulator" in str(caught.value)


@pytest.mark.parametrize(
    "endpoint", ["open.feishu.cn", "ftp://open.feishu.cn", "http://[::1", "https://"]
)
def test_an_endpoint_that_is_not_an_http_url_is_refused_at_once(endpoint: str) -> None:
    with pytest.raises(ConfigError) as caught:
        open_client(endpoint=endpoint, app_id="cli_x", app_secret=Secret("s3cr3t-value"))
    assert repr(endpoint) in str(caught.value)
    assert "s3cr3t-value" not in str(caught.value)


def test_an_endpoint_carrying_a_password_is_refused_without_echoing_it() -> None:
    with pytest.raises(ConfigError) as caught:
        open_client(
            endpoint="https://me:pa55word@open.feishu.cn",
            app_id="cli_x",
            app_secret=Secret("s3cr3t-value"),
        )
    assert "pa55word" not in str(caught.value)
