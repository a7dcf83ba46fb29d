"""The Python API behind the engine commands: files first, listings whole, stale plans named."""

from __future__ import annotations

import dataclasses
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.blast import GroupUse
from reconciler.commands import make_plan, write_text
from reconciler.config import Settings
from reconciler.embedded import embedded_client
from reconciler.errors import StalePlanError, ValidationFailed
from reconciler.feishu.client import FeishuClient
from reconciler.feishu.errors import ServerError
from reconciler.model import CurrentShift, PunchTimeRule, Shift
from reconciler.plan import Create, Delete, Plan, Update
from reconciler.stale import check_fresh, stale_differences

SHIFT = """\
shift_name: {name}
punch_times: 1
punch_time_rule:
  - {{on_time: "09:00", off_time: "18:00", late_minutes_as_late: 5, late_minutes_as_lack: 60,
     on_advance_minutes: 120, early_minutes_as_early: 1, early_minutes_as_lack: 60,
     off_delay_minutes: 240}}
"""


def shift(name: str, on_time: str = "09:00") -> Shift:
    return Shift(name, 1, (PunchTimeRule(on_time, "18:00", 5, 60, 120, 1, 60, 240),))


@pytest.fixture
def client() -> Iterator[FeishuClient]:
    with embedded_client(":memory:") as c:
        yield c


class BrokenSecondPage:
    """The real client's listing, cut off by a server error after the first shift."""

    def __init__(self, inner: FeishuClient) -> None:
        self.inner = inner
        self.writes = 0

    def list_shifts(self) -> Iterator[CurrentShift]:
        listing = self.inner.list_shifts()
        yield next(listing)
        raise ServerError("internal error", code=1225000, http_status=500)

    def create_shift(self, s: Shift) -> CurrentShift:
        self.writes += 1
        return self.inner.create_shift(s)

    def update_shift(self, shift_id: str, s: Shift) -> CurrentShift:
        self.writes += 1
        return self.inner.update_shift(shift_id, s)

    def delete_shift(self, shift_id: str) -> None:
        self.writes += 1
        self.inner.delete_shift(shift_id)


def write_shifts(folder: Path, *names: str) -> Settings:
    folder.mkdir(exist_ok=True)
    for name in names:
        (folder / f"{name}.yaml").write_text(SHIFT.format(name=name), encoding="utf-8")
    return Settings(shifts_dir=folder)


def test_a_failed_listing_page_stops_the_plan(tmp_path: Path, client: FeishuClient) -> None:
    for name in ("A", "B", "C"):
        client.create_shift(shift(name))
    settings = write_shifts(tmp_path / "shifts", "A")
    broken = BrokenSecondPage(client)
    with pytest.raises(ServerError, match="1225000"):
        make_plan(settings, broken)
    assert broken.writes == 0


def test_a_file_outside_the_scope_is_left_out_with_a_warning_at_its_place(
    tmp_path: Path, client: FeishuClient
) -> None:
    client.create_shift(shift("Branch-day", "07:00"))  # unmanaged: never touched
    settings = write_shifts(tmp_path / "shifts", "HQ-day", "Branch-day")
    scoped = Settings(shifts_dir=settings.shifts_dir, include=("HQ-*",))
    plan = make_plan(scoped, client)
    assert [(c.action, c.name) for c in plan.changes] == [("create", "HQ-day")]
    assert plan.unmanaged == 1
    (warning,) = plan.warnings
    assert "Branch-day.yaml:1:1: warning: shift_name: 'Branch-day' is outside" in warning
    with pytest.raises(ValidationFailed) as caught:
        make_plan(Settings(shifts_dir=settings.shifts_dir, include=("HQ-*",), strict=True), client)
    (problem,) = caught.value.problems
    assert problem.location.path.endswith("Branch-day.yaml")
    assert problem.severity == "error"
    assert "'Branch-day' is outside the managed scope" in str(problem)


