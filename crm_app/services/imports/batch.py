"""Applying chunks of cleaned rows with save_contact's rules, set-based: match, merge, count."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from crm_app.models import Agent, Contact, ContactValue, new_contact_id, utcnow
from crm_app.services.access import Actor
from crm_app.services.contact_input import agent_fields
from crm_app.services.errors import ValidationError
from crm_app.services.imports.rows import Plan, clean_row
from crm_app.services.imports.writer import write_chunk
from crm_app.services.merge import POLICIES, CleanInput, Origin, activity_row, merge_fields

_CONTACT_COLUMNS = ("id", "external_ref", "name", "email", "phone", "gender", "member_set")


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[tuple[int, str, str, str]] = field(default_factory=list)


class Batch:
    """Applies chunks of cleaned rows with save_contact's rules, set-based."""

    def __init__(
        self,
        session: Session,
        agent: Agent,
        origin: Origin,
        policy: str,
        job_id: int | None,
        labels_by_id: dict[int, str],
    ):
        assert policy in POLICIES
        self.session, self.agent, self.origin, self.policy, self.job_id = (
            session,
            agent,
            origin,
            policy,
            job_id,
        )
        self.labels_by_id = labels_by_id

    # -- reading what the chunk may match
    def _load(self, rows: list[tuple[int, CleanInput]]):
        refs = {c.external_ref for _, c in rows if c.external_ref}
        emails = {c.defaults.get("email") for _, c in rows} - {None}
        phones = {c.defaults.get("phone") for _, c in rows} - {None}
        found: dict[str, dict] = {}
        columns = [getattr(Contact, c) for c in _CONTACT_COLUMNS]
        for column, values in (
            (Contact.external_ref, refs),
            (Contact.email, emails),
            (Contact.phone, phones),
        ):
            values = list(values)
            for start in range(0, len(values), 900):
                part = values[start : start + 900]
                for row in self.session.exec(
                    select(*columns).where(Contact.agent_id == self.agent.id, column.in_(part))
                ):
                    if row[0] not in found:
                        found[row[0]] = dict(zip(_CONTACT_COLUMNS, row))
                        found[row[0]]["member_set"] = list(row[6] or [])
        values_by_contact: dict[str, dict[int, tuple]] = {cid: {} for cid in found}
        ids = list(found)
        for start in range(0, len(ids), 900):
            for cid, fid, text, num, js in self.session.exec(
                select(
                    ContactValue.contact_id,
                    ContactValue.field_id,
                    ContactValue.value_text,
                    ContactValue.value_num,
                    ContactValue.value_json,
                ).where(ContactValue.contact_id.in_(ids[start : start + 900]))
            ):
                values_by_contact[cid][fid] = (text, num, js)
        return found, values_by_contact

    def apply(self, rows: list[tuple[int, CleanInput]], valid_only: bool) -> Outcome:
        out = Outcome()
        if not rows:
            return out
        found, values = self._load(rows)
        by = {"external_ref": {}, "email": {}, "phone": {}}
        for c in found.values():
            for key in by:
                if c[key]:
                    by[key][c[key]] = c
        new: dict[str, dict] = {}
        touched: dict[str, dict] = {}  # existing contacts changed: id -> previous snapshot
        activities: list[dict] = []
        now = utcnow()
        for number, clean in rows:
            email, phone = clean.defaults.get("email"), clean.defaults.get("phone")
            contact = None
            for key, value in (
                ("external_ref", clean.external_ref),
                ("email", email),
                ("phone", phone),
            ):
                if value and value in by[key]:
                    contact = by[key][value]
                    break
            if contact is None:
                if not email and not phone:
                    self._fail(
                        out,
                        valid_only,
                        number,
                        "",
                        "",
                        "A contact needs at least an email or a mobile number.",
                    )
                    continue
                cid = new_contact_id()
                contact = {
                    "id": cid,
                    "external_ref": clean.external_ref,
                    "name": "",
                    "email": None,
                    "phone": None,
                    "gender": None,
                    "member_set": [],
                }
                contact.update(clean.defaults)
                new[cid] = contact
                values[cid] = {
                    fid: stored for fid, stored in clean.custom.items() if stored is not None
                }
                for key in by:
                    if contact[key]:
                        by[key][contact[key]] = contact
                out.created += 1
                continue
            if self.policy == "skip":
                out.skipped += 1
                continue
            try:
                changed, acts, snapshot = self._update(
                    contact, values.setdefault(contact["id"], {}), clean, by
                )
            except ValidationError as exc:
                column = clean.labels.get(exc.field, exc.field or "")
                self._fail(out, valid_only, number, column, "", exc.message)
                continue
            activities += acts
            if contact["id"] not in new and snapshot is not None:
                previous = touched.setdefault(
                    contact["id"],
                    {"defaults": {}, "custom": {}, "external_ref": None, "ref_set": False},
                )
                for k, v in snapshot["defaults"].items():
                    previous["defaults"].setdefault(k, v)
                for k, v in snapshot["custom"].items():
                    previous["custom"].setdefault(k, v)
                if snapshot["ref_set"] and not previous["ref_set"]:
                    previous["ref_set"] = True
            if changed:
                out.updated += 1
                contact["_changed"] = True
            else:
                out.skipped += 1
        write_chunk(self, new, found, values, touched, activities, now)
        return out

    def _fail(
        self, out: Outcome, valid_only: bool, number: int, column: str, value: str, reason: str
    ) -> None:
        if not valid_only:
            raise ValidationError(f"Row {number}: {reason}")
        out.errors.append((number, column, value, reason))

    def _update(self, contact: dict, current: dict[int, tuple], clean: CleanInput, by: dict):
        """The merge rule (services/merge.py) on an in-memory contact; returns (changed,
        timeline rows, previous values or None). Raises ValidationError for an invalid row."""
        merge = merge_fields(
            contact,
            {field_id: stored[0] for field_id, stored in current.items()},
            clean,
            self.policy,
            origin=self.origin,
            member_set=contact["member_set"],
            external_ref=contact["external_ref"],
            custom_labels=self.labels_by_id,
            taken=lambda key, value: value in by[key] and by[key][value]["id"] != contact["id"],
        )
        acts = [
            activity_row(contact["id"], self.origin, d.kind, d.message, d.data)
            for d in merge.decisions
        ]
        snapshot = {"defaults": {}, "custom": {}, "ref_set": merge.external_ref is not None}
        staged = {"external_ref": merge.external_ref or contact["external_ref"]}
        for d in merge.decisions:
            if not d.applied:
                continue
            if d.field_id is None:
                snapshot["defaults"][d.key] = d.old
                staged[d.key] = d.new
                continue
            row = current.get(d.field_id)
            snapshot["custom"][d.field_id] = list(row) if row else None
            if d.new is None:
                current.pop(d.field_id, None)
            else:
                current[d.field_id] = d.new
        # The row is valid: apply it to the in-memory contact and the indexes.
        for key in ("email", "phone", "external_ref"):
            if key in staged and staged[key] != contact[key]:
                if contact[key] and by[key].get(contact[key]) is contact:
                    del by[key][contact[key]]
                if staged[key]:
                    by[key][staged[key]] = contact
        contact.update(staged)
        changed = bool(merge.changed)
        if snapshot["ref_set"] or changed:
            contact["_dirty"] = True
        return changed, acts, snapshot if (changed or snapshot["ref_set"]) else None


