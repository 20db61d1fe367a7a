"""Contacts list: search, filters, sort, pagination, tenant isolation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from crm_app import db
from crm_app.models import Agent, utcnow
from crm_app.services import contacts
from crm_app.services.contact_list import ListQuery, count_matching, list_page
from crm_app.services.contacts import Origin
from crm_app.services.errors import NotFound, ValidationError

PEOPLE = [
    ("Maria Lopez", "maria@example.com", "+14155552671", "Aetna", "Form"),
    ("Mark Chen", "mark.chen@example.com", "+14155552672", "Cigna", "Chat"),
    ("Ann Lee", "ann_lee@example.com", None, "Aetna", "API"),
    ("Zoe Park", None, "+14155552673", None, "Form"),
]


@pytest.fixture()
def filled(world):
    with db.session_scope() as s:
        agent = s.get(Agent, world["clinic"]["agent_id"])
        for i, (name, email, phone, insurance, source) in enumerate(PEOPLE):
            data = {"name": name, "email": email, "phone": phone}
            if insurance:
                data["insurance"] = insurance
            c = contacts.save_contact(
                s, agent, data, source=source, origin=Origin("form", "f")
            ).contact
            c.created_at = utcnow() - timedelta(days=10 - i)
            s.add(c)
    return world


def _names(filled, **kw):
    actor, agent_id, q = filled["clinic"]["actor"], filled["clinic"]["agent_id"], ListQuery(**kw)
    with db.session_scope() as s:
        rows, total = list_page(s, actor, agent_id, q).rows, count_matching(s, actor, agent_id, q)
    return [r["name"] for r in rows], total


def test_search_by_name_prefix_any_word_email_and_phone(filled):
    assert _names(filled, search="mar", sort="name", descending=False)[0] == [
        "Maria Lopez",
        "Mark Chen",
    ]
    assert _names(filled, search="lopez")[0] == ["Maria Lopez"]
    assert _names(filled, search="ann_")[0] == ["Ann Lee"]  # underscore is literal, not a wildcard
    assert _names(filled, search="555-2673")[0] == ["Zoe Park"]


def test_filters_sort_and_pages(filled):
    assert _names(filled, sources=["Form"], sort="created")[0] == ["Zoe Park", "Maria Lopez"]
    assert _names(filled, custom={"insurance": "Aetna"}, sort="name", descending=False)[0] == [
        "Ann Lee",
        "Maria Lopez",
    ]
    names, total = _names(filled, sort="name", descending=False, page=1, page_size=25)
    assert total == 4 and names == ["Ann Lee", "Maria Lopez", "Mark Chen", "Zoe Park"]
    today = date.today()
    assert _names(filled, created_from=today - timedelta(days=8), created_to=today)[1] == 2


def test_bad_parameters_and_other_orgs(filled):
    with pytest.raises(ValidationError):
        _names(filled, page_size=1000)
    with pytest.raises(ValidationError):
        _names(filled, sort="password")
    with pytest.raises(ValidationError):
        _names(filled, custom={"nope": "x"})
    with db.session_scope() as s:
        with pytest.raises(NotFound):
            list_page(s, filled["shop"]["actor"], filled["clinic"]["agent_id"], ListQuery())
        with pytest.raises(NotFound):
            count_matching(s, filled["shop"]["actor"], filled["clinic"]["agent_id"], ListQuery())
        page = list_page(s, filled["shop"]["actor"], filled["shop"]["agent_id"], ListQuery())
        assert (page.rows, page.has_next, page.has_previous) == ([], False, False)
        assert (
            count_matching(s, filled["shop"]["actor"], filled["shop"]["agent_id"], ListQuery()) == 0
        )


def test_total_is_exact_up_to_the_cap_then_reports_more(filled, monkeypatch):
    from crm_app.services import contact_list

    monkeypatch.setattr(contact_list, "COUNT_CAP", 2)
    names, total = _names(filled, page_size=25)
    assert total == 3 and len(names) == 4  # "more than 2"; the page itself is complete
    assert _names(filled, search="lopez")[1] == 1


def test_dense_pages_walk_the_sort_index_with_the_same_results(filled, monkeypatch):
    from crm_app.services import contact_list

    expected = [_names(filled, sort=s, descending=d, **kw)[0] for s, d, kw in CASES]
    # Every search and custom-field filter walks first with these thresholds.
    monkeypatch.setattr(contact_list, "FEW_MATCHES", 0)
    monkeypatch.setattr(contact_list, "DENSE_VALUES", 1)
    assert [_names(filled, sort=s, descending=d, **kw)[0] for s, d, kw in CASES] == expected


CASES = [
    ("created", True, {}),
    ("name", False, {}),
    ("name", True, {"search": "ma"}),
    ("created", True, {"search": "lopez"}),
    ("created", False, {"search": "a"}),
    ("created", True, {"custom": {"insurance": "Aetna"}}),
    ("created", False, {"sources": ["Form"]}),
]
