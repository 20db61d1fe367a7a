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
        fields.create_custom_field(
            s, owner, agent.id, label="Insurance", type="Dropdown", options=["Aetna", "Cigna"]
        )
        for i, ins in enumerate(["Aetna", "Cigna", "Cigna"]):
            contacts.save_contact(
                s,
                agent,
                {"email": f"p{i}@example.com", "name": f"Person {i}", "insurance": ins},
                source="Form",
                origin=contacts.Origin("form", "f"),
            )
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
    assert st.current_view != "" and st.views[0].name == "Cigna"
    st.clear_filters()
    st.refresh()
    assert st.total == 3
    st.apply_view(str(st.views[0].id))
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


def test_pages_by_keyset_and_the_count_after_the_rows(clinic, monkeypatch):
    with db.session_scope() as s:
        from crm_app.models import Agent

        agent = s.get(Agent, clinic["agent"])
        for i in range(57):
            contacts.save_contact(
                s,
                agent,
                {"email": f"q{i}@example.com", "name": f"Quinn {i:02d}"},
                source="Chat",
                origin=contacts.Origin("form", "f"),
            )
    st = _state(monkeypatch, clinic["token"], clinic["agent"])
    st.load_page()
    st.sort_by("name")  # A-Z: Person 0-2, then Quinn 00-56
    assert st.refresh() == ContactsState.count_matches and st.total == -1
    assert st.range_label == "1–25 of …" and st.has_next and not st.has_previous
    st.count_matches()
    assert st.total == 60 and st.range_label == "1–25 of 60" and st.page_label == "Page 1 of 3"
    first = [r.name for r in st.rows]
    st.go_page(1)
    second = [r.name for r in st.rows]
    assert second[0] == "Quinn 22" and st.page_label == "Page 2 of 3" and st.has_previous
    st.go_page(1)
    assert [r.name for r in st.rows][-1] == "Quinn 56" and st.range_label == "51–60 of 60"
    assert not st.has_next
    st.go_page(1)  # nothing further: stays
    assert st.page == 3
    st.go_page(-1)
    assert [r.name for r in st.rows] == second
    st.go_page(-1)
    assert [r.name for r in st.rows] == first and st.page == 1 and not st.has_previous
    st.go_page(1)
    st.set_search("quinn 5")  # a new query starts again at page 1 with a fresh count
    st.refresh()
    assert st.page == 1 and [r.name for r in st.rows][0] == "Quinn 50" and st.total == 7
