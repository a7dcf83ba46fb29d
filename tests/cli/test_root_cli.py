"""The root command: error mapping for interruptions and the --emulator value."""

from __future__ import annotations

import click
import pytest

from reconciler import cli as root
from reconciler.cli import main


def test_ctrl_c_says_interrupted_and_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupt(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(root.cli, "invoke", interrupt)
    assert main(["schema"]) == 1
    assert "shiftctl: interrupted" in capsys.readouterr().err


def test_declining_a_prompt_says_aborted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def decline(*_args: object, **_kwargs: object) -> None:
        raise click.Abort

    monkeypatch.setattr(root.cli, "invoke", decline)
    assert main(["schema"]) == 1
    assert "shiftctl: aborted" in capsys.readouterr().err


def test_usage_errors_exit_1_not_click_s_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--no-such-flag"]) == 1
    # click words the problem; ours is the exit code and that the flag is named.
    assert "--no-such-flag" in capsys.readouterr().err


def test_endpoint_and_emulator_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--endpoint", "https://open.feishu.cn", "--emulator", "x.db", "plan"]) == 1
    assert "exclude each other" in capsys.readouterr().err
