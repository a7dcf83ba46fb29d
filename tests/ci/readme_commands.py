"""The README's fresh-machine commands, read from its first ``sh`` block.

CI runs them from here, so what the README promises is what CI checks:
``python3 tests/ci/readme_commands.py 1`` prints the first command. Standard
library only: it runs before anything is installed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
_FIRST_SH_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)


def readme_commands(text: str | None = None) -> list[str]:
    """The command lines of the README's first ``sh`` block (comments and blanks left out)."""
    found = _FIRST_SH_BLOCK.search(README.read_text(encoding="utf-8") if text is None else text)
    if found is None:
        raise ValueError("the README has no ```sh block")
    lines = [line.strip() for line in found.group(1).splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def main(argv: list[str]) -> int:
    commands = readme_commands()
    if len(argv) != 1 or not argv[0].isdigit() or not 1 <= int(argv[0]) <= len(commands):
        print(f"usage: readme_commands.py N (1 to {len(commands)})", file=sys.stderr)
        return 2
    print(commands[int(argv[0]) - 1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
