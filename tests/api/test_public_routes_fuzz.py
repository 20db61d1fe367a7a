"""Every HTTP route a signed-out visitor can reach answers malformed input with a 4xx (or a
redirect), never a 5xx: the public form's submit and description routes, sign-in
completion, the OIDC callback, and every member route under /api (which must refuse a
visitor without a session or with a forged one); a refused request writes nothing.
Hypothesis generates the input."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlmodel import func, select

from crm_app import db, settings
from crm_app.api import build_api
from crm_app.models import Contact, FormSubmission, FormTokenUse
from crm_app.services import agents, forms, sessions

DRAFT = {
    "elements": [
        {
            "id": "name",
            "type": "short_text",
            "label": "Your name",
            "required": True,
            "maps_to": "name",
        },
        {"id": "email", "type": "email", "label": "Email", "maps_to": "email"},
        {"id": "notes", "type": "long_text", "label": "Notes"},
        {"id": "guests", "type": "number", "label": "Guests"},
        {"id": "day", "type": "date", "label": "Day"},
        {
            "id": "topics",
            "type": "checkboxes",
            "label": "Topics",
            "options": ["Cleaning", "Whitening"],
        },
        {"id": "clinic", "type": "dropdown", "label": "Clinic", "options": ["Downtown", "Harbor"]},
        {"id": "consent", "type": "consent", "label": "I agree"},
        {"id": "letter", "type": "file", "label": "Letter"},
    ],
    "settings": {"title": "Book a visit"},
}
IDS = [e["id"] for e in DRAFT["elements"]] + [forms.TOKEN_NAME, forms.HONEYPOT_NAME]


@pytest.fixture()
def world(engine, monkeypatch):
    """A published form on SQLite (and PostgreSQL, which refuses NUL in text, when configured)."""
    monkeypatch.setenv("CRM_FORM_RATE_LIMIT", "0")  # every example reaches validation
    # OIDC on (with a provider nobody answers for), so the callback runs its checks.
    monkeypatch.setenv("CRM_OIDC_ISSUER", "http://127.0.0.1:9")
    monkeypatch.setenv("CRM_OIDC_CLIENT_ID", "crm")
    monkeypatch.setenv("CRM_OIDC_CLIENT_SECRET", "secret")
    settings.get_settings.cache_clear()
    with db.session_scope() as s:
        owner = agents.create_owner(s, "rosa@harbor.example", "Harbor", "Rosa")
        agent = agents.create_agent(s, owner, "Front Desk", "front-desk")
        form = forms.create_form(s, owner, agent.id, "Book a visit")
        forms.save_draft(s, owner, agent.id, form.id, DRAFT)
        forms.publish(s, owner, agent.id, form.id)
        world = {"slug": form.slug, "form_id": str(form.id), "agent_id": str(agent.id)}
    yield world
    settings.get_settings.cache_clear()


def _counts() -> tuple[int, ...]:
    with db.session_scope(read_only=True) as s:
        return tuple(
            s.exec(select(func.count()).select_from(t)).one()
            for t in (FormSubmission, Contact, FormTokenUse)
        )


# ------------------------------------------------------------------ the two reported 500s


def test_json_nested_ten_thousand_levels_deep_is_a_400_and_writes_nothing(world):
    client = TestClient(build_api())
    body = '{"answers": {"name": ' + "[" * 10_000 + "]" * 10_000 + "}}"
    response = client.post(
        f"/api/forms/{world['slug']}/submit",
        content=body,
        headers={"content-type": "application/json"},
    )
    assert (
        response.status_code == 400
        and response.json()["message"] == "The request body is not valid JSON."
    )
    assert _counts() == (0, 0, 0)


def test_a_lone_surrogate_is_a_422_on_its_question_and_writes_nothing(world):
    client = TestClient(build_api())
    body = json.dumps(
        {"answers": {"name": "Maria \ud800", "email": "maria@example.com"}, "token": "\ud800"}
    )
    response = client.post(
        f"/api/forms/{world['slug']}/submit",
        content=body,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert "control characters" in response.json()["errors"]["name"]
    assert _counts() == (0, 0, 0)


# ------------------------------------------------------------------ fuzzing every route

_printable = st.text(
    st.characters(blacklist_categories=("Cs",)), max_size=40
)  # what a URL can carry
_json_leaf = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
_json = st.recursive(
    _json_leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
_answers = st.dictionaries(st.sampled_from(IDS) | st.text(max_size=8), _json, max_size=8)
_form_value = _printable | st.lists(_printable, min_size=2, max_size=3)


@st.composite
def _body(draw):
    """(content bytes, content type) or (multipart data, files) for one request."""
    kind = draw(st.sampled_from(["json", "answers", "raw", "multipart", "deep"]))
    if kind == "json":
        return {
            "content": json.dumps(draw(_json)).encode(),
            "headers": {"content-type": "application/json"},
        }
    if kind == "answers":
        payload = {"answers": draw(_answers), "token": draw(_json), "website": draw(_json)}
        return {
            "content": json.dumps(payload).encode(),
            "headers": {"content-type": "application/json"},
        }
    if kind == "deep":
        depth = draw(st.integers(900, 20_000))
        opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
        return {
            "content": (opener * depth + "1" + closer * depth).encode(),
            "headers": {"content-type": "application/json"},
        }
    if kind == "raw":
        ctype = draw(
            st.sampled_from(
                [
                    "application/json",
                    "multipart/form-data; boundary=xyz",
                    "multipart/form-data",
                    "application/x-www-form-urlencoded",
                    "text/plain",
                    "",
                ]
            )
        )
        return {"content": draw(st.binary(max_size=300)), "headers": {"content-type": ctype}}
    data = draw(st.dictionaries(st.sampled_from(IDS) | _printable, _form_value, max_size=8))
    files = draw(
        st.dictionaries(
            st.sampled_from(["letter", "name", "x"]),
            st.tuples(
                _printable,
                st.binary(max_size=200),
                st.sampled_from(["application/pdf", "text/plain", "image/png"]),
            ),
            max_size=2,
        )
    )
    return {"data": data, "files": files or None}


def _routes() -> list[tuple[str, str]]:
    """Every (method, path) of the app's OpenAPI description: routes added later are fuzzed too."""
    return [
        (method.upper(), path)
        for path, item in build_api().openapi()["paths"].items()
        for method in sorted(item)
    ]


