"""Agent → Agent settings in Chromium: an Owner makes the agent Public, switches the reply
engine to an OpenAI-compatible provider (a local chat-completions server in this process),
tests the connection (a refused key, then connected) and saves a write-only key; a visitor
then chats with the agent through the public chat API and the provider answers, with the
saved key. Screenshots: screenshots/tmp/agent-settings-*.png (1280x800 and 390x844)."""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from crm_app.db import make_engine
from crm_app.models import Agent, Membership, Organization, User
from crm_app.services import fields, stages
from tests.e2e.helpers import open_page, screenshot, sign_in_with_ticket
from tests.support.fake_llm import FakeLLM, Reply

pytestmark = pytest.mark.e2e

KEY = "sk-e2e-" + secrets.token_hex(12)


def _seed(database_url: str) -> dict:
    tag = secrets.token_hex(4)
    engine = make_engine(database_url)
    try:
        with Session(engine, expire_on_commit=False) as s:
            org = Organization(name=f"Sunrise Clinic {tag}")
            owner = User(email=f"dana-{tag}@clinic.example", first_name="Dana", last_name="W")
            s.add_all([org, owner])
            s.flush()
            s.add(Membership(org_id=org.id, user_id=owner.id, role="Owner"))
            agent = Agent(org_id=org.id, name="Reception", slug=f"reception-{tag}")
            s.add(agent)
            s.flush()
            fields.install_default_fields(s, agent.id)
            stages.install_default_stages(s, agent.id)
            s.commit()
            return {"org_id": org.id, "owner": owner, "agent_id": agent.id, "slug": agent.slug}
    finally:
        engine.dispose()


def _chat(live_app, slug: str, text: str) -> tuple[dict, str]:
    """A visitor on another site: the agent's description and the streamed reply's text."""
    base = live_app.url(f"/api/public-chat/{slug}")
    with httpx.Client(timeout=30, headers={"Origin": "https://clinic-site.example"}) as client:
        about = client.get(base).json()["data"]
        if not about["available"] or about.get("gate"):  # gated: a visitor signs in first
            return about, ""
        token = client.post(f"{base}/visitors").json()["data"]["token"]
        headers = {"X-Visitor-Token": token}
        conv = client.post(f"{base}/conversations", headers=headers).json()["data"]
        reply = ""
        with client.stream(
            "POST",
            f"{base}/conversations/{conv['id']}/messages",
            headers=headers,
            json={"text": text},
        ) as response:
            assert response.status_code == 200
            event = ""
            for line in response.iter_lines():
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event == "delta":
                    reply += json.loads(line[6:])["text"]
        return about, reply


def _stored_key(data_dir: Path, agent_id: int) -> str:
    with sqlite3.connect(data_dir / "crm.db") as conn:
        return conn.execute("SELECT llm_api_key FROM agent WHERE id = ?", (agent_id,)).fetchone()[0]


