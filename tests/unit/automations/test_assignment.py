"""Admin Assignment and Contact Stage rules, run through the one contact-creation service."""

from __future__ import annotations

import pytest
from sqlmodel import delete, func, select

from crm_app import db
from crm_app.models import (
    Activity,
    Agent,
    AssignmentRule,
    AuditLog,
    Contact,
    Membership,
    Stage,
    User,
)
from crm_app.services import automations, contacts
from crm_app.services.contacts import Origin
from crm_app.services.errors import NotFound, PermissionDenied, ValidationError

ORIGINS = {
    "Chat": Origin("agent", "Reception"),
    "Form": Origin("form", "Intake form"),
    "API": Origin("api", "Zapier key"),
    "Payment": Origin("payment", "Stripe"),
}
_counter = iter(range(10_000))


def create(world, source: str, creator=None) -> dict:
    """Create one contact via `source` (creator: the Actor for Manual/Import) -> what a user sees."""
    n = next(_counter)
    with db.session_scope() as s:
        agent = s.get(Agent, world.agent_id)
        if source == "Manual":
            origin = Origin.member(creator or world.owner)
        elif source == "Import":
            origin = Origin(
                "import",
                f"Import by {(creator or world.owner).display_name}",
                (creator or world.owner).user_id,
            )
        else:
            origin = ORIGINS[source]
        c = contacts.save_contact(
            s,
            agent,
            {"name": f"Person {n}", "email": f"p{n}@example.com"},
            source=source,
            origin=origin,
        ).contact
        return view(s, c.id)


def view(s, contact_id: str) -> dict:
    c = s.get(Contact, contact_id)
    name = lambda uid: s.get(User, uid).first_name if uid else None  # noqa: E731
    lines = [
        a.message
        for a in s.exec(
            select(Activity)
            .where(Activity.contact_id == c.id, Activity.kind == "owner")
            .order_by(Activity.id)
        )
    ]
    stage = s.exec(
        select(Activity.message).where(Activity.contact_id == c.id, Activity.kind == "stage")
    ).first()
    return {
        "id": c.id,
        "primary": name(c.primary_owner_id),
        "secondary": name(c.secondary_owner_id),
        "stage": s.get(Stage, c.stage_id).name,
        "owner_lines": lines,
        "stage_line": stage,
    }


def save(world, method, primary, secondary=None, actor=None):
    def slot(spec):
        if spec is None:
            return None
        strategy, *names = spec
        return {"strategy": strategy, "member_ids": [str(world.ids[n]) for n in names]}

    with db.session_scope() as s:
        return automations.save_assignment(
            s, actor or world.admin, world.agent_id, method, slot(primary), slot(secondary)
        )


def test_without_rules_every_source_goes_to_the_org_owner_and_starts_in_lead(world):
    for source in ("Manual", "Import", "Chat", "Form", "API", "Payment"):
        got = create(world, source, creator=world.admin)
        assert (got["primary"], got["secondary"], got["stage"]) == ("Dana", None, "Lead")
        method = (
            "Manually created contact"
            if source in ("Manual", "Import")
            else "Agent captured contact"
        )
        assert got["owner_lines"] == [
            f"Assigned to Dana Whitfield, the organization owner (no assignment rule) — {method}, Primary Admin"
        ]
        assert (
            got["stage_line"]
            == "Started in stage Lead (the first pipeline stage; no Contact Stage rule)"
        )


def test_creator_of_the_contact_for_manual_and_import(world):
    save(world, "manual", ("creator",))
    assert create(world, "Manual", creator=world.admin)["primary"] == "Aisha"
    got = create(world, "Import", creator=world.staff)
    assert got["primary"] == "Sam"
    assert got["owner_lines"] == [
        "Assigned to Sam Staff by Creator of the contact — Manually created contact, Primary Admin"
    ]
    # captured contacts are untouched by manual rules
    assert create(world, "Chat")["primary"] == "Dana"


def test_creator_is_not_offered_for_captured_contacts(world):
    with pytest.raises(ValidationError, match="only available for manually created") as err:
        save(world, "captured", ("creator",))
    assert err.value.field == "primary"
    with db.session_scope() as s:
        assert s.exec(select(func.count()).select_from(AssignmentRule)).one() == 0


