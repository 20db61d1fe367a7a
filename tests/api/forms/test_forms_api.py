"""Forms over HTTP: the public submit endpoint (multipart like the page, JSON like the
bench), the public description with its fill-time stamp, and members-only QR, CSV, files."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlmodel import SQLModel, select

from crm_app import db, settings
from crm_app.api import build_api
from crm_app.models import Contact, FormSubmission, Membership, User
from crm_app.services import agents, forms, principal, sessions, spam

PDF = b"%PDF-1.4\n% referral\n%%EOF\n"
DRAFT = {
    "elements": [
        {
            "id": "name",
            "type": "short_text",
            "label": "Your name",
            "required": True,
            "maps_to": "name",
        },
        {"id": "email", "type": "email", "label": "Email", "required": True, "maps_to": "email"},
        {
            "id": "topics",
            "type": "checkboxes",
            "label": "Topics",
            "options": ["Cleaning", "Whitening"],
        },
        {"id": "letter", "type": "file", "label": "Referral letter"},
    ],
    "settings": {"title": "Book a visit", "success_message": "See you soon!"},
}


@pytest.fixture()
def world(tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CRM_DATABASE_URL", raising=False)
    monkeypatch.delenv("CRM_FORM_RATE_LIMIT", raising=False)
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    SQLModel.metadata.create_all(db.get_engine())
    with db.session_scope() as s:
        owner = agents.create_owner(s, "rosa@harbor.example", "Harbor", "Rosa")
        agent = agents.create_agent(s, owner, "Front Desk", "front-desk")
        staff = User(email="sam@harbor.example")
        s.add(staff)
        s.flush()
        s.add(Membership(org_id=owner.org_id, user_id=staff.id, role="User", agent_ids=[agent.id]))
        s.flush()
        outsider = agents.create_owner(s, "olga@other.example", "Other")
        form = forms.create_form(s, owner, agent.id, "Book a visit")
        forms.save_draft(s, owner, agent.id, form.id, DRAFT)
        forms.publish(s, owner, agent.id, form.id)
        tokens = {
            "owner": sessions.create_session(s, s.get(User, owner.user_id), owner.org_id),
            "user": sessions.create_session(s, staff, owner.org_id),
            "outsider": sessions.create_session(s, s.get(User, outsider.user_id), outsider.org_id),
        }
        world = {"agent_id": agent.id, "form_id": form.id, "slug": form.slug, "tokens": tokens}
    yield world
    db.get_engine().dispose()
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()


@pytest.fixture()
def client():
    return TestClient(build_api())


def aged_token(slug: str) -> str:
    return spam.render_token(slug, now=time.time() - 20)


def test_multipart_submission_like_the_public_page(world, client):
    slug = world["slug"]
    response = client.post(
        f"/api/forms/{slug}/submit",
        data={
            "name": "Maria Lopez",
            "email": "maria@example.com",
            "topics": ["Cleaning", "Whitening"],
            "_token": aged_token(slug),
            "website": "",
        },
        files={"letter": ("letter.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"ok": True, "message": "See you soon!", "redirect_url": ""}
    with db.session_scope() as s:
        sub = s.exec(select(FormSubmission)).one()
        assert sub.status == "New" and sub.answers["topics"]["value"] == ["Cleaning", "Whitening"]
        assert sub.answers["letter"]["value"] == "letter.pdf"
        assert s.get(Contact, sub.contact_id).source == "Form"
    # The file: members of the agent only.
    url = f"/api/forms/{world['form_id']}/submissions/{sub.id}/files/letter"
    assert client.get(url).status_code == 401
    client.cookies.set(sessions.COOKIE_NAME, world["tokens"]["outsider"])
    assert client.get(url).status_code == 404
    client.cookies.set(sessions.COOKIE_NAME, world["tokens"]["user"])
    download = client.get(url)
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment")


def test_errors_come_back_per_question_and_nothing_is_stored(world, client):
    slug = world["slug"]
    response = client.post(
        f"/api/forms/{slug}/submit",
        json={"answers": {"name": "", "email": "nope"}, "token": aged_token(slug)},
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["name"] == "Please fill in this field." and "valid email" in errors["email"]
    bad_file = client.post(
        f"/api/forms/{slug}/submit",
        data={"name": "A", "email": "a@example.com", "_token": aged_token(slug)},
        files={"letter": ("letter.pdf", b"MZ\x90binary", "application/pdf")},
    )
    assert bad_file.status_code == 422 and "letter" in bad_file.json()["errors"]
    with db.session_scope() as s:
        assert s.exec(select(FormSubmission)).all() == []


def test_bots_get_the_same_answer_but_land_in_spam(world, client):
    slug = world["slug"]
    honeypot = client.post(
        f"/api/forms/{slug}/submit",
        json={
            "answers": {"name": "Bot", "email": "bot@example.com"},
            "token": aged_token(slug),
            "website": "x",
        },
    )
    no_stamp = client.post(
        f"/api/forms/{slug}/submit", json={"answers": {"name": "Bot", "email": "b2@example.com"}}
    )
    fresh = client.get(f"/api/forms/{slug}").json()["token"]
    too_fast = client.post(
        f"/api/forms/{slug}/submit",
        json={"answers": {"name": "Bot", "email": "b3@example.com"}, "token": fresh},
    )
    assert {r.status_code for r in (honeypot, no_stamp, too_fast)} == {200}
    with db.session_scope() as s:
        assert [x.status for x in s.exec(select(FormSubmission))] == ["Spam"] * 3
        assert s.exec(select(Contact)).all() == []


def test_closed_and_unknown_forms_refuse_politely(world, client):
    assert client.get("/api/forms/nope").status_code == 404
    with db.session_scope() as s:
        owner = principal.member(s, 1, 1)
        forms.set_status(s, owner, world["agent_id"], world["form_id"], "Closed")
    response = client.post(f"/api/forms/{world['slug']}/submit", json={"answers": {}})
    assert response.status_code == 409 and response.json()["unavailable"] == "closed"
    assert "no longer accepts" in response.json()["message"]


def test_qr_and_csv_are_for_members(world, client):
    qr = f"/api/forms/{world['form_id']}/qr.png"
    csv_url = f"/api/agents/{world['agent_id']}/forms/{world['form_id']}/submissions.csv"
    assert client.get(qr).status_code == 401
    client.cookies.set(sessions.COOKIE_NAME, world["tokens"]["outsider"])
    assert client.get(qr).status_code == 404 and client.get(csv_url).status_code == 404
    client.cookies.set(sessions.COOKIE_NAME, world["tokens"]["user"])
    png = client.get(qr + "?download=1")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert png.headers["content-disposition"].startswith("attachment")
    assert client.get(csv_url).status_code == 403  # export is Admin+
    client.cookies.set(sessions.COOKIE_NAME, world["tokens"]["owner"])
    export = client.get(csv_url + "?status=All")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert (
        export.content.decode("utf-8-sig").splitlines()[0]
        == "Submitted,Status,Contact,Your name,Email,Topics,Referral letter"
    )


def _post_from(client, slug: str, n: int, forwarded_for: str):
    return client.post(
        f"/api/forms/{slug}/submit",
        headers={"X-Forwarded-For": forwarded_for},
        json={
            "answers": {"name": f"Visitor {n}", "email": f"v{n}@example.com"},
            "token": aged_token(slug),
        },
    )


def test_the_rate_limit_counts_the_visitor_behind_a_trusted_proxy(world, client, monkeypatch):
    """Behind one trusted reverse proxy each visitor has their own limit; without the
    setting, X-Forwarded-For is ignored (a bot could otherwise dodge the limit by writing it)."""
    monkeypatch.setenv("CRM_FORM_RATE_LIMIT", "2")
    monkeypatch.setenv("CRM_TRUSTED_PROXY_HOPS", "1")
    settings.get_settings.cache_clear()
    slug = world["slug"]
    for n, visitor in enumerate(["203.0.113.7", "198.51.100.9", "203.0.113.7", "198.51.100.9"]):
        assert _post_from(client, slug, n, f"10.9.9.9, {visitor}").status_code == 200
    with db.session_scope() as s:
        rows = s.exec(select(FormSubmission).order_by(FormSubmission.id)).all()
        assert [r.ip for r in rows] == ["203.0.113.7", "198.51.100.9"] * 2
        assert [r.status for r in rows] == ["New"] * 4  # two each: within the limit

    monkeypatch.setenv("CRM_TRUSTED_PROXY_HOPS", "0")
    settings.get_settings.cache_clear()
    for n in range(4, 7):  # the test client's own address, whatever the header says
        assert _post_from(client, slug, n, f"192.0.2.{n}").status_code == 200
    with db.session_scope() as s:
        latest = s.exec(select(FormSubmission).order_by(FormSubmission.id.desc()).limit(3)).all()
        assert {r.ip for r in latest} == {"testclient"}
        assert [r.status for r in reversed(latest)] == ["New", "New", "Spam"]