def test_owner_makes_the_agent_public_on_a_provider(page: Page, live_app, monkeypatch):
    world = _seed(live_app.database_url)
    path = f"/agents/{world['agent_id']}/settings"
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in_with_ticket(page, live_app, monkeypatch, world["owner"], world["org_id"], path)
    page.wait_for_url(re.compile(re.escape(path)))

    expect(page.get_by_role("heading", name="Agent settings")).to_be_visible()
    expect(page.get_by_role("link", name="Agent settings")).to_be_visible()  # the sidebar
    general = page.get_by_role("form", name="General")
    expect(general.get_by_label("Name")).to_have_value("Reception")
    expect(general.get_by_text(f"/a/{world['slug']}").first).to_be_visible()
    about, _ = _chat(live_app, world["slug"], "hello")
    assert about["available"] is False and about["reason"] == "private"
    screenshot(page, "agent-settings-desktop")

    # Visibility: Public · Use for Free, chosen in `Make your chatbot public?` (the gated
    # modes: tests/e2e/test_gated_admin.py).
    visibility = page.get_by_role("region", name="Visibility")
    visibility.get_by_role("radio", name="Public").click()
    dialog = page.get_by_role("dialog", name="Make your chatbot public?")
    expect(dialog.get_by_role("radio", name="Use for Free")).to_be_checked()
    dialog.get_by_role("button", name="Make public").click()
    expect(
        page.get_by_text("Public: anyone with the link can chat with this agent.")
    ).to_be_visible()
    expect(visibility.get_by_text("Access: Use for Free")).to_be_visible()

    # Reply engine: an OpenAI-compatible provider, tested before saving.
    engine = page.get_by_role("form", name="Reply engine")
    engine.get_by_role("radio", name="OpenAI-compatible provider").click()
    with FakeLLM() as llm:
        engine.get_by_label("Base URL").fill(llm.base_url)
        engine.get_by_label("Model").fill("fake-model")
        engine.get_by_label("API key").fill("sk-wrong")
        llm.script(Reply(status=401, error_message="Incorrect API key provided."))
        engine.get_by_role("button", name="Test connection").click()
        expect(engine.get_by_text("The provider refused the API key (HTTP 401)")).to_be_visible()
        engine.get_by_label("API key").fill(KEY)
        engine.get_by_role("button", name="Test connection").click()
        expect(engine.get_by_text("Connected: fake-model answered “OK”.")).to_be_visible()
        assert llm.authorizations == ["Bearer sk-wrong", f"Bearer {KEY}"]
        screenshot(page, "agent-settings-engine")
        engine.get_by_role("button", name="Save reply engine").click()
        expect(page.get_by_text("Reply engine saved.")).to_be_visible()
        expect(engine.get_by_text("A key is saved")).to_be_visible()
        expect(engine.get_by_label("API key")).to_have_count(0)

        # The key is sealed at rest and never sent back to the page.
        stored = _stored_key(live_app.data_dir, world["agent_id"])
        assert stored.startswith("fernet:") and KEY not in stored
        page.reload()
        expect(engine.get_by_text("A key is saved")).to_be_visible()
        expect(engine.get_by_label("Base URL")).to_have_value(llm.base_url)
        assert KEY not in page.content()

        # A visitor chats on the public API: the provider answers, with the saved key.
        llm.script(Reply(text=["Hello from ", "the provider!"]))
        about, reply = _chat(live_app, world["slug"], "Hi, do you open on Saturdays?")
        assert about["available"] is True
        assert reply == "Hello from the provider!"
        assert llm.authorizations[-1] == f"Bearer {KEY}"
        assert llm.requests[-1]["model"] == "fake-model"

    # Replace / Remove, then a phone-sized screen.
    engine.get_by_role("button", name="Replace").click()
    expect(engine.get_by_label("API key")).to_be_visible()
    engine.get_by_role("button", name="Cancel").click()
    expect(engine.get_by_text("A key is saved")).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, live_app.url(path))
    expect(page.get_by_role("heading", name="Agent settings")).to_be_visible()
    expect(
        page.get_by_role("form", name="Reply engine").get_by_text("A key is saved")
    ).to_be_visible()
    screenshot(page, "agent-settings-phone")


def test_a_user_reads_only(page: Page, live_app, monkeypatch):
    world = _seed(live_app.database_url)
    engine = make_engine(live_app.database_url)
    try:
        with Session(engine, expire_on_commit=False) as s:
            agent = s.get(Agent, world["agent_id"])
            agent.visibility, agent.access_mode = "Public", "Restrict"
            staff = User(email=f"sam-{world['slug']}@clinic.example", first_name="Sam")
            s.add_all([agent, staff])
            s.flush()
            s.add(
                Membership(
                    org_id=world["org_id"],
                    user_id=staff.id,
                    role="User",
                    agent_ids=[world["agent_id"]],
                )
            )
            s.commit()
    finally:
        engine.dispose()
    path = f"/agents/{world['agent_id']}/settings"
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in_with_ticket(page, live_app, monkeypatch, staff, world["org_id"], path)
    page.wait_for_url(re.compile(re.escape(path)))

    expect(
        page.get_by_text("You can view these settings. Only Owners and Admins can change them.")
    ).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Save"))).to_have_count(0)
    expect(page.get_by_label("Name")).to_have_attribute("readonly", "")
    visibility = page.get_by_role("region", name="Visibility")
    expect(visibility.get_by_role("radio", name="Public")).to_be_checked()
    expect(visibility.get_by_role("radio", name="Public")).to_be_disabled()
    expect(visibility.get_by_text("Access: Restrict")).to_be_visible()
    expect(visibility.get_by_role("button", name="Change access")).to_have_count(0)
    screenshot(page, "agent-settings-user-read-only")