def test_owner_of_the_org_selected_admin_and_none(world):
    save(world, "captured", ("selected", "Chen"), ("org_owner",))
    got = create(world, "Form")
    assert (got["primary"], got["secondary"]) == ("Chen", "Dana")
    assert got["owner_lines"] == [
        "Assigned to Chen Li by Selected Admin — Agent captured contact, Primary Admin",
        "Assigned to Dana Whitfield by Owner of the Org — Agent captured contact, Secondary Admin",
    ]
    save(world, "captured", ("none",))
    got = create(world, "API")
    assert (got["primary"], got["secondary"]) == (None, None)
    assert got["owner_lines"] == [
        "No Primary Admin assigned (rule: None) — Agent captured contact, Primary Admin"
    ]


def test_round_robin_rotates_and_wraps_with_the_turn_in_the_activity(world):
    save(world, "captured", ("round_robin", "Aisha", "Ben", "Chen"))
    got = [create(world, src) for src in ("Chat", "Form", "API", "Payment", "Chat", "Form", "Chat")]
    assert [g["primary"] for g in got] == ["Aisha", "Ben", "Chen", "Aisha", "Ben", "Chen", "Aisha"]
    assert got[1]["owner_lines"] == [
        "Assigned to Ben Ortiz by Round Robin (turn 2 of 3) — Agent captured contact, Primary Admin"
    ]
    # manual contacts have their own (absent) rule
    assert create(world, "Manual")["primary"] == "Dana"


def test_primary_and_secondary_rotations_are_independent(world):
    save(world, "manual", ("round_robin", "Aisha", "Ben"), ("round_robin", "Chen", "Sam", "Dana"))
    pairs = [(g["primary"], g["secondary"]) for g in (create(world, "Manual") for _ in range(4))]
    assert pairs == [("Aisha", "Chen"), ("Ben", "Sam"), ("Aisha", "Dana"), ("Ben", "Chen")]


def test_secondary_never_equals_primary_it_moves_to_the_next_member(world):
    save(world, "manual", ("creator",), ("round_robin", "Aisha", "Ben", "Chen"))
    first = create(
        world, "Manual", creator=world.admin
    )  # secondary's turn is Aisha = primary -> Ben
    assert (first["primary"], first["secondary"]) == ("Aisha", "Ben")
    assert first["owner_lines"][1] == (
        "Assigned to Ben Ortiz by Round Robin (turn 2 of 3) — Manually created contact, "
        "Secondary Admin (skipped Aisha Karimi, the Primary Admin)"
    )
    second = create(world, "Manual", creator=world.admin)  # rotation continues after Ben
    assert (second["primary"], second["secondary"]) == ("Aisha", "Chen")
    third = create(world, "Import", creator=world.admin)  # wraps to Aisha = primary -> Ben
    assert (third["primary"], third["secondary"]) == ("Aisha", "Ben")

    save(world, "captured", ("org_owner",), ("selected", "Dana"))
    got = create(world, "Chat")
    assert (got["primary"], got["secondary"]) == ("Dana", None)
    assert got["owner_lines"][1].startswith(
        "No Secondary Admin assigned (Dana Whitfield is already the Primary Admin)"
    )


@pytest.mark.parametrize(
    "primary, secondary, field, message",
    [
        (("round_robin", "Aisha"), None, "primary", "at least two members"),
        (("round_robin", "Aisha", "Aisha", "Ben"), None, "primary", "only once"),
        (("selected",), None, "primary", "Choose the member who becomes Primary Admin"),
        (
            ("org_owner",),
            ("selected",),
            "secondary",
            "Choose the member who becomes Secondary Admin",
        ),
        (
            ("round_robin", "Aisha", "Ben"),
            ("selected", "Ben"),
            "secondary",
            "Ben Ortiz is already chosen as Primary Admin",
        ),
        (
            ("selected", "Chen"),
            ("round_robin", "Chen", "Aisha"),
            "secondary",
            "Chen Li is already chosen",
        ),
        (("org_owner",), ("org_owner",), "secondary", "cannot both be Owner of the Org"),
        (
            ("selected", "Oscar"),
            None,
            "primary",
            "no longer a member",
        ),  # another organization's owner
        (
            ("round_robin", "Aisha", "Uma"),
            None,
            "primary",
            "no longer a member",
        ),  # User without this agent
        (("teleport",), None, "primary", "Choose how"),
    ],
)
def test_invalid_rules_are_refused_with_the_slot_and_nothing_saved(
    world, primary, secondary, field, message
):
    with pytest.raises(ValidationError, match=message) as err:
        save(world, "manual", primary, secondary)
    assert err.value.field == field
    with db.session_scope() as s:
        assert s.exec(select(func.count()).select_from(AssignmentRule)).one() == 0
        assert s.exec(select(func.count()).select_from(AuditLog)).one() == 0


