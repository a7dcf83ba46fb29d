"""Every command block of README.md and docs/*.md is marked, and every marked one runs
(against the emulator, in a temporary folder) exactly as written, with the output its
``# → …`` comments promise. The convention is in doc_blocks.py and README.md."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from doc_blocks import ROOT, Block, blocks_of, script_for

from reconciler.emulator import EmulatorConfig, create_app, serving

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCKS = [block for path in DOCS for block in blocks_of(path)]
RUN = [block for block in BLOCKS if block.mode == "run"]
# The credentials the README's real-tenant tour exports; the stand-in tenant takes them.
APP_ID, APP_SECRET = "cli_xxx", "..."
_OPTIONS = {"seed", "fresh"}


def test_every_command_block_is_marked_run_or_skip_with_a_reason() -> None:
    unmarked = [b.where for b in BLOCKS if b.mode == ""]
    assert unmarked == [], "add <!-- test: run --> or <!-- test: skip REASON --> before each"
    assert [b.where for b in BLOCKS if b.mode == "skip" and not b.options["reason"]] == []
    assert [b.where for b in RUN if set(b.options) - _OPTIONS] == []
    assert len(RUN) >= 4  # the tours, the punch records, the quick start


def run_block(block: Block, work: Path) -> str:
    """Run ``block`` in ``work`` (fresh per block); returns its output or fails the test."""
    for name in ("shifts", "shiftctl.yaml"):
        if "fresh" not in block.options:
            copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
            copy(ROOT / name, work / name)
    shutil.copytree(ROOT / "docs" / "examples", work / "docs" / "examples")
    seed = None
    if block.options.get("seed"):
        seed = yaml.safe_load((ROOT / block.options["seed"]).read_text(encoding="utf-8"))
    config = EmulatorConfig(app_id=APP_ID, app_secret=APP_SECRET, rate_limit=0)
    app = create_app(":memory:", config=config, seed=seed)
    outputs = work.parent / f"{work.name}-outputs"
    outputs.mkdir()
    try:
        with serving(app) as url:
            env = {k: v for k, v in os.environ.items() if not k.startswith(("FEISHU_", "CI"))}
            env |= {
                "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
                "FEISHU_ENDPOINT": url,
                "FEISHU_APP_ID": APP_ID,
                "FEISHU_APP_SECRET": APP_SECRET,
                "NO_COLOR": "1",
            }
            result = subprocess.run(
                ["bash", "-c", script_for(block, outputs)],
                cwd=work,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
    finally:
        app.close()
    transcript = result.stdout + result.stderr
    assert result.returncode == 0, f"{block.where}:\n{transcript}"
    for number, command in enumerate(block.commands):
        said = (outputs / str(number)).read_text(encoding="utf-8")
        position = 0
        for fragment in command.expect:
            found = said.find(fragment, position)
            assert found >= 0, (
                f"{block.path.name}:{command.line}: {command.text}\n"
                f"promises {fragment!r}, but printed:\n{said}"
            )
            position = found + len(fragment)
    return transcript


@pytest.fixture
def work(tmp_path: Path) -> Path:
    folder = tmp_path / "repo"
    folder.mkdir()
    return folder


@pytest.mark.parametrize("block", RUN, ids=lambda block: block.where)
def test_the_documented_commands_run_as_written(block: Block, work: Path) -> None:
    run_block(block, work)


def test_a_broken_promise_or_a_failing_command_fails_the_block(tmp_path: Path, work: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "<!-- test: run -->\n```sh\nshiftctl validate   # → no problems\n"
        "shiftctl --emulator plan   # → Plan: 99 to create\n```\n\n"
        "<!-- test: run fresh -->\n```sh\ncd nowhere && shiftctl plan\n```\n\n"
        "```sh\necho unmarked\n```\n",
        encoding="utf-8",
    )
    promised, failing, unmarked = blocks_of(page)
    assert [c.expect for c in promised.commands] == [("no problems",), ("Plan: 99 to create",)]
    with pytest.raises(AssertionError, match="promises 'Plan: 99 to create'"):
        run_block(promised, work)
    second = tmp_path / "second"
    second.mkdir()
    with pytest.raises(AssertionError, match=r"doc-test: exit 1 from page\.md:9"):
        run_block(failing, second)
    assert unmarked.mode == ""
