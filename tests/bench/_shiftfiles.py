"""Shift files for the validate benchmarks: the repository's example shifts, one per file."""

from __future__ import annotations

from pathlib import Path

__all__ = ["write_files"]

ROOT = Path(__file__).parents[2]


def _examples() -> list[str]:
    """The first document of each example file, its schema comment pointing two levels up."""
    examples = []
    for path in sorted((ROOT / "shifts").glob("*.yaml")):
        first = path.read_text(encoding="utf-8").split("---\n")[0]
        examples.append(first.replace("../schema/", "../../schema/"))
    return examples


def write_files(folder: Path, count: int) -> list[str]:
    """``count`` one-shift files in ``folder``, cycling through the examples, names made unique."""
    examples = _examples()
    names = []
    for index in range(count):
        lines = examples[index % len(examples)].splitlines(keepends=True)
        lines = [
            f"{line[:-1]} {index}\n" if line.startswith("shift_name:") else line for line in lines
        ]
        name = f"shift-{index:05d}.yaml"
        (folder / name).write_text("".join(lines), encoding="utf-8")
        names.append(name)
    return names