def test_members_who_left_are_skipped_and_shown_and_cannot_be_saved_again(world):
    save(world, "captured", ("round_robin", "Aisha", "Ben", "Chen"), ("selected", "Sam"))
    assert create(world, "Chat")["primary"] == "Aisha"
    with db.session_scope() as s:  # Ben and Sam leave the organization
        s.exec(
            delete(Membership).where(Membership.user_id.in_([world.ids["Ben"], world.ids["Sam"]]))
        )
    got = create(world, "Chat")
    assert (got["primary"], got["secondary"]) == ("Chen", None)
    assert got["owner_lines"] == [
        "Assigned to Chen Li by Round Robin (turn 3 of 3) — Agent captured contact, Primary Admin "
        "(skipped 1 member who left the organization)",
        "No Secondary Admin assigned (Sam Staff is no longer a member) — Agent captured contact, Secondary Admin",
    ]
    assert create(world, "Chat")["primary"] == "Aisha"
    with db.session_scope() as s:
        shown = automations.get_automations(s, world.admin, world.agent_id)["assignment"][
            "captured"
        ]
    assert [m["name"] for m in shown["primary"]["missing"]] == ["Ben Ortiz"]
    with pytest.raises(ValidationError, match="no longer a member"):
        save(world, "captured", ("round_robin", "Aisha", "Ben", "Chen"))
    # a selected primary who left falls back to the organization owner
    save(world, "manual", ("selected", "Chen"))
    with db.session_scope() as s:
        s.exec(delete(Membership).where(Membership.user_id == world.ids["Chen"]))
    got = create(world, "Manual")
    assert got["primary"] == "Dana"
    assert got["owner_lines"] == [
        "Assigned to Dana Whitfield, the organization owner (Selected Admin: Chen Li is no "
        "longer a member) — Manually created contact, Primary Admin"
    ]


def test_saving_is_audited_and_unchanged_rotation_keeps_its_place(world):
    save(world, "captured", ("round_robin", "Aisha", "Ben", "Chen"))
    assert create(world, "Chat")["primary"] == "Aisha"
    save(
        world, "captured", ("round_robin", "Aisha", "Ben", "Chen"), ("selected", "Sam")
    )  # primary unchanged
    assert create(world, "Chat")["primary"] == "Ben"
    save(
        world, "captured", ("round_robin", "Chen", "Aisha", "Ben"), ("selected", "Sam")
    )  # new order restarts
    assert create(world, "Chat")["primary"] == "Chen"
    with db.session_scope() as s:
        audits = [
            a.description
            for a in s.exec(
                select(AuditLog).where(AuditLog.resource == "Automation").order_by(AuditLog.id)
            )
        ]
    assert audits == [
        "Admin Assignment of agent 'Reception' for Agent captured contact — Primary Admin: Round Robin "
        "(Aisha Karimi, Ben Ortiz, Chen Li); Secondary Admin: None",
        "Admin Assignment of agent 'Reception' for Agent captured contact — Secondary Admin: Selected Admin (Sam Staff)",
        "Admin Assignment of agent 'Reception' for Agent captured contact — Primary Admin: Round Robin "
        "(Chen Li, Aisha Karimi, Ben Ortiz)",
    ]


def test_changes_apply_only_to_contacts_created_afterwards(world):
    before = create(world, "Form")
    save(world, "captured", ("selected", "Ben"))
    after = create(world, "Form")
    with db.session_scope() as s:
        assert view(s, before["id"])["primary"] == "Dana"
        assert view(s, after["id"])["primary"] == "Ben"