ROUTES = _routes()


def test_the_fuzzed_routes_are_the_public_and_member_api():
    paths = {path for _, path in ROUTES}
    assert {
        "/api/forms/{slug}/submit",
        "/api/forms/{slug}",
        "/api/auth/complete",
        "/api/auth/oidc/callback",
    } <= paths
    assert all(path.startswith("/api/") for path in paths)


@pytest.mark.parametrize("method, path", ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
@hsettings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_public_route_answers_5xx_to_malformed_input(world, method, path, data):
    client = TestClient(build_api(), follow_redirects=False)
    known = {"slug": world["slug"], "form_id": world["form_id"], "agent_id": world["agent_id"]}
    url = path
    for name in [p.strip("{}") for p in path.split("/") if p.startswith("{")]:
        value = data.draw(st.sampled_from([known.get(name, "1")]) | _printable, label=name)
        url = url.replace("{" + name + "}", quote(value, safe="") or "%20")
    params = data.draw(
        st.dictionaries(
            st.sampled_from(
                [
                    "ticket",
                    "code",
                    "state",
                    "error",
                    "status",
                    "search",
                    "from",
                    "to",
                    "download",
                    "q",
                ]
            )
            | _printable,
            _printable,
            max_size=4,
        ),
        label="query",
    )
    cookies = data.draw(
        st.sampled_from(
            [
                {},
                {sessions.COOKIE_NAME: "forged"},
                {"crm_oidc": "forged.flow"},
                {"crm_chat_oidc": "forged.flow"},
            ]
        ),
        label="cookies",
    )
    client.cookies.update(cookies)
    kwargs = data.draw(_body(), label="body") if method == "POST" else {}
    before = _counts()
    response = client.request(method, url, params=params, **kwargs)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:  # refused: nothing written
        assert _counts() == before