def test_warnings_do_not_block_the_plan_and_travel_in_it(
    tmp_path: Path, client: FeishuClient
) -> None:
    folder = tmp_path / "shifts"
    write_shifts(folder, "A")
    text = SHIFT.format(name="B").replace("punch_times: 1", "punch_times: 3")
    (folder / "B.yaml").write_text(text, encoding="utf-8")
    plan = make_plan(Settings(shifts_dir=folder), client)
    assert [(c.action, c.name) for c in plan.changes] == [("create", "A"), ("create", "B")]
    (warning,) = plan.warnings
    assert warning.endswith(
        "B.yaml:2:14: warning: punch_times: is 3 but punch_time_rule has "
        "1 segment; Feishu ignores punch_times (a legacy field) and uses "
        "the segments"
    )
    with pytest.raises(ValidationFailed):
        make_plan(Settings(shifts_dir=folder, strict=True), client)


def test_plan_reads_the_files_and_the_tenant(tmp_path: Path, client: FeishuClient) -> None:
    client.create_shift(shift("A", "08:00"))
    client.create_shift(shift("Gone"))
    settings = write_shifts(tmp_path / "shifts", "A", "B")
    plan = make_plan(Settings(shifts_dir=settings.shifts_dir, max_delete_percent=100), client)
    assert [(c.action, c.name) for c in plan.changes] == [
        ("create", "B"),
        ("update", "A"),
        ("delete", "Gone"),
    ]


def test_stale_differences_name_each_change() -> None:
    a, b, c = shift("A"), shift("B"), shift("C")
    saved = Plan((Create(a), Update("2", b, shift("B", "10:00"), ())), 0, 0, "sha256:1")
    fresh = Plan(
        (Update("2", b, shift("B", "11:00"), ()), Delete("3", c)),
        0,
        0,
        "sha256:2",
    )
    assert stale_differences(saved, fresh) == [
        "no longer planned: create 'A'",
        "newly planned: delete 'C'",
        # What the reviewers saw, and what would be applied now.
        "changed: update 'B'\n"
        "      reviewed: punch_time_rule[0].on_time: 09:00 → 10:00\n"
        "      now:      punch_time_rule[0].on_time: 09:00 → 11:00",
        "the managed remote shifts changed since the plan was made (a shift was edited, "
        "added or removed in Feishu)",
    ]
    with pytest.raises(StalePlanError, match="nothing was changed"):
        check_fresh(saved, fresh)
    check_fresh(saved, saved)  # the same plan passes


def test_a_fresh_saved_plan_is_the_object_that_runs_and_who_uses_a_shift_is_not_compared() -> None:
    b = shift("B")
    use = GroupUse("g1", "Ops", 3, ("punch",))
    saved = Plan((Update("2", b, shift("B", "10:00"), (), used_by=()),), 4, 1, "sha256:1")
    fresh = Plan((Update("2", b, shift("B", "10:00"), (), used_by=(use,)),), 5, 0, "sha256:1")
    assert check_fresh(saved, fresh) is saved


def test_write_only_fields_are_compared_though_shift_equality_leaves_them_out() -> None:
    b = shift("B")
    reviewed = dataclasses.replace(shift("B", "10:00"), sub_shift_leader_ids=("ou_1",))
    now = dataclasses.replace(reviewed, sub_shift_leader_ids=("ou_2",))
    assert reviewed == now  # Feishu never reads them back, so a plan never diffs them
    saved = Plan((Create(reviewed), Update("2", b, reviewed, ())), 0, 0, "sha256:1")
    fresh = Plan((Create(now), Update("2", b, now, ())), 0, 0, "sha256:1")
    assert stale_differences(saved, fresh) == [
        "changed: create 'B'\n"
        '      reviewed: sub_shift_leader_ids: ["ou_1"]\n'
        '      now:      sub_shift_leader_ids: ["ou_2"]',
        "changed: update 'B'\n"
        '      reviewed: sub_shift_leader_ids: ["ou_1"]\n'
        '      now:      sub_shift_leader_ids: ["ou_2"]',
    ]