def test_a_user_may_look_but_not_change_and_another_org_sees_nothing(world):
    with db.session_scope() as s:
        shown = automations.get_automations(s, world.staff, world.agent_id)
    assert shown["can_edit"] is False
    assert shown["assignment"]["manual"]["primary"]["strategy"] == "org_owner"
    assert [m["name"] for m in shown["members"]] == [
        "Dana Whitfield",
        "Aisha Karimi",
        "Ben Ortiz",
        "Chen Li",
        "Sam Staff",
    ]
    with pytest.raises(PermissionDenied):
        save(world, "manual", ("selected", "Sam"), actor=world.staff)
    with pytest.raises(PermissionDenied):
        with db.session_scope() as s:
            automations.save_stage_rules(
                s, world.staff, world.agent_id, {"Chat": world.stages["Customer"]}
            )
    with pytest.raises(NotFound, match="Agent not found"):
        with db.session_scope() as s:
            automations.get_automations(s, world.outsider, world.agent_id)
    with pytest.raises(NotFound, match="Agent not found"):
        save(world, "manual", ("org_owner",), actor=world.outsider)
    with db.session_scope() as s:
        assert s.exec(select(func.count()).select_from(AssignmentRule)).one() == 0


def test_manual_rules_cover_manual_and_import_captured_rules_cover_the_rest(world):
    save(world, "manual", ("selected", "Aisha"))
    save(world, "captured", ("selected", "Ben"))
    got = {
        src: create(world, src)["primary"]
        for src in ("Manual", "Import", "Chat", "Form", "API", "Payment")
    }
    assert got == {
        "Manual": "Aisha",
        "Import": "Aisha",
        "Chat": "Ben",
        "Form": "Ben",
        "API": "Ben",
        "Payment": "Ben",
    }


def test_starting_stage_per_source(world):
    with db.session_scope() as s:
        automations.save_stage_rules(
            s,
            world.admin,
            world.agent_id,
            {"Chat": world.stages["Prospect"], "Manual": str(world.stages["Customer"])},
        )
    chat = create(world, "Chat")
    assert chat["stage"] == "Prospect"
    assert chat["stage_line"] == "Started in stage Prospect (Contact Stage rule for via Chat)"
    assert create(world, "Manual")["stage"] == "Customer"
    assert create(world, "Form")["stage"] == "Lead"
    with db.session_scope() as s:
        shown = automations.get_automations(s, world.admin, world.agent_id)["stage_rules"]
        assert shown["Chat"] == world.stages["Prospect"] and shown["Form"] == world.stages["Lead"]
        audit = s.exec(select(AuditLog).where(AuditLog.resource == "Automation")).one()
        assert (
            audit.description
            == "Contact Stage of agent 'Reception' — via Manual: Customer; via Chat: Prospect"
        )
        other_stage = s.exec(select(Stage).where(Stage.agent_id == world.other_agent_id)).first().id
    with pytest.raises(ValidationError, match="Choose a stage of this agent") as err:
        with db.session_scope() as s:
            automations.save_stage_rules(s, world.admin, world.agent_id, {"Form": other_stage})
    assert err.value.field == "Form"
    with pytest.raises(ValidationError, match="Unknown contact source"):
        with db.session_scope() as s:
            automations.save_stage_rules(
                s, world.admin, world.agent_id, {"Carrier pigeon": world.stages["Lead"]}
            )


def test_an_existing_person_coming_back_does_not_take_a_round_robin_turn(world):
    """save_contact decides the owners before its insert; when the person turns out to exist
    (matched and updated instead) the turn is given back, and no timeline line is written."""
    save(world, "captured", ("round_robin", "Aisha", "Ben", "Chen"))
    first = create(world, "Form")
    with db.session_scope() as s:
        agent = s.get(Agent, world.agent_id)
        email = s.get(Contact, first["id"]).email.upper()  # the same person, typed differently
        again = contacts.save_contact(
            s,
            agent,
            {"name": "Someone Else", "email": email},
            source="Form",
            origin=ORIGINS["Form"],
        )
        assert not again.created and again.contact.id == first["id"]
    second = create(world, "Chat")
    assert (first["primary"], second["primary"]) == ("Aisha", "Ben")
    with db.session_scope() as s:
        assert s.exec(select(func.count()).select_from(Contact)).one() == 2
        lines = s.exec(
            select(func.count())
            .select_from(Activity)
            .where(Activity.contact_id == first["id"], Activity.kind == "owner")
        ).one()
        assert lines == 1
        pointer = s.exec(
            select(AssignmentRule.pointer).where(
                AssignmentRule.agent_id == world.agent_id,
                AssignmentRule.method == "captured",
                AssignmentRule.slot == "primary",
            )
        ).one()
        assert pointer == 2