def import_origin(actor: Actor) -> Origin:
    return Origin("import", actor.display_name, actor.user_id)


def save_contacts_batch(
    session: Session,
    agent: Agent,
    rows: list[Mapping[str, Any]],
    *,
    origin: Origin,
    policy: str = "fill",
    valid_only: bool = True,
) -> Outcome:
    """save_contact for many rows of field key → raw value (in order), set-based.

    Used by the import and by tests that compare it with save_contact row by row.
    """
    fields = agent_fields(session, agent.id)
    keys = list(dict.fromkeys(k for r in rows for k in r))
    plan = Plan(
        agent.id,
        agent.phone_region,
        [(i, k, k) for i, k in enumerate(keys)],
        fields,
        {k: f.label for k, f in fields.items()},
    )
    cleaned: list[tuple[int, CleanInput]] = []
    out = Outcome()
    for number, row in enumerate(rows, start=1):
        cells = ["" if row.get(k) is None else str(row.get(k)) for k in keys]
        plan.columns = [(i, k, k) for i, k in enumerate(keys) if k in row]
        clean, errors = clean_row(plan, cells)
        if clean is None:
            if not valid_only:
                raise ValidationError(f"Row {number}: {errors[0][2]}", field=errors[0][0] or None)
            out.errors += [(number, *e) for e in errors]
        else:
            cleaned.append((number, clean))
    labels = {f.id: f.label for f in fields.values()}
    result = Batch(session, agent, origin, policy, None, labels).apply(cleaned, valid_only)
    result.errors = out.errors + result.errors
    return result
