"""Hostile requests always get a JSON envelope with a log id, never a traceback or a 500."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from emulator_helpers import API, RULE
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reconciler.emulator import EmulatorConfig, create_app

ROUTES = [
    ("POST", "/open-apis/auth/v3/tenant_access_token/internal"),
    ("POST", f"{API}/shifts"),
    ("GET", f"{API}/shifts"),
    ("POST", f"{API}/shifts/query"),
    ("GET", f"{API}/shifts/123"),
    ("DELETE", f"{API}/shifts/123"),
    ("POST", f"{API}/user_flows/batch_create"),
    ("GET", f"{API}/user_flows/123"),
    ("POST", f"{API}/user_flows/query"),
    ("POST", f"{API}/user_flows/batch_del"),
    ("POST", f"{API}/user_tasks/query"),
    ("GET", f"{API}/groups"),
    ("GET", f"{API}/groups/g1"),
    ("POST", f"{API}/groups/search"),
    ("GET", f"{API}/groups/g1/list_user"),
    ("POST", f"{API}/user_daily_shifts/query"),
    ("POST", "/_emulator/seed"),
    ("PUT", "/_emulator/clock"),
    ("PUT", "/_emulator/faults"),
]
QUERIES = st.dictionaries(
    st.sampled_from(
        [
            "employee_type",
            "page_size",
            "page_token",
            "shift_name",
            "ignore_invalid_users",
            "include_terminated_user",
            "dept_type",
            "member_clock_type",
        ]
    ),
    st.one_of(
        st.sampled_from(["employee_id", "employee_no", "True", "0", "50", ""]), st.text(max_size=20)
    ),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
FIELDS = st.sampled_from(
    [
        "shift_name",
        "punch_times",
        "punch_time_rule",
        "flow_records",
        "user_ids",
        "record_ids",
        "check_time_from",
        "check_time_to",
        "check_date_from",
        "check_date_to",
        "app_id",
        "app_secret",
        "id",
        "users",
        "groups",
        "frozen",
        "error_rate",
        "need_overtime_result",
        "offset_seconds",
        "advance_seconds",
        "latency_ms",
        "endpoints",
        "tokens",
        "group_name",
        "exactly_matched",
    ]
)
BODIES = st.one_of(
    st.binary(max_size=200),
    JSON.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(FIELDS, JSON, max_size=6).map(lambda v: json.dumps(v).encode()),
)

_app = create_app(config=EmulatorConfig(rate_limit=0))
_client = httpx.Client(transport=httpx.WSGITransport(app=_app), base_url="http://e")
_token = _client.post(
    "/open-apis/auth/v3/tenant_access_token/internal",
    json={"app_id": _app.config.app_id, "app_secret": _app.config.app_secret},
).json()["tenant_access_token"]


@pytest.fixture(autouse=True, scope="module")
def _close_the_shared_app() -> Iterator[None]:
    # Hypothesis runs many examples per test, so one app serves the whole module.
    yield
    _client.close()
    _app.close()


def _check(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["X-Tt-Logid"]
    assert response.headers["Content-Type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert isinstance(body["code"], int)
    assert isinstance(body["msg"], str)
    assert response.status_code < 500, body
    assert (response.status_code == 200) == (body["code"] == 0), body
    return body


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(route=st.sampled_from(ROUTES), query=QUERIES, body=BODIES, auth=st.booleans())
def test_random_requests_get_envelopes(
    route: tuple[str, str], query: dict[str, str], body: bytes, auth: bool
) -> None:
    method, path = route
    headers = {"Authorization": f"Bearer {_token}"} if auth else {}
    response = _client.request(method, path, params=query, content=body, headers=headers)
    _check(response)
    _client.post("/_emulator/reset")  # keep the state small and the faults off


@settings(max_examples=100, deadline=None)
@given(
    path=st.text(min_size=1, max_size=40),
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"]),
)
def test_random_paths_get_envelopes(path: str, method: str) -> None:
    try:
        request = _client.build_request(method, "/" + path.lstrip("/"))
    except httpx.InvalidURL:
        assume(False)  # not sendable by a client at all
    _check(_client.send(request))


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 404),
        ("GET", "/open-apis/attendance/v2/shifts", 404),
        ("PUT", f"{API}/shifts", 405),
        ("GET", f"{API}/shifts/query", 400),
        ("POST", f"{API}/shifts/123", 405),
        ("GET", f"{API}/user_flows/batch_create", 400),
    ],
)
def test_unknown_routes_and_methods(method: str, path: str, status: int) -> None:
    headers = {"Authorization": f"Bearer {_token}"}
    response = _client.request(method, path, headers=headers)
    assert response.status_code == status
    _check(response)


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"[]",
        b'"x"',
        b"null",
        b"\xff\xfe",
        b'{"shift_name": NaN}',
        b'{"punch_times": 1e999}',
        b"{" * 10_000,
        b'{"a": ' + b"1" * 5000 + b"}",
        b"[" * 100_000 + b"]" * 100_000,  # deeper than the JSON parser's stack
        b'{"punch_time_rule": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    ],
)
def test_malformed_json_is_1220001(body: bytes) -> None:
    headers = {"Authorization": f"Bearer {_token}", "Content-Type": "application/json"}
    response = _client.post(f"{API}/shifts", content=body, headers=headers)
    assert response.status_code == 400
    assert _check(response)["code"] == 1220001


def test_deeply_nested_admin_bodies_are_1220001() -> None:
    deep = b'{"users": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = _client.post("/_emulator/seed", content=deep)
    assert response.status_code == 400
    assert _check(response)["code"] == 1220001


def test_a_body_over_one_mebibyte_is_400() -> None:
    headers = {"Authorization": f"Bearer {_token}"}
    big = json.dumps({"shift_name": "x" * (1024 * 1024)}).encode()
    response = _client.post(f"{API}/shifts", content=big, headers=headers)
    assert response.status_code == 400
    assert "too large" in _check(response)["msg"]


def test_the_emulator_imports_nothing_else_of_the_reconciler() -> None:
    import ast
    from pathlib import Path

    import reconciler.emulator

    package = Path(reconciler.emulator.__file__).parent
    for source in package.glob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                # A relative import is resolved from reconciler.emulator: ".." is reconciler.
                base = ["reconciler", "emulator"][: 3 - node.level] if node.level else []
                names = [".".join([*base, node.module or ""]).rstrip(".")]
            for name in names:
                if name == "reconciler" or name.startswith("reconciler."):
                    assert name.startswith("reconciler.emulator"), f"{source.name}: {name}"


def _every_route() -> list[tuple[str, str]]:
    """Each method of each rule of the routing map, path arguments filled in: a route
    added later is covered without touching this file."""
    routes = []
    for rule in _app.url_map.iter_rules():
        path = rule.rule
        for argument in rule.arguments:
            path = path.replace(f"<{argument}>", "123")
        routes += [(method, path) for method in sorted(rule.methods or ()) if method != "HEAD"]
    return routes


# Query by name takes its name in the query string and no body (contract §3.1).
BODYLESS = {("POST", f"{API}/shifts/query")}
LONE_SURROGATE_BODIES = [
    b'{"shift_name": "\\ud83d"}',
    b'{"flow_records": [{"user_id": "\\udc00", "comment": "x"}]}',
    b'{"user_ids": ["a\\ud83db"], "record_ids": ["\\ud83d"]}',
    b'{"\\ud83d": 1}',
    b'{"users": [{"employee_id": "u1", "name": "\\ud83d"}], "frozen": "\\ud83d"}',
]


@pytest.mark.parametrize("body", LONE_SURROGATE_BODIES)
@pytest.mark.parametrize(("method", "path"), _every_route())
def test_a_lone_surrogate_in_the_body_is_a_400_envelope_on_every_route(
    method: str, path: str, body: bytes
) -> None:
    headers = {"Authorization": f"Bearer {_token}", "Content-Type": "application/json"}
    response = _client.request(
        method, path, params={"employee_type": "employee_id"}, content=body, headers=headers
    )
    answer = _check(response)
    if method in ("POST", "PUT", "PATCH") and (method, path) not in BODYLESS:
        # Every route that reads a body refuses it; none stores or echoes it.
        assert response.status_code == 400, (method, path, answer)
        assert answer["code"] == 1220001
        assert "lone surrogate" in answer["msg"]
    _client.post("/_emulator/reset")


def test_the_routes_checked_include_the_admin_ones() -> None:
    paths = {path for _, path in _every_route()}
    assert {"/_emulator/seed", "/_emulator/reset", "/_emulator/faults"} <= paths
    assert len(_every_route()) >= len(ROUTES)


SURROGATE_TEXT = st.text(
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF) | st.characters(), min_size=1
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    route=st.sampled_from(_every_route()),
    body=st.dictionaries(FIELDS, JSON | SURROGATE_TEXT, max_size=4).map(
        lambda v: json.dumps(v).encode()
    ),
)
def test_random_bodies_with_surrogates_get_envelopes(route: tuple[str, str], body: bytes) -> None:
    method, path = route
    headers = {"Authorization": f"Bearer {_token}"}
    _check(_client.request(method, path, content=body, headers=headers))
    _client.post("/_emulator/reset")


@pytest.mark.parametrize(
    "path",
    [
        f"{API}/shifts/query?shift_name=%ED%A0%BD",  # a surrogate, UTF-8 encoded: not UTF-8
        f"{API}/shifts/%ED%A0%BD",
        f"{API}/shifts?page_token=%ED%A0%BD",
        f"{API}/user_flows/%ED%A0%BD?employee_type=employee_id",
    ],
)
def test_undecodable_query_strings_and_paths_get_envelopes(path: str) -> None:
    method = "POST" if "query" in path else "GET"
    response = _client.request(method, path, headers={"Authorization": f"Bearer {_token}"})
    assert response.status_code == 400
    _check(response)


GROUP_KEYS = st.sampled_from(
    ["id", "name", "type", "members", "shifts", "special_days", "rest_days", "schedule",
     "departments", "time_zone", "day", "shift", "u1"]
)  # fmt: skip
GROUP_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=12)
    | st.sampled_from(["rota", "2030-01-01", "早班", "u1", 20300101]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(GROUP_KEYS, inner, max_size=4),
    max_leaves=15,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entry=st.dictionaries(GROUP_KEYS, GROUP_VALUES, max_size=6))
def test_any_group_seed_is_stored_or_refused_with_an_envelope(entry: dict[str, Any]) -> None:
    document = {
        "users": [{"employee_id": "u1"}],
        "shifts": [{"shift_name": "早班", "punch_times": 1, "punch_time_rule": [RULE]}],
        "groups": [entry],
    }
    body = _check(_client.post("/_emulator/seed", json=document))
    if body["code"] == 0:  # then every group read answers it
        headers = {"Authorization": f"Bearer {_token}"}
        listed = _check(_client.get(f"{API}/groups", headers=headers))
        for group in listed["data"]["group_list"]:
            params = {"employee_type": "employee_id", "dept_type": "od"}
            _check(
                _client.get(
                    f"{API}/groups/{quote(group['group_id'], safe='')}",
                    params=params,
                    headers=headers,
                )
            )
    _client.post("/_emulator/reset")
