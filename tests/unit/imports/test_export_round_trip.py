"""Our own export imports back unchanged (issue #10): an export of one agent, imported into a
fresh agent with the same fields, gives every contact the same values — phones, formula-like
text that the export escaped, choices, numbers and dates included."""

from __future__ import annotations

import io

from sqlmodel import select

from crm_app import db
from crm_app.models import Agent, Contact, ContactField, ContactValue
from crm_app.services import agents, contacts, export, fields, imports

PEOPLE = [
    {
        "name": "Maria Lopez",
        "email": "maria@example.com",
        "phone": "+13125551000",
        "insurance": "Aetna",
        "visits": "3",
        "first_visit": "2025-01-31",
        "newsletter": "Yes",
        "note": '=HYPERLINK("http://evil.example","x")',
    },
    {
        "name": "+1+cmd|' /C calc'!A0",
        "email": "mark@example.com",
        "phone": "+442079460958",
        "note": "-12.5",
    },
    {
        "name": "Ann Lee",
        "phone": "+14155552671",
        "note": "@SUM(A1:A2)",
        "visits": "-2",
        "gender": "Female",
    },
    {"name": "-2+3", "email": "zoe@example.com", "note": "'quoted by hand", "newsletter": "No"},
]


def _snapshot(session, agent_id):
    labels = {
        f.id: f.key
        for f in session.exec(select(ContactField).where(ContactField.agent_id == agent_id))
    }
    out = {}
    for c in session.exec(select(Contact).where(Contact.agent_id == agent_id)):
        values = {
            labels[v.field_id]: v.value_text
            for v in session.exec(select(ContactValue).where(ContactValue.contact_id == c.id))
        }
        out[c.email or c.phone] = (c.name, c.email, c.phone, c.gender, c.external_ref, values)
    return out


def test_export_then_import_into_a_fresh_agent_keeps_every_value(world, tmp_path):
    owner = world["owner"]
    with db.session_scope() as s:
        fields.create_custom_field(s, owner, world["agent"], label="Note", key="note", type="Text")
        agent = s.get(Agent, world["agent"])
        for person in PEOPLE:
            contacts.save_contact(
                s, agent, person, source="Manual", origin=contacts.Origin("member", "Rosa")
            )
        fresh = agents.create_agent(s, owner, "Second desk", "second-desk").id
        for f in s.exec(
            select(ContactField).where(
                ContactField.agent_id == world["agent"], ContactField.is_default.is_(False)
            )
        ):
            fields.create_custom_field(
                s,
                owner,
                fresh,
                label=f.label,
                key=f.key,
                type=f.type,
                options=list(f.options or []),
            )
        out = io.BytesIO()
        export.export_contacts(s, owner, world["agent"], out=out)
        before = _snapshot(s, world["agent"])
    path = tmp_path / "export.csv"
    path.write_bytes(out.getvalue())
    assert b"+13125551000" in out.getvalue() and b"'+13125551000" not in out.getvalue()

    job = imports.import_file(lambda s: owner, fresh, path, valid_only=False)

    assert job["status"] == "done", job["message"]
    assert job["created"] == len(before)
    with db.session_scope(read_only=True) as s:
        assert _snapshot(s, fresh) == before
