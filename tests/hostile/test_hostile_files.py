"""Files on disk: whatever the shifts folder holds, nothing is skipped without a word.

A shift file that cannot be read must never look like a deleted shift: validate
reports it with its path, plan and apply refuse to run, fmt never writes through a
symlink, and a symlink out of the repository is never read.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hostile_support import HOSTILE_NAMES, unsafe_in
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.cli import main
from reconciler.definitions import check, collect_files

SHIFT = """\
shift_name: {name}
punch_times: 1
punch_time_rule:
  - on_time: "09:00"
    off_time: "18:00"
    late_minutes_as_late: 5
    late_minutes_as_lack: 60
    on_advance_minutes: 60
    early_minutes_as_early: 5
    early_minutes_as_lack: 60
    off_delay_minutes: 60
"""
SECRET = "SECRET-content-of-a-file-outside"
AS_ROOT = os.geteuid() == 0


def shift_text(name: str) -> str:
    return SHIFT.format(name=json.dumps(name, ensure_ascii=False))


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository (shiftctl.yaml at its root) with two shifts and a file outside it."""
    root = tmp_path / "repo"
    (root / "shifts").mkdir(parents=True)
    (root / "shiftctl.yaml").write_text("shifts: shifts\n", encoding="utf-8")
    (root / "shifts" / "early.yaml").write_text(shift_text("早班"), encoding="utf-8")
    (root / "shifts" / "late.yaml").write_text(shift_text("晚班"), encoding="utf-8")
    (tmp_path / "outside.yaml").write_text(f"shift_name: [{SECRET}\n", encoding="utf-8")
    for name in ("FEISHU_APP_ID", "FEISHU_APP_SECRET", "FEISHU_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(root)
    return root


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The real CLI in a thread: a read that blocks (a FIFO opened for reading) fails the
    test instead of hanging the suite. The margin is for a hang, not for speed."""
    capsys.readouterr()
    result: list[int] = []
    worker = threading.Thread(target=lambda: result.append(main(list(args))), daemon=True)
    worker.start()
    worker.join(timeout=300)
    if worker.is_alive():
        _unblock_fifos(Path.cwd())
        worker.join(timeout=30)
        pytest.fail(f"shiftctl {' '.join(args)} blocked (reading a FIFO?)")
    out, err = capsys.readouterr()
    return result[0], out, err


def _unblock_fifos(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_fifo():
            with open(path, "w"):  # a blocked reader sees the end of the file
                pass


# -- every way a shift file can be unreadable --------------------------------------


def _dangling(path: Path, repo: Path) -> None:
    path.symlink_to(repo / "gone.yaml")


def _loop(path: Path, repo: Path) -> None:
    path.symlink_to(path.name)


def _outside(path: Path, repo: Path) -> None:
    path.symlink_to(repo.parent / "outside.yaml")


def _fifo(path: Path, repo: Path) -> None:
    os.mkfifo(path)


def _folder_in_place(path: Path, repo: Path) -> None:
    """A folder named like a shift file, holding a FIFO: read, and the FIFO reported."""
    path.mkdir()
    os.mkfifo(path / "inner.yaml")


BREAKAGES: dict[str, Callable[[Path, Path], None]] = {
    "dangling symlink": _dangling,
    "symlink loop": _loop,
    "symlink out of the repository": _outside,
    "FIFO": _fifo,
    "folder holding a FIFO": _folder_in_place,
}


@pytest.mark.parametrize("kind", sorted(BREAKAGES))
def test_an_unreadable_shift_file_is_a_problem_and_never_a_deletion(
    repo: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    db = str(repo / "tenant.sqlite3")
    assert run(capsys, "--emulator", db, "apply", "--auto-approve")[0] == 0
    early = repo / "shifts" / "early.yaml"
    early.unlink()
    BREAKAGES[kind](early, repo)

    code, out, err = run(capsys, "validate")
    assert code == 1
    assert "shifts/early.yaml" in out
    assert "no problems" not in out + err
    for command in (["plan"], ["plan", "--force"], ["apply", "--auto-approve", "--force"]):
        code, out, err = run(capsys, "--emulator", db, *command)
        assert code == 1, (command, out, err)
        assert "shifts/early.yaml" in err
        assert "delete" not in out
    # Nothing was deleted: the tenant still holds both shifts.
    code, out, _ = run(capsys, "--emulator", db, "shifts", "list", "--format", "json")
    assert sorted(s["shift_name"] for s in json.loads(out)) == ["早班", "晚班"]
    assert SECRET not in out + err


def test_a_folder_that_cannot_be_listed_is_a_problem(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    team = repo / "shifts" / "team"
    team.mkdir()
    (team / "night.yaml").write_text(shift_text("夜班"), encoding="utf-8")
    if AS_ROOT:  # root lists any folder: the kernel's refusal is stood in for
        real_scandir = os.scandir

        def scandir(path: str | os.PathLike[str]) -> Iterator[os.DirEntry[str]]:
            if Path(path) == Path("shifts/team"):
                raise PermissionError(13, "Permission denied")
            return real_scandir(path)

        monkeypatch.setattr(os, "scandir", scandir)
    else:
        team.chmod(0)
    try:
        code, out, _ = run(capsys, "validate")
        assert code == 1
        assert "shifts/team: cannot read this folder: Permission denied" in out
        code, _, err = run(capsys, "--emulator", str(repo / "t.sqlite3"), "plan")
        assert code == 1
        assert "shifts/team: cannot read this folder" in err
    finally:
        team.chmod(0o700)


def test_an_unreadable_file_is_a_problem(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    early = repo / "shifts" / "early.yaml"
    if AS_ROOT:  # root reads any file: the kernel's refusal is stood in for
        real_open = os.open

        def refusing_open(path: str | os.PathLike[str], flags: int, *args: int) -> int:
            if Path(path) == Path("shifts/early.yaml"):
                raise PermissionError(13, "Permission denied")
            return real_open(path, flags, *args)

        monkeypatch.setattr(os, "open", refusing_open)
    else:
        early.chmod(0)
    code, out, _ = run(capsys, "validate")
    assert code == 1
    assert "shifts/early.yaml:1:1: cannot read: Permission denied" in out


def test_a_device_file_is_a_problem_and_is_never_opened(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    device = repo / "shifts" / "null.yaml"
    try:
        os.mknod(device, stat.S_IFCHR | 0o600, os.makedev(1, 3))
    except (PermissionError, OSError):
        pytest.skip("cannot make a device file here")
    code, out, _ = run(capsys, "validate")
    assert code == 1
    assert "shifts/null.yaml: not a regular file: a character device" in out


def test_a_symlink_out_of_the_repository_is_never_read_or_quoted(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "shifts" / "passwd.yaml").symlink_to("/etc/passwd")
    (repo / "shifts" / "outside.yaml").symlink_to(repo.parent / "outside.yaml")
    code, out, err = run(capsys, "validate", "--format", "json")
    assert code == 1
    problems = {p["path"]: p["message"] for p in json.loads(out)["problems"]}
    assert set(problems) == {"shifts/passwd.yaml", "shifts/outside.yaml"}
    assert all("outside the repository" in message for message in problems.values())
    assert SECRET not in out + err
    assert "root:" not in out + err


def test_symlinks_inside_the_repository_are_followed(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    templates = repo / "templates"
    templates.mkdir()
    (templates / "night.yaml").write_text(shift_text("夜班"), encoding="utf-8")
    (repo / "shifts" / "night.yaml").symlink_to("../templates/night.yaml")
    (repo / "more").mkdir()
    (repo / "more" / "duty.yaml").write_text(shift_text("值班"), encoding="utf-8")
    (repo / "shifts" / "more").symlink_to(repo / "more")
    code, out, _ = run(capsys, "validate", "--format", "json")
    assert code == 0, out
    assert sorted(json.loads(out)["shifts"]) == ["值班", "夜班", "早班", "晚班"]


def test_the_repository_is_the_git_work_tree_when_there_is_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # shiftctl.yaml lives in a sub-folder of the work tree; links may reach the whole tree.
    (tmp_path / ".git").mkdir()
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "a.yaml").write_text(shift_text("早班"), encoding="utf-8")
    team = tmp_path / "teams" / "ops"
    (team / "shifts").mkdir(parents=True)
    (team / "shiftctl.yaml").write_text("shifts: shifts\n", encoding="utf-8")
    (team / "shifts" / "a.yaml").symlink_to(tmp_path / "common" / "a.yaml")
    monkeypatch.chdir(team)
    assert run(capsys, "validate")[0] == 0


def test_fmt_never_writes_through_a_symlink(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    templates = repo / "templates"
    templates.mkdir()
    messy = shift_text("夜班").replace('"09:00"', "9:00")
    (templates / "night.yaml").write_text(messy, encoding="utf-8")
    link = repo / "shifts" / "night.yaml"
    link.symlink_to("../templates/night.yaml")
    (repo / "shifts" / "early.yaml").write_text(shift_text("早班").replace('"09:00"', "9:00"))

    code, out, _ = run(capsys, "fmt")
    assert code == 1
    assert "shifts/night.yaml: not rewritten: it is a symlink" in out
    assert "reformatted shifts/early.yaml" in out
    assert link.is_symlink()
    assert (templates / "night.yaml").read_text(encoding="utf-8") == messy
    code, out, _ = run(capsys, "fmt", "--check")
    assert code == 1
    assert "would reformat shifts/night.yaml" in out


@pytest.mark.parametrize("name", [*HOSTILE_NAMES, "a\x1b[2K\rshifts/ok.yaml: no problems"])
def test_a_crafted_file_name_cannot_forge_or_colour_a_problem_line(
    repo: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    file_name = name.replace("/", "_").replace("\x00", "0") + ".yaml"
    (repo / "shifts" / file_name).write_text("shift_name: 1\n", encoding="utf-8")
    for fmt in ("text", "github", "json"):
        code, out, err = run(capsys, "validate", "--format", fmt)
        assert code == 1
        assert unsafe_in(out + err) is None, (fmt, unsafe_in(out + err))
        if fmt == "json":
            paths = {p["path"] for p in json.loads(out)["problems"]}
            assert paths == {f"shifts/{file_name}"}  # the real name, JSON-escaped
        else:
            problem_lines = [line for line in out.splitlines() if "shifts/" in line]
            assert len(problem_lines) == 3, out  # two missing fields, one wrong type


# -- a property: every shift-file entry is read or reported -------------------------

ENTRY_KINDS = ("file", "dangling", "loop", "outside", "fifo", "folder", "hidden", "other")
ENTRIES = st.lists(
    st.tuples(st.sampled_from(ENTRY_KINDS), st.integers(0, 2)), min_size=1, max_size=12
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries=ENTRIES)
def test_every_entry_named_like_a_shift_file_is_read_or_reported(
    entries: list[tuple[str, int]],
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        (base / "outside.yaml").write_text(f"x: [{SECRET}\n", encoding="utf-8")
        root = base / "repo"
        (root / "shifts").mkdir(parents=True)
        (root / "shiftctl.yaml").write_text("shifts: shifts\n", encoding="utf-8")
        folders = [root / "shifts"]
        expected_files: set[Path] = set()
        expected_problems: set[Path] = set()
        for index, (kind, depth) in enumerate(entries):
            parent = folders[min(depth, len(folders) - 1)]
            path = parent / f"e{index}.yaml"
            if kind == "file":
                path.write_text(shift_text(f"班{index}"), encoding="utf-8")
                expected_files.add(path)
            elif kind == "folder":
                path.mkdir()
                folders.append(path)
            elif kind == "hidden":
                (parent / f".e{index}.yaml").write_text("not: a shift\n", encoding="utf-8")
            elif kind == "other":
                (parent / f"e{index}.md").symlink_to(base / "nowhere")
                expected_problems.add(parent / f"e{index}.md")  # a broken link is loud too
            else:
                BREAKAGES[_BREAKAGE[kind]](path, root)
                expected_problems.add(path)
        if not expected_files and not expected_problems:
            expected_problems.add(root / "shifts")  # an empty folder says so
        files, problems = collect_files([root / "shifts"])
        reported = {Path(p.location.path) for p in problems}
        assert set(files) == expected_files
        assert reported == expected_problems
        _, checked = check([root / "shifts"])
        assert all(SECRET not in str(problem) for problem in checked)


_BREAKAGE = {
    "dangling": "dangling symlink",
    "loop": "symlink loop",
    "outside": "symlink out of the repository",
    "fifo": "FIFO",
}


def test_import_writes_nothing_beside_an_entry_it_cannot_read(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(repo / "tenant.sqlite3")
    assert run(capsys, "--emulator", db, "apply", "--auto-approve")[0] == 0
    early = repo / "shifts" / "early.yaml"
    early.unlink()
    early.symlink_to(repo / "gone.yaml")
    code, _, err = run(capsys, "--emulator", db, "import")
    assert code == 1
    assert "shifts/early.yaml: broken symlink" in err
    assert sorted(p.name for p in (repo / "shifts").iterdir()) == ["early.yaml", "late.yaml"]
