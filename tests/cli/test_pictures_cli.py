"""plan/show/shifts list draw their pictures through the real CLI on the emulated tenant."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from reconciler.cli import main

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def tenant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The example shifts applied, then 标准班 moved to 09:30 in the files."""
    for name in ("FEISHU_APP_ID", "FEISHU_APP_SECRET", "FEISHU_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    shutil.copytree(REPO / "shifts", tmp_path / "shifts")
    db = str(tmp_path / "tenant.sqlite3")
    assert main(["--emulator", db, "apply", "--auto-approve"]) == 0
    standard = tmp_path / "shifts" / "standard.yaml"
    text = standard.read_text(encoding="utf-8")
    standard.write_text(text.replace('on_time: "09:00"', 'on_time: "09:30"'), encoding="utf-8")
    return db


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(args))
    return code, capsys.readouterr().out


def test_plan_as_html_and_show_of_the_saved_plan_draw_the_same_page(
    tenant: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, page = run(capsys, "--emulator", tenant, "plan", "--format", "html", "--out", "p.json")
    assert code == 0
    assert page.startswith("<!DOCTYPE html>")
    assert "Plan: 0 to create, 1 to update, 0 to delete, 7 unchanged" in page
    assert '<section class="change update"' in page
    assert re.findall(r">(before|after)</text>", page) == ["before", "after"]
    assert 'data-kind="work" data-start="540"' in page  # before: 09:00
    assert 'data-kind="work" data-start="570"' in page  # after: 09:30
    code, shown = run(capsys, "show", "p.json", "--format", "html")
    assert code == 0
    assert shown == page


def test_plan_as_markdown_draws_the_update_before_and_after(
    tenant: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, md = run(capsys, "--emulator", tenant, "plan", "--format", "markdown")
    assert code == 0
    (block,) = re.findall(r"```mermaid\n(.*?)```", md, re.S)
    assert "title 标准班" in block
    assert "section before" in block
    assert "section after" in block
    assert "work 09#58;30#8211;18#58;00 :2000-01-03 09:30, 2000-01-03 18:00" in block


def test_shifts_list_as_html_is_the_catalogue_by_start_time(
    tenant: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, page = run(capsys, "--emulator", tenant, "shifts", "list", "--format", "html")
    assert code == 0
    names = re.findall(r'<span class="name">(.*?)</span>', page)
    assert len(names) == 8
    assert names[0] == "早班"  # 07:00, the earliest start
    assert names[-1] == "夜班"  # 22:00
    assert page.count('class="timeline"') == 8 + 2
