"""The Pipeline board and card moves as the page's handlers call them."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from crm_app.db import session_scope
from crm_app.models import Activity, AuditLog, Contact
from crm_app.services import pipeline
from crm_app.services.contact_list import ListQuery
from crm_app.services.errors import NotFound


def _board(world, actor="owner", **query):
    with session_scope() as s:
        return pipeline.board(s, world["actors"][actor], world["agent_id"], ListQuery(**query))


def _column(columns, name):
    return next(c for c in columns if c["name"] == name)


def _stage(world, name, agent="agent_id"):
    return world["stages"][(world[agent], name)]


def _counts():
    with session_scope() as s:
        return (
            s.exec(select(func.count()).select_from(Activity)).one(),
            s.exec(select(func.count()).select_from(AuditLog)).one(),
        )


def test_board_has_a_column_per_stage_in_order_with_counts_and_cards(world):
    columns = _board(world)
    assert [c["name"] for c in columns] == ["Lead", "Prospect", "Customer", "Old Customer"]
    assert [c["count"] for c in columns] == [3, 0, 0, 0]
    lead = columns[0]
    assert lead["droppable"] is True and lead["id"] == str(_stage(world, "Lead"))
    assert [card["title"] for card in lead["cards"]] == [
        "Ava Diaz",
        "John Doe",
        "Maria Lopez",
    ]  # newest first
    card = lead["cards"][0]
    assert card["email"] == "ava@example.com" and card["source"] == "via Manual"
    assert card["stage_id"] == lead["id"] and card["created"]
    # Another organization's contact is never on this board.
    assert all(c["title"] != "Shop customer" for col in columns for c in col["cards"])


def test_board_applies_the_lists_search_and_filters(world):
    assert [c["count"] for c in _board(world, search="diaz")] == [1, 0, 0, 0]
    assert _board(world, search="diaz")[0]["cards"][0]["title"] == "Ava Diaz"
    assert [c["count"] for c in _board(world, stage_ids=[_stage(world, "Customer")])] == [
        0,
        0,
        0,
        0,
    ]


def test_columns_show_the_first_cards_and_load_more_pages_on(world):
    with session_scope() as s:
        columns = pipeline.board(
            s, world["actors"]["owner"], world["agent_id"], ListQuery(), per_stage=2
        )
        lead = columns[0]
        assert lead["count"] == 3 and len(lead["cards"]) == 2
        more = pipeline.more_cards(
            s, world["actors"]["owner"], world["agent_id"], ListQuery(), lead["id"], 2, per_stage=2
        )
    assert [c["title"] for c in more] == ["Maria Lopez"]


def test_moving_a_card_changes_the_stage_with_activity_and_audit(world):
    maria = world["contacts"]["Maria Lopez"]
    with session_scope() as s:
        assert (
            pipeline.move_to_stage(
                s,
                world["actors"]["owner"],
                world["agent_id"],
                maria,
                str(_stage(world, "Customer")),
            )
            is True
        )
    with session_scope() as s:
        assert s.get(Contact, maria).stage_id == _stage(world, "Customer")
        line = s.exec(
            select(Activity).where(
                Activity.contact_id == maria,
                Activity.kind == "stage",
                Activity.message.startswith("Stage changed"),
            )
        ).one()
        assert line.message == "Stage changed from Lead to Customer by Dana Whitfield"
        assert line.actor_type == "member" and line.actor_id == world["owner_id"]
        entry = s.exec(select(AuditLog).where(AuditLog.description.contains(maria))).one()
        assert (
            entry.action == "Update"
            and entry.user_label == "Dana Whitfield"
            and "Customer" in entry.description
        )
    columns = _board(world)
    assert [c["count"] for c in columns] == [2, 0, 1, 0]
    assert _column(columns, "Customer")["cards"][0]["title"] == "Maria Lopez"


def test_moving_to_the_same_stage_writes_nothing(world):
    before = _counts()
    with session_scope() as s:
        assert (
            pipeline.move_to_stage(
                s,
                world["actors"]["owner"],
                world["agent_id"],
                world["contacts"]["John Doe"],
                _stage(world, "Lead"),
            )
            is False
        )
    assert _counts() == before


def test_a_user_with_the_agent_may_move_cards(world):
    with session_scope() as s:
        assert pipeline.move_to_stage(
            s,
            world["actors"]["user"],
            world["agent_id"],
            world["contacts"]["John Doe"],
            _stage(world, "Prospect"),
        )
    assert _column(_board(world, actor="user"), "Prospect")["count"] == 1


@pytest.mark.parametrize("who", ["outsider", "stranger"])
def test_members_without_the_agent_see_and_move_nothing(world, who):
    before = _counts()
    with session_scope() as s:
        with pytest.raises(NotFound, match="Agent not found"):
            pipeline.board(s, world["actors"][who], world["agent_id"], ListQuery())
        with pytest.raises(NotFound, match="Contact not found"):
            pipeline.move_to_stage(
                s,
                world["actors"][who],
                world["agent_id"],
                world["contacts"]["Maria Lopez"],
                _stage(world, "Customer"),
            )
        with pytest.raises(NotFound):
            pipeline.more_cards(
                s,
                world["actors"][who],
                world["agent_id"],
                ListQuery(),
                str(_stage(world, "Lead")),
                0,
            )
    assert _counts() == before
    with session_scope() as s:
        assert s.get(Contact, world["contacts"]["Maria Lopez"]).stage_id == _stage(world, "Lead")


def test_foreign_contacts_and_stages_are_not_found(world):
    owner = world["actors"]["owner"]
    maria = world["contacts"]["Maria Lopez"]
    with session_scope() as s:
        # Another organization's contact, through our agent or theirs.
        with pytest.raises(NotFound, match="Contact not found"):
            pipeline.move_to_stage(
                s,
                owner,
                world["agent_id"],
                world["contacts"]["Shop customer"],
                _stage(world, "Customer"),
            )
        with pytest.raises(NotFound):
            pipeline.move_to_stage(
                s,
                owner,
                world["store_id"],
                world["contacts"]["Shop customer"],
                _stage(world, "Customer", "store_id"),
            )
        # A stage of another organization's agent, or of our other agent, or garbage.
        for stage in (
            _stage(world, "Customer", "store_id"),
            _stage(world, "Customer", "billing_id"),
            "x",
            None,
            "-1",
        ):
            with pytest.raises(NotFound, match="Stage not found"):
                pipeline.move_to_stage(s, owner, world["agent_id"], maria, stage)
        for contact_id in ("", None, 7, "nope"):
            with pytest.raises(NotFound, match="Contact not found"):
                pipeline.move_to_stage(
                    s, owner, world["agent_id"], contact_id, _stage(world, "Customer")
                )
        with pytest.raises(NotFound, match="Stage not found"):
            pipeline.more_cards(
                s, owner, world["agent_id"], ListQuery(), str(_stage(world, "Lead", "store_id")), 0
            )
    with session_scope() as s:
        assert s.get(Contact, maria).stage_id == _stage(world, "Lead")


def test_contacts_without_a_stage_get_a_leading_column_that_is_not_a_drop_target(world):
    with session_scope() as s:
        s.get(Contact, world["contacts"]["John Doe"]).stage_id = None
    columns = _board(world)
    assert (
        columns[0]["name"] == "No stage"
        and columns[0]["count"] == 1
        and columns[0]["droppable"] is False
    )
    assert columns[0]["cards"][0]["title"] == "John Doe"
    with session_scope() as s:
        assert pipeline.move_to_stage(
            s,
            world["actors"]["owner"],
            world["agent_id"],
            world["contacts"]["John Doe"],
            _stage(world, "Customer"),
        )
        line = s.exec(
            select(Activity).where(
                Activity.kind == "stage", Activity.message.startswith("Stage changed")
            )
        ).one()
    assert line.message == "Stage changed from no stage to Customer by Dana Whitfield"
    assert _board(world)[0]["name"] == "Lead"
