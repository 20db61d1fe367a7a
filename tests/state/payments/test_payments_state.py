"""Settings → Payments and Paid Access Configuration handlers as the browser calls them: the
Owner saves keys (never in a state var), an Admin gets "Only the Owner…", field errors land
at their fields, a User cannot change the offer."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from crm_app import db
from crm_app.models import Agent, Membership, Organization, User
from crm_app.services import fields, sessions, stages
from crm_app.state.base import AppState
from crm_app.state.paid_access import PaidAccessState
from crm_app.state.payments import PaymentsState

KEY = "sk_test_51StateTestKeyPLAIN0042"
WHSEC = "whsec_stateTestSecretPLAIN0042"


@dataclass
class World:
    agent_id: int
    owner: str
    admin: str
    user: str


@pytest.fixture()
def world(db_env):
    with db.session_scope() as s:
        org = Organization(name="Coach")
        people = [User(email=f"{r}@coach.example", first_name=r) for r in ("o", "a", "u")]
        s.add_all([org, *people])
        s.flush()
        agent = Agent(org_id=org.id, name="Coach", slug="coach", visibility="Public")
        agent.access_mode = "Pay for Access"
        s.add(agent)
        s.flush()
        fields.install_default_fields(s, agent.id)
        stages.install_default_stages(s, agent.id)
        for user, role in zip(people, ("Owner", "Admin", "User"), strict=True):
            ids = [agent.id] if role == "User" else []
            s.add(Membership(org_id=org.id, user_id=user.id, role=role, agent_ids=ids))
        s.flush()
        tokens = [sessions.create_session(s, u, org.id) for u in people]
        return World(agent.id, *tokens)


def _make(monkeypatch, cls, token: str, agent_id: int | None = None):
    monkeypatch.setattr(AppState, "_token", lambda self: token)
    monkeypatch.setattr(AppState, "route_agent_id", lambda self: agent_id)
    root = AppState(_reflex_internal_init=True)
    state = root.get_substate(cls.get_full_name().split(".")[2:])
    state.load_shell()
    state.load()
    return state


def _vars(state) -> str:
    return repr({name: getattr(state, name) for name in state.base_vars}) + repr(state.dict())


def test_the_owner_saves_keys_that_never_reach_state(world, monkeypatch):
    state = _make(monkeypatch, PaymentsState, world.owner)
    assert state.allowed and not state.has_secret_key
    assert state.webhook_url.endswith("/api/payments/stripe/1/webhook")
    state.save({"secret_key": "pk_test_12345678", "webhook_secret": "nope"})
    assert set(state.errors) == {"secret_key", "webhook_secret"}
    state.save({"secret_key": KEY, "webhook_secret": WHSEC})
    assert state.errors == {} and state.has_secret_key and state.has_webhook_secret
    assert state.key_hint == "sk_test_…0042" and state.mode == "test"
    assert KEY not in _vars(state) and WHSEC not in _vars(state)
    state.set_remove_open(True)
    state.remove()
    assert not state.has_secret_key and not state.remove_open


@pytest.mark.parametrize("who", ["admin", "user"])
def test_others_are_told_only_the_owner_manages_payments(world, monkeypatch, who):
    state = _make(monkeypatch, PaymentsState, getattr(world, who))
    assert state.loaded and not state.allowed
    state.save({"secret_key": KEY})
    assert state.errors == {} and not state.has_secret_key


def test_the_offer_form(world, monkeypatch):
    state = _make(monkeypatch, PaidAccessState, world.admin, world.agent_id)
    assert state.loaded and state.can_edit and not state.connected
    state.set_field("currency", "xyz")  # not in the list: ignored
    assert state.currency == "usd"
    state.save({"price": "0.10", "days": "0", "credits": "-1"})
    assert set(state.errors) == {"price", "days", "credits"}
    state.set_field("price", "12")
    assert "price" not in state.errors
    state.set_field("currency", "jpy")
    state.save({"price": "500", "days": "7", "credits": ""})
    assert state.errors == {} and state.summary == "¥500 for 7 days · unlimited messages"
    assert state.preview == state.summary


def test_a_user_reads_the_offer_but_cannot_save_it(world, monkeypatch):
    state = _make(monkeypatch, PaidAccessState, world.user, world.agent_id)
    assert state.loaded and not state.can_edit
    state.save({"price": "9", "days": "30", "credits": "10"})
    with db.session_scope() as s:
        assert s.get(Agent, world.agent_id).paid_config == {}
