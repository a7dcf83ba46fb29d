"""The HTML plan and catalogue: one self-contained, escaped page each."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from pictures_samples import night, office, segment, shift

from reconciler.model import CurrentShift
from reconciler.pictures.page import catalogue_html, plan_html
from reconciler.plan import Create, Delete, FieldChange, GuardFinding, Overrides, Plan, Update
from reconciler.planfile import plan_document
from reconciler.render import render

_VOID = {"meta", "col", "br", "hr", "img", "input", "link", "source", "wbr"}
# SVG elements written self-closed (<line/>); the parser reports them as start-end tags.
_FETCHING = {"script", "link", "img", "iframe", "object", "embed", "image", "use", "audio"}


class Page(HTMLParser):
    """Tags balanced, and everything that could fetch from outside the file collected."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.tags: list[str] = []
        self.links: list[str] = []
        self.text: list[str] = []
        self.ids: list[str] = []
        self.feed(text)
        self.close()
        assert self.open == [], f"unclosed: {self.open}"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in {"src", "href", "xlink:href", "srcset", "action", "data"}:
                self.links.append(value or "")
            if name == "id":
                self.ids.append(value or "")
        if tag not in _VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open[-1:] == [tag], f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


PATH = "punch_time_rule[0].on_time"


def sample_plan() -> Plan:
    before, after = office(), office(on="09:30")
    return Plan(
        (
            Create(night()),
            Update("101", before, after, (FieldChange(PATH, "09:00", "09:30"),)),
            Delete("102", shift("<b>Old</b> & gone")),
        ),
        unchanged=3,
        unmanaged=1,
        snapshot="sha256:abc",
        overrides=Overrides(("<b>Old</b> & gone",), False),
        guards=(GuardFinding("protected", "'<b>Old</b> & gone' is protected", True),),
    )


def self_contained(text: str) -> Page:
    page = Page(text)
    assert text.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in text
    assert "Content-Security-Policy" in text
    assert "default-src 'none'" in text
    assert not _FETCHING & set(page.tags), _FETCHING & set(page.tags)
    assert all(link.startswith("#") for link in page.links), page.links
    assert "url(" not in text
    assert "@import" not in text
    assert "@font-face" not in text
    assert "@media print" in text
    return page


def test_the_plan_page_holds_the_summary_each_change_and_its_timeline() -> None:
    html = plan_html(sample_plan())
    page = self_contained(html)
    text = " ".join(page.text)
    assert "Plan: 1 to create, 1 to update, 1 to delete, 3 unchanged, 1 unmanaged." in text
    assert "This plan DELETES 1 shift:" in text
    assert "Guard overridden: '<b>Old</b> & gone' is protected" in text
    assert "Overrides: --allow-delete '<b>Old</b> & gone'" in text
    assert page.tags.count("section") == 3
    assert html.count('class="timeline"') == 3  # a chart per change
    assert "punch_time_rule[0].on_time" in text
    assert re.search(r'<td class="before">09:00</td>\s*<td class="after">09:30</td>', html)
    assert plan_document(sample_plan())["checksum"] in text  # what a reviewer compares
    assert page.links == ["#change-1", "#change-2", "#change-3"]
    assert {"change-1", "change-2", "change-3"} <= set(page.ids)


def test_an_update_draws_before_and_after_a_create_after_a_delete_before() -> None:
    html = plan_html(sample_plan())
    sections = re.findall(r'<section class="change (\w+)".*?</section>', html, re.S)
    assert sections == ["create", "update", "delete"]
    bodies = re.findall(r"<section.*?</section>", html, re.S)
    labels = [re.findall(r">(before|after)</text>", body) for body in bodies]
    assert labels == [["after"], ["before", "after"], ["before"]]


def test_every_name_is_escaped() -> None:
    html = plan_html(sample_plan())
    assert "<b>Old</b>" not in html
    assert "&lt;b&gt;Old&lt;/b&gt; &amp; gone" in html


@pytest.mark.parametrize("name", ["</style><script>x()</script>", "\u202egnp.exe", "a\x00b"])
def test_a_hostile_name_cannot_break_out(name: str) -> None:
    html = plan_html(Plan((Create(shift(name)),), 0, 0, "sha256:x"))
    page = self_contained(html)
    assert "script" not in page.tags
    assert "\u202e" not in html
    assert "\x00" not in html


def test_show_renders_the_same_page_through_the_format_name() -> None:
    assert render(sample_plan(), "html") == plan_html(sample_plan())


def test_a_plan_without_changes_says_so() -> None:
    page = self_contained(plan_html(Plan((), 4, 0, "sha256:x")))
    assert "No changes. The tenant matches the shift files." in " ".join(page.text)


def test_the_catalogue_is_sorted_by_start_time_on_one_axis() -> None:
    remotes = [
        CurrentShift("3", night()),
        CurrentShift("1", office("Office")),
        CurrentShift("2", shift("Early", segment("06:00", "14:00"))),
        CurrentShift("4", office("A office")),  # same start: by name
    ]
    html = catalogue_html(remotes)
    page = self_contained(html)
    names = re.findall(r'<span class="name">(.*?)</span>', html)
    assert names == ["Early", "A office", "Office", "夜班"]
    lanes = re.findall(r'<svg [^>]*class="timeline"[^>]*width="(\d+)"', html)
    assert len(lanes) == 4 + 2  # one lane per shift, the axis above and below
    assert len(set(lanes)) == 1
    assert "id 3 · 22:00–30:00" in " ".join(page.text)


def test_an_empty_catalogue_says_so() -> None:
    page = self_contained(catalogue_html([]))
    assert "No shifts." in page.text


def test_chinese_and_latin_names_are_written_as_text_for_the_system_fonts() -> None:
    html = catalogue_html([CurrentShift("1", office("标准班 Standard"))])
    assert "标准班 Standard" in html
    assert '"Noto Sans CJK SC"' in html
    assert "system-ui" in html
