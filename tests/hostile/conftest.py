"""The hostile tenant: shifts, people, an attendance group and punches with hostile names,
in an emulator's SQLite file, and a folder of files with hostile names."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from hostile_support import (
    DAY,
    FORMULAS,
    HOSTILE_NAMES,
    HOSTILE_USER,
    OFFICE,
    WEEKDAYS,
    Tenant,
    hostile_shift,
    run,
)

from reconciler.emulator import EmulatorConfig, create_app


def _setup(root: Path, capsys: pytest.CaptureFixture[str]) -> Tenant:
    (root / "shifts").mkdir()
    (root / "shiftctl.yaml").write_text(
        'shifts: shifts\nprotected: ["*protected*"]\n', encoding="utf-8"
    )
    (root / "shifts" / "office.yaml").write_text(json.dumps(OFFICE), encoding="utf-8")
    bad_names = root / "badnames"
    bad_names.mkdir()
    for index, name in enumerate(HOSTILE_NAMES):
        file_name = name.replace("/", "_").replace("\x00", "0")[:60] + f"{index}.yaml"
        (bad_names / file_name).write_text(f"shift_name: {json.dumps(name)}\n", encoding="utf-8")
    db = str(root / "tenant.sqlite3")
    people = [{"employee_id": f"u{i}", "name": name} for i, name in enumerate(HOSTILE_NAMES)]
    seed = {
        "users": [*people, {"employee_id": HOSTILE_USER, "name": HOSTILE_NAMES[1]}],
        "shifts": [*(hostile_shift(n) for n in HOSTILE_NAMES), hostile_shift("EVIL protected")],
        "groups": [
            {
                "id": "g1",
                "name": HOSTILE_NAMES[2],
                "members": ["u0", "u1", HOSTILE_USER],
                "shifts": dict.fromkeys(WEEKDAYS, HOSTILE_NAMES[0]),
            }
        ],
    }
    app = create_app(db, config=EmulatorConfig(rate_limit=0), seed=seed)
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://e") as admin:
        admin.put("/_emulator/clock", json={"frozen": "2024-03-11T12:00:00+08:00"})
    app.close()
    rows = [
        {
            "user_id": user,
            "check_time": f"{DAY}T{hour}:00:00+08:00",
            "location_name": HOSTILE_NAMES[i % len(HOSTILE_NAMES)],
            "comment": FORMULAS[i % len(FORMULAS)],
            "external_id": FORMULAS[(i + 1) % len(FORMULAS)],
        }
        for i, (user, hour) in enumerate(
            (u, h) for u in ("u0", "u1", HOSTILE_USER) for h in ("08", "18")
        )
    ]
    (root / "punches.json").write_text(json.dumps(rows), encoding="utf-8")
    code, out, err = run(capsys, "--emulator", db, "flows", "import", "punches.json")
    assert code == 0, out + err
    code, out, _ = run(capsys, "--emulator", db, "shifts", "list", "--format", "json")
    shift_id = next(s["shift_id"] for s in json.loads(out) if s["shift_name"] == HOSTILE_NAMES[0])
    code, out, _ = run(
        capsys, "--emulator", db, "flows", "query", "--user", "u0", "--from", DAY,
        "--to", DAY, "--format", "json",
    )  # fmt: skip
    record_id = json.loads(out)["flows"][0]["record_id"]
    run(capsys, "--emulator", db, "plan", "--out", "plan.json")
    return Tenant(root, db, shift_id, record_id, str(root / "plan.json"))


@pytest.fixture
def tenant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Tenant:
    for name in ("FEISHU_APP_ID", "FEISHU_APP_SECRET", "FEISHU_ENDPOINT", "CI", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return _setup(tmp_path, capsys)
