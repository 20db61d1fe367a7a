"""Pipeline handlers as the browser calls them (any arguments, any member)."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from crm_app.db import session_scope
from crm_app.models import Activity, AuditLog, Contact


def _column(state, name):
    return next(c for c in state.columns if c.name == name)


def _stage_of(contact_id):
    with session_scope() as s:
        return str(s.get(Contact, contact_id).stage_id)


def _writes():
    with session_scope() as s:
        return (
            s.exec(select(func.count()).select_from(Activity)).one(),
            s.exec(select(func.count()).select_from(AuditLog)).one(),
        )


def test_load_shows_columns_by_stage_with_counts_and_links(world, make_state):
    state = make_state(world.tokens["user"], world.agent_id)
    assert state.loaded and not state.not_found
    assert [c.name for c in state.columns] == ["Lead", "Prospect", "Customer", "Old Customer"]
    assert [c.count for c in state.columns] == [2, 0, 0, 0]
    assert {c.title for c in _column(state, "Lead").cards} == {"Maria Lopez", "John Doe"}
    assert state.summary == "2 contacts across 4 stages"
    assert state.card_href == f"/agents/{world.agent_id}/crm/contacts/"


def test_search_narrows_the_board(world, make_state):
    state = make_state(world.tokens["owner"], world.agent_id)
    state.set_search("lopez")
    state.refresh()
    assert [c.title for c in _column(state, "Lead").cards] == ["Maria Lopez"]
    state.clear_filters()
    state.refresh()
    assert state.total == 2


def test_a_user_moves_a_card_and_sees_it_in_the_new_column(world, make_state):
    state = make_state(world.tokens["user"], world.agent_id)
    revision = state.revision
    maria = world.contacts["Maria Lopez"]
    result = state.move_card([maria, world.stages["Customer"]])
    assert "Moved Maria Lopez to Customer." in str(result)
    assert state.revision > revision
    assert [c.title for c in _column(state, "Customer").cards] == ["Maria Lopez"]
    assert _column(state, "Lead").count == 1
    assert _stage_of(maria) == world.stages["Customer"]
    with session_scope() as s:
        lines = s.exec(
            select(Activity.message).where(Activity.contact_id == maria, Activity.kind == "stage")
        ).all()
        assert "Stage changed from Lead to Customer by Sam Staff" in lines


def test_dropping_back_into_the_same_column_is_quiet(world, make_state):
    state = make_state(world.tokens["owner"], world.agent_id)
    before = _writes()
    assert state.move_card([world.contacts["John Doe"], world.stages["Lead"]]) is None
    assert _writes() == before


@pytest.mark.parametrize(
    "payload",
    [
        "garbage",
        [],
        ["only-one"],
        ["a", "b", "c"],
        [None, None],
        ["nope", "1"],
        [{"x": 1}, "1"],
    ],
)
def test_malformed_moves_are_refused(world, make_state, payload):
    state = make_state(world.tokens["owner"], world.agent_id)
    before = _writes()
    result = state.move_card(payload)
    assert "toast" in str(result).lower() or "not found" in str(result).lower()
    assert _writes() == before


def test_foreign_cards_and_stages_are_refused(world, make_state):
    state = make_state(world.tokens["owner"], world.agent_id)
    before = _writes()
    revision = state.revision
    # Another organization's contact into our stage, and our contact into their stage.
    assert "Contact not found." in str(
        state.move_card([world.contacts["Shop customer"], world.stages["Customer"]])
    )
    assert state.revision > revision  # the board drops the optimistic move
    assert "Stage not found." in str(
        state.move_card([world.contacts["Maria Lopez"], world.shop_stages["Customer"]])
    )
    assert _writes() == before
    assert _stage_of(world.contacts["Shop customer"]) == world.shop_stages["Lead"]
    assert _stage_of(world.contacts["Maria Lopez"]) == world.stages["Lead"]


@pytest.mark.parametrize("who", ["outsider", "stranger"])
def test_members_without_the_agent_get_agent_not_found_and_move_nothing(world, make_state, who):
    state = make_state(world.tokens[who], world.agent_id)
    assert state.not_found and state.columns == []
    assert "Agent not found." in str(state.refresh())
    before = _writes()
    assert "not found" in str(
        state.move_card([world.contacts["Maria Lopez"], world.stages["Customer"]])
    )
    assert _writes() == before
    assert _stage_of(world.contacts["Maria Lopez"]) == world.stages["Lead"]
    # A crafted "Load more" for a column they never saw.
    assert "Stage not found." in str(state.load_more([world.stages["Lead"]]))


def test_outsider_cannot_load_more_of_our_columns_through_their_own_board(world, make_state):
    state = make_state(world.tokens["outsider"], world.shop_agent_id)
    assert [c.count for c in state.columns] == [1, 0, 0, 0]
    assert "Stage not found." in str(state.load_more([world.stages["Lead"]]))
    assert all(card.title == "Shop customer" for c in state.columns for card in c.cards)


def test_load_more_appends_the_next_cards(world, make_state, monkeypatch):
    from crm_app.services import pipeline

    monkeypatch.setattr(pipeline, "PER_STAGE", 1)
    state = make_state(world.tokens["owner"], world.agent_id)
    lead = _column(state, "Lead")
    assert lead.count == 2 and len(lead.cards) == 1
    state.load_more([lead.id])
    assert [c.title for c in _column(state, "Lead").cards] == ["John Doe", "Maria Lopez"]
    state.load_more([lead.id])  # nothing more: no duplicates
    assert len(_column(state, "Lead").cards) == 2


def test_signed_out_browser_is_sent_to_sign_in(world, make_state):
    state = make_state("not-a-session", world.agent_id)
    assert "/login" in str(
        state.move_card([world.contacts["Maria Lopez"], world.stages["Customer"]])
    )
    assert _stage_of(world.contacts["Maria Lopez"]) == world.stages["Lead"]


def _list_state(state):
    from crm_app.state.contacts import ContactsState

    root = state.state.parent_state.parent_state
    return root.get_substate(ContactsState.get_full_name().split(".")[1:])


def test_the_board_applies_the_lists_filters_of_the_same_agent(world, make_state):
    from crm_app.state.contacts import ALL

    with session_scope() as s:
        john = s.get(Contact, world.contacts["John Doe"])
        john.status = "Inactive"
        s.add(john)
    state = make_state(world.tokens["owner"], world.agent_id)
    contacts = _list_state(state)
    contacts.agent_key, contacts.f_status, contacts.f_stage = (
        str(world.agent_id),
        "Inactive",
        world.stages["Customer"],
    )
    state.refresh()
    # Status applies; the stage filter does not (the board is by stage).
    assert [c.title for c in _column(state, "Lead").cards] == ["John Doe"]
    assert state.list_filters == 1 and state.summary == "1 contact across 4 stages"
    state.set_search("lopez")
    state.refresh()
    assert state.total == 0
    # Filters the list holds for another agent are not this board's.
    contacts.agent_key = str(world.shop_agent_id)
    state.refresh()
    assert state.list_filters == 0 and state.total == 1  # the board's own search still applies
    contacts.agent_key = str(world.agent_id)
    state.clear_filters()
    state.refresh()
    assert state.total == 2 and state.list_filters == 0 and state.search == ""
    assert (contacts.f_status, contacts.f_stage) == (ALL, ALL)
