"""Contacts list state: filters, saved views and add contact through the real handlers."""

from __future__ import annotations

import pytest
from sqlmodel import SQLModel, select

from crm_app import db, settings
from crm_app.models import Contact
from crm_app.services import agents, contacts, fields, sessions
from crm_app.state.base import AppState
from crm_app.state.contacts import ContactsState


@pytest.fixture()
def clinic(tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CRM_DATABASE_URL", raising=False)
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    SQLModel.metadata.create_all(db.get_engine())
    with db.session_scope() as s:
        owner = agents.create_owner(s, "owner@clinic.example", "Clinic", "Dana", "W")
        other = agents.create_owner(s, "owner@shop.example", "Shop", "Sam", "S")
        agent = agents.create_agent(s, owner, "Reception", "reception")
        foreign = agents.create_agent(s, other, "Sales", "sales")
        fields.create_custom_field(s, owner, agent.id, label="Insurance", type="Dropdown", options=["Aetna", "Cigna"])
        for i, ins in enumerate(["Aetna", "Cigna", "Cigna"]):
            contacts.save_contact(s, agent, {"email": f"p{i}@example.com", "name": f"Person {i}", "insurance": ins},
                                  source="Form", origin=contacts.Origin("form", "f"))
        from crm_app.models import User

        user = s.exec(select(User).where(User.email == "owner@clinic.example")).one()
        token = sessions.create_session(s, user, owner.org_id)
        ids = {"agent": agent.id, "foreign": foreign.id, "token": token}
    yield ids
    db.get_engine().dispose()
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()


def _state(monkeypatch, token, agent_id):
    monkeypatch.setattr(AppState, "_token", lambda self: token)
    monkeypatch.setattr(AppState, "route_agent_id", lambda self: agent_id)
    return ContactsState(_reflex_internal_init=True)


def test_filter_save_view_clear_and_apply(clinic, monkeypatch):
    st = _state(monkeypatch, clinic["token"], clinic["agent"])
    st.load_page()
    st.refresh(True)
    assert st.agent_total == 3 and len(st.rows) == 3
    st.set_custom_key("insurance")
    st.set_filter("f_custom_value", "Cigna")
    st.refresh()
    assert st.total == 2
    st.set_view_name("Cigna")
    st.save_view()
    assert st.current_view != "" and st.views[0]["name"] == "Cigna"
    st.clear_filters()
    st.refresh()
    assert st.total == 3
    st.apply_view(str(st.views[0]["id"]))
    st.refresh()
    assert st.total == 2 and st.f_custom_key == "insurance"


def test_other_orgs_agent_shows_nothing(clinic, monkeypatch):
    st = _state(monkeypatch, clinic["token"], clinic["foreign"])
    event = st.load_page()
    assert "Agent not found" in str(event)
    assert st.rows == []


def test_add_contact_needs_email_or_phone_and_warns_on_duplicates(clinic, monkeypatch):
    st = _state(monkeypatch, clinic["token"], clinic["agent"])
    st.load_page()
    st.open_add()
    st.set_add_value("name", "No Contact")
    list(st.submit_add())
    assert "email" in st.add_errors
    st.set_add_value("email", "P1@example.com")
    st.check_similar()
    assert st.similar_name == "Person 1"
    list(st.submit_add())
    assert st.add_errors.get("email") == "A user with similar details already exists."
    st.set_add_value("email", "new@example.com")
    st.check_similar()
    assert st.similar_id == ""
    list(st.submit_add())
    assert st.add_open is False
    with db.session_scope() as s:
        c = s.exec(select(Contact).where(Contact.email == "new@example.com")).one()
        assert c.source == "Manual" and c.name == "No Contact"
