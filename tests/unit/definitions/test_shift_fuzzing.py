"""Hostile and random input: the loader answers with located problems, never an exception."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.definitions import check, format_files, load_desired
from reconciler.errors import Problem

EXAMPLE = (Path(__file__).parents[3] / "shifts" / "split.yaml").read_text(encoding="utf-8")
FIELDS = ["shift_name", "punch_times", "punch_time_rule", "on_time", "off_time", "day_type"]
FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def check_bytes(folder: Path, raw: bytes) -> list[Problem]:
    path = folder / "fuzz.yaml"
    path.write_bytes(raw)
    state, problems = check([path])
    for problem in problems:
        assert problem.location.path == str(path)
        assert problem.location.line >= 1
        assert problem.location.column >= 1
        assert problem.message
    if not problems:
        assert state.shifts
    return problems


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(["9:00", "26:00", "48:00", "9:60", "yes", "~", ".nan", "1e400"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=8)), inner, max_size=5),
    ),
    max_leaves=25,
)


@FUZZ
@given(VALUES)
def test_random_documents_only_produce_problems(workdir: Path, value: Any) -> None:
    text = yaml.safe_dump(value, allow_unicode=True)
    check_bytes(workdir, text.encode("utf-8"))


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes_only_produce_problems(workdir: Path, raw: bytes) -> None:
    check_bytes(workdir, raw)


MUTATION = st.tuples(
    st.integers(0, len(EXAMPLE)),
    st.integers(0, 12),
    st.text(alphabet=":-[]{}&*!|>'\"#%@`?,\t\n 0123456789abc早", max_size=6),
)


@FUZZ
@given(st.lists(MUTATION, min_size=1, max_size=4))
def test_mutated_shift_files_only_produce_problems(
    workdir: Path, mutations: list[tuple[int, int, str]]
) -> None:
    text = EXAMPLE
    for at, cut, insert in mutations:
        at = min(at, len(text))
        text = text[:at] + insert + text[at + cut :]
    check_bytes(workdir, text.encode("utf-8"))


def test_billion_laughs_is_refused_where_the_alias_budget_runs_out(tmp_path: Path) -> None:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 40)]
    problems = check_bytes(tmp_path, ("\n".join(lines) + "\n").encode())
    # l1..l3 add 90 + 819 + 7,380 values; the first *l3 (7,381 more) crosses 10,000.
    assert [str(p).rsplit("/", 1)[-1] for p in problems] == [
        "fuzz.yaml:5:10: aliases and merge keys add more than 10,000 values to this "
        "document; a shift needs far fewer (is this an alias bomb?)"
    ]


@pytest.mark.parametrize(
    "tagged",
    [
        "!!python/object/apply:pathlib.Path.touch [{marker}]",
        "!!python/object/new:pathlib.Path [{marker}]",
        "!!python/name:os.system",
        "!!python/module:os",
        "!<tag:yaml.org,2002:python/object/apply:os.system> [touch {marker}]",
    ],
)
def test_python_tags_are_refused_and_never_run(tmp_path: Path, tagged: str) -> None:
    marker = tmp_path / "ran"
    text = f"shift_name: 早班\nday_type: {tagged.format(marker=marker)}\n"
    problems = check_bytes(tmp_path, text.encode())
    (refused,) = [p for p in problems if p.field == "day_type"]
    assert refused.location.line == 2
    assert "is not allowed" in refused.message
    assert not marker.exists()


def test_a_file_just_under_the_limit_with_many_documents_loads(tmp_path: Path) -> None:
    document = EXAMPLE.split("\n", 2)[2]
    count = (1 << 20) // (len(document.encode()) + 4 + 4)
    text = "".join(
        document.replace("两头班", f"两头班{index:04d}") + "---\n" for index in range(count)
    )
    assert (1 << 20) - 1000 < len(text.encode()) < 1 << 20
    path = tmp_path / "many.yaml"
    path.write_text(text, encoding="utf-8")
    state, problems = check([path])
    assert problems == []
    assert len(state.shifts) == count


@FUZZ
@given(st.lists(MUTATION, min_size=1, max_size=3))
def test_fmt_of_a_mutated_file_is_refused_or_keeps_its_shifts(
    workdir: Path, mutations: list[tuple[int, int, str]]
) -> None:
    text = EXAMPLE
    for at, cut, insert in mutations:
        at = min(at, len(text))
        text = text[:at] + insert + text[at + cut :]
    path = workdir / "fmt.yaml"
    path.write_text(text, encoding="utf-8")
    state, problems = check([path])
    (result,), _ = format_files([path], write=True)
    if any(not p.is_warning for p in problems):  # warnings alone do not stop fmt
        assert result.formatted is None
        assert path.read_text(encoding="utf-8") == text
    else:
        after = load_desired([path])
        assert [d.shift for d in after.shifts] == [d.shift for d in state.shifts]