def test_a_stale_plan_names_a_new_id_and_another_target() -> None:
    b = shift("B")
    saved = Plan((Update("2", b, shift("B", "10:00"), ()),), 0, 0, "sha256:1", target="here")
    fresh = Plan((Update("5", b, shift("B", "10:00"), ()),), 0, 0, "sha256:1", target="there")
    assert stale_differences(saved, fresh) == [
        "changed: update 'B'\n      reviewed: id 2\n      now:      id 5",
        "the plan was made against here; this is there",
    ]


def test_a_stale_update_shows_at_most_a_screenful_per_side() -> None:
    many = Shift(
        "M",
        1,
        tuple(PunchTimeRule(f"{h:02d}:00", f"{h:02d}:30", 5, 60, 1, 1, 60, 1) for h in range(20)),
    )
    other = Shift(
        "M",
        1,
        tuple(PunchTimeRule(f"{h:02d}:00", f"{h:02d}:40", 5, 60, 1, 1, 60, 1) for h in range(20)),
    )
    saved = Plan((Update("2", many, other, ()),), 0, 0, "sha256:1")
    fresh = Plan((Update("2", other, many, ()),), 0, 0, "sha256:1")
    (entry,) = stale_differences(saved, fresh)
    lines = entry.splitlines()
    assert len(lines) == 1 + 13 + 13
    assert lines[13] == "      reviewed: … and 8 more"


def test_write_text_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "out" / "plan.json"
    write_text(target, "{}\n")
    write_text(target, '{"a": 1}\n')
    assert target.read_text() == '{"a": 1}\n'
    assert [p.name for p in target.parent.iterdir()] == ["plan.json"]


class SlowListing:
    """A tenant of 1,000 shifts that come out one every few milliseconds."""

    def __init__(self) -> None:
        self.listed = 0

    def list_shifts(self) -> Iterator[CurrentShift]:
        for i in range(1_000):
            threading.Event().wait(0.005)
            self.listed += 1
            yield CurrentShift(str(i), shift(f"S{i}"))

    def create_shift(self, s: Shift) -> CurrentShift:
        raise AssertionError("planning never writes")

    def update_shift(self, shift_id: str, s: Shift) -> CurrentShift:
        raise AssertionError("planning never writes")

    def delete_shift(self, shift_id: str) -> None:
        raise AssertionError("planning never writes")


def test_bad_files_stop_the_listing_instead_of_reading_it_to_the_end(tmp_path: Path) -> None:
    folder = tmp_path / "shifts"
    folder.mkdir()
    (folder / "bad.yaml").write_text("shift_name: [\n", encoding="utf-8")
    tenant = SlowListing()
    with pytest.raises(ValidationFailed):
        make_plan(Settings(shifts_dir=folder), tenant)
    # The same holds for Ctrl-C: the listing ends at its next item, not after all 1,000.
    assert tenant.listed < 500


def test_a_plan_made_by_another_version_is_stale_and_says_why() -> None:
    fresh = Plan((Create(shift("A")),), 0, 0, "sha256:now")
    saved = Plan((Create(shift("A")),), 0, 0, "sha256:then", made_by="0.0.1")
    assert stale_differences(saved, fresh) == [
        f"the plan was made by shiftctl 0.0.1; this is {fresh.made_by}"
    ]


def test_the_switch_interval_is_put_back_after_a_plan_and_after_bad_files(
    tmp_path: Path, client: FeishuClient
) -> None:
    before = sys.getswitchinterval()
    make_plan(write_shifts(tmp_path / "good", "A"), client)
    assert sys.getswitchinterval() == before
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "broken.yaml").write_text("shift_name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ValidationFailed):
        make_plan(Settings(shifts_dir=bad), client)
    assert sys.getswitchinterval() == before


def test_plans_made_at_once_share_one_switch_interval_change() -> None:
    from reconciler.commands import _quick_handoff

    before = sys.getswitchinterval()
    first, second = _quick_handoff(), _quick_handoff()
    first.__enter__()
    second.__enter__()
    assert sys.getswitchinterval() == min(before, 0.0005)
    first.__exit__(None, None, None)  # the first to finish is not the last: still low
    assert sys.getswitchinterval() == min(before, 0.0005)
    second.__exit__(None, None, None)
    assert sys.getswitchinterval() == before
