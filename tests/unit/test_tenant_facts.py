"""What doctor learned, per tenant, and how ``auto`` settings read it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.config import Settings
from reconciler.errors import ConfigError
from reconciler.tenant_facts import facts_path, load_facts, resolve_inversion, save_facts


def settings(tmp_path: Path, **fields: str) -> Settings:
    return Settings(state_dir=tmp_path / ".shiftctl", **{"app_id": "cli_a", **fields})  # type: ignore[arg-type]


def test_facts_are_kept_per_tenant(tmp_path: Path) -> None:
    feishu = settings(tmp_path)
    lark = settings(tmp_path, endpoint="https://open.larksuite.com")
    save_facts(feishu, {"no_need_inverted_on_read": True})
    save_facts(lark, {"no_need_inverted_on_read": False})
    save_facts(feishu, {"updates": "merge"})  # merged into the entry, the rest kept
    assert load_facts(feishu) == {"no_need_inverted_on_read": True, "updates": "merge"}
    assert load_facts(lark) == {"no_need_inverted_on_read": False}
    assert load_facts(settings(tmp_path, app_id="cli_other")) == {}
    document = json.loads(facts_path(feishu).read_text("utf-8"))
    assert document["format_version"] == 1


def test_auto_uses_what_was_learned_and_an_explicit_setting_wins(tmp_path: Path) -> None:
    assert resolve_inversion(settings(tmp_path)).on_read is False  # nothing learned: as stored
    save_facts(settings(tmp_path), {"no_need_inverted_on_read": True})
    assert resolve_inversion(settings(tmp_path)).on_read is True
    forced = resolve_inversion(settings(tmp_path, no_need_inverted_on_read="false"))
    assert (forced.on_read, forced.source) == (False, "shiftctl.yaml")
    assert resolve_inversion(settings(tmp_path, no_need_inverted_on_read="true")).on_read is True


@pytest.mark.parametrize("text", ["{not json", "[]", '{"tenants": []}'])
def test_a_damaged_file_is_a_loud_error_naming_it(tmp_path: Path, text: str) -> None:
    path = facts_path(settings(tmp_path))
    path.parent.mkdir(parents=True)
    path.write_text(text, "utf-8")
    with pytest.raises(ConfigError, match=r"tenant\.json"):
        resolve_inversion(settings(tmp_path))
