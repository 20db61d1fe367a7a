"""CSV export: columns, BOM, formula escaping, selection vs filter, roles, tenants."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import select

from crm_app import db
from crm_app.models import AuditLog, Contact
from crm_app.services import export
from crm_app.services.contact_list import ListQuery
from crm_app.services.errors import NotFound, PermissionDenied, ValidationError

HEADER = [
    "Name",
    "Primary Email",
    "Mobile Number",
    "Gender",
    "Status",
    "Stage",
    "Owner",
    "Source",
    "Created",
    "External reference",
    "Insurance provider",
    "Referral note",
]


def _export(world, who="actor", tag="clinic", query=None, ids=None, binary=True):
    out = io.BytesIO() if binary else io.StringIO()
    with db.session_scope() as s:
        count = export.export_contacts(s, world[tag][who], world[tag]["agent_id"], query, ids, out)
    raw = out.getvalue()
    text = raw.decode("utf-8") if binary else raw
    return count, text


def _rows(text):
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_columns_bom_and_every_contact_newest_first(filled):
    count, text = _export(filled)
    rows = _rows(text)
    assert count == 5
    assert rows[0] == HEADER  # custom fields by position; the archived one is left out
    by_email = {r[1]: r for r in rows[1:]}
    maria = by_email["maria@example.com"]
    assert maria[0] == "Maria Lopez"
    assert (
        maria[2] == "+14155552671"
    )  # an E.164 phone is a plain number to a spreadsheet: left as it is
    assert maria[4:8] == ["Active", "Lead", "Dana Clinic", "via Form"]
    assert maria[10] == "Aetna"
    assert [r[0] for r in rows[1:]][-1] == "Maria Lopez"  # created first, so last
    assert "shopper@example.com" not in text  # another organization's contacts never leak


def test_formula_cells_are_escaped(filled):
    _, text = _export(filled, binary=False)
    rows = _rows(text)
    notes = {r[0]: r[11] for r in rows[1:]}
    assert notes["Maria Lopez"] == '\'=HYPERLINK("http://evil.example","x")'
    assert notes["Mark Chen"] == "'+cmd|' /C calc'!A0"
    assert notes["Ann Lee"] == "'-2+3"
    assert notes["Zoe Park"] == "'@SUM(A1:A2)"
    assert notes["'=1+1 Evil"] == 'plain, with comma and "quotes"'  # quoted by csv, not escaped
    assert export.escape_cell("\tcmd") == "'\tcmd" and export.escape_cell("\rcmd") == "'\rcmd"
    assert export.escape_cell("safe = text") == "safe = text"


@pytest.mark.parametrize("value", ["+13125551000", "-12.5", "+3", "-.5", "+1e5", "-0"])
def test_plain_numbers_and_phones_are_not_escaped(value):
    assert export.escape_cell(value) == value


@pytest.mark.parametrize(
    "value",
    [
        '=HYPERLINK("http://evil.example","x")',
        "+1+cmd|' /C calc'!A0",
        "@SUM(A1:A2)",
        "-2+3",
        "+1 (312) 555-1000",
        "-",
        "\tcmd",
        "\r=1",
        "+13125551000=1",
    ],
)
def test_what_a_spreadsheet_would_run_is_escaped_and_unescaped_back(value):
    assert export.escape_cell(value) == "'" + value
    assert export.unescape_cell(export.escape_cell(value)) == value
    assert export.unescape_cell("'plain") == "'plain"  # an apostrophe escape_cell did not add stays


def test_selection_and_filter(filled):
    ids = filled["ids"]
    count, text = _export(
        filled,
        ids=[ids[("clinic", "Ann Lee")], ids[("clinic", "Zoe Park")], ids[("shop", "Shop Person")]],
    )  # a foreign id is ignored
    assert count == 2
    assert sorted(r[0] for r in _rows(text)[1:]) == ["Ann Lee", "Zoe Park"]

    count, text = _export(filled, query=ListQuery(custom={"insurance": "Aetna"}))
    assert count == 2 and sorted(r[0] for r in _rows(text)[1:]) == ["Ann Lee", "Maria Lopez"]

    with db.session_scope() as s:  # archived contacts leave the default export
        c = s.get(Contact, ids[("clinic", "Mark Chen")])
        c.archived = True
        s.add(c)
    assert _export(filled)[0] == 4
    assert [r[0] for r in _rows(_export(filled, query=ListQuery(archived=True))[1])[1:]] == [
        "Mark Chen"
    ]

    with pytest.raises(ValidationError):
        _export(filled, ids=[])


def test_batches_cover_every_row_once(filled, monkeypatch):
    monkeypatch.setattr(export, "BATCH_SIZE", 2)
    with db.session_scope() as s:  # ties on created_at: the id breaks them
        rows = s.exec(select(Contact).where(Contact.agent_id == filled["clinic"]["agent_id"])).all()
        for c in rows[:3]:
            c.created_at = rows[0].created_at
            s.add(c)
    count, text = _export(filled)
    names = [r[0] for r in _rows(text)[1:]]
    assert count == 5 and len(names) == len(set(names)) == 5


def test_export_is_audited(filled):
    _export(filled, who="admin", query=ListQuery(search="mar"))
    with db.session_scope() as s:
        entry = s.exec(
            select(AuditLog).where(
                AuditLog.org_id == filled["clinic"]["org_id"], AuditLog.action == "Read"
            )
        ).one()
    assert (
        entry.description.startswith("Exported 2 contacts")
        and entry.user_id == filled["clinic"]["admin_id"]
    )


def test_user_role_and_other_org_cannot_export(filled):
    with pytest.raises(PermissionDenied):
        _export(filled, who="user")
    with db.session_scope() as s:
        with pytest.raises(NotFound):
            export.export_contacts(
                s, filled["shop"]["actor"], filled["clinic"]["agent_id"], None, None, io.BytesIO()
            )
        assert s.exec(select(AuditLog).where(AuditLog.action == "Read")).all() == []
