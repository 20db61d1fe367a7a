"""The merge rule itself (services/merge.py), used by save_contact and the import batch."""

import pytest

from crm_app.services.errors import ValidationError
from crm_app.services.merge import CleanInput, Origin, merge_fields

FORM = Origin("form", "Intake form")
MEMBER = Origin("member", "Rosa Diaz", 7)
STORED = {"name": "Ann Lee", "email": "ann@example.com", "phone": None, "gender": None}
LABELS = {"name": "Name", "email": "Email", "phone": "Mobile Number", "gender": "Gender"}


def _merge(incoming, policy, *, custom=None, stored=None, origin=FORM, member_set=(), **kw):
    options = {
        "origin": origin,
        "member_set": list(member_set),
        "external_ref": None,
        "custom_labels": {5: "Visits"},
        "taken": lambda key, value: False,
    } | kw
    clean = CleanInput(
        incoming.get("defaults", {}), incoming.get("custom", {}), incoming.get("ref"), LABELS
    )
    return merge_fields(stored or STORED, custom or {}, clean, policy, **options)


def test_skip_changes_nothing():
    merge = _merge({"defaults": {"name": "Other", "phone": "+14155550100"}}, "skip")
    assert merge.decisions == [] and merge.external_ref is None


def test_fill_fills_empty_values_and_keeps_stored_ones_as_conflicts():
    merge = _merge({"defaults": {"name": "Annie Lee", "phone": "+14155552671"}}, "fill")
    assert merge.changed == ["phone"] and merge.conflicts == ["name"]
    conflict = merge.decisions[0]
    assert conflict.kind == "conflict"
    assert conflict.message == "Name 'Annie Lee' from Intake form was not applied; kept 'Ann Lee'"
    change = merge.decisions[1]
    assert (change.kind, change.old, change.new) == ("field", None, "+14155552671")
    assert change.message.endswith(" by Intake form")


def test_overwrite_replaces_and_clears_but_not_what_a_member_typed():
    merge = _merge(
        {"defaults": {"name": "Annie Lee", "gender": "Female"}, "custom": {5: ("3", 3.0, None)}},
        "overwrite",
        custom={5: "2"},
        stored=STORED | {"gender": "Male"},
        member_set=["gender", "5"],
    )
    assert merge.changed == ["name"] and merge.conflicts == ["gender", "5"]
    cleared = _merge({"defaults": {"name": ""}}, "overwrite")
    assert cleared.changed == ["name"] and cleared.decisions[0].new == ""


def test_a_member_may_overwrite_what_members_typed():
    merge = _merge(
        {"defaults": {"gender": "Female"}, "custom": {5: ("3", 3.0, None)}},
        "overwrite",
        custom={5: "2"},
        stored=STORED | {"gender": "Male"},
        origin=MEMBER,
        member_set=["gender", "5"],
    )
    assert merge.changed == ["gender", "5"] and merge.conflicts == []
    assert merge.decisions[1].new == ("3", 3.0, None)
    assert merge.decisions[1].message == "Visits changed from '2' to '3' by Rosa Diaz"


def test_an_email_of_another_contact_is_not_taken_over():
    merge = _merge(
        {"defaults": {"email": "bob@example.com"}},
        "overwrite",
        taken=lambda key, value: (key, value) == ("email", "bob@example.com"),
    )
    assert merge.changed == [] and merge.conflicts == ["email"]
    assert "belongs to another contact" in merge.decisions[0].message


def test_a_contact_never_loses_both_email_and_mobile():
    with pytest.raises(ValidationError) as failed:
        _merge({"defaults": {"email": None}}, "overwrite")
    assert failed.value.field == "email"
    both = _merge(
        {"defaults": {"phone": "+14155552671", "email": None}},
        "overwrite",
    )
    assert both.changed == ["phone", "email"]


def test_a_missing_external_reference_is_filled_unless_another_contact_has_it():
    assert _merge({"ref": "A-1"}, "fill").external_ref == "A-1"
    assert _merge({"ref": "A-1"}, "fill", external_ref="B-2").external_ref is None
    taken = _merge({"ref": "A-1"}, "fill", taken=lambda key, value: key == "external_ref")
    assert taken.external_ref is None
