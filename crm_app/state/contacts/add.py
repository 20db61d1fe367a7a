"""Add Contact from the contacts list: choose CSV or a single person, the person's form with
its custom fields, and the live warning when the email or phone already belongs to someone.
A mixin of `ContactsState` (the form's custom fields are the list's)."""

from __future__ import annotations

import reflex as rx

from crm_app import routes
from crm_app.services import contacts as contact_service
from crm_app.services.errors import ServiceError
from crm_app.state.base import shows_errors


def _complete_enough(key: str, value: str) -> bool:
    """Look for duplicates once the value could be a whole email or phone number."""
    if key == "email":
        return "@" in value and "." in value.rsplit("@", 1)[-1]
    return sum(ch.isdigit() for ch in value) >= 7


class AddContact(rx.State, mixin=True):
    add_open: bool = False
    add_step: str = "choose"  # choose | single
    add_values: dict[str, str] = {}
    add_errors: dict[str, str] = {}
    similar_id: str = ""
    similar_name: str = ""
    similar_href: str = ""
    saving: bool = False

    @rx.event
    def open_add(self):
        self.add_open, self.add_step = True, "choose"
        self.add_values, self.add_errors = {}, {}
        self.similar_id = self.similar_name = self.similar_href = ""

    @rx.event
    def choose_single(self):
        self.add_step = "single"

    @rx.event
    def back_to_choose(self):
        self.add_step = "choose"

    @rx.event
    def set_add_value(self, key: str, value):
        if isinstance(value, bool):
            value = "Yes" if value else ""
        self.add_values = {**self.add_values, str(key)[:60]: str(value)[:5000]}
        if key in self.add_errors:
            self.add_errors = {k: v for k, v in self.add_errors.items() if k != key}
        if key in ("email", "phone") and _complete_enough(key, str(value)):
            return type(self).check_similar
        if key in ("email", "phone") and self.similar_id:
            self.similar_id = self.similar_name = self.similar_href = ""
        return None

    @rx.event
    def toggle_multi(self, key: str, option: str, checked: bool):
        chosen = [o for o in self.add_values.get(key, "").split("; ") if o]
        chosen = [o for o in chosen if o != option] + ([option] if checked else [])
        self.add_values = {**self.add_values, key: "; ".join(chosen)}

    @rx.event
    def check_similar(self):
        """The live duplicate warning while typing email or phone (quiet when it cannot look)."""
        try:
            with self.unit() as (session, actor):
                match = contact_service.find_similar(
                    session,
                    actor,
                    self.route_agent_id(),
                    email=self.add_values.get("email", ""),
                    phone=self.add_values.get("phone", ""),
                )
        except ServiceError:
            match = None
        self.similar_id = match["id"] if match else ""
        self.similar_name = match["name"] if match else ""
        self.similar_href = (
            f"{routes.agent_path(routes.CONTACTS, self.route_agent_id() or 0)}/{match['id']}"
            if match
            else ""
        )

    @rx.event
    @shows_errors(fields="add_errors")
    def submit_add(self):
        data = {k: v for k, v in self.add_values.items() if v.strip()}
        self.add_errors = {}
        if not data.get("email") and not data.get("phone"):
            self.add_errors = {
                "email": "Add an email or a mobile number.",
                "phone": "Add an email or a mobile number.",
            }
            return None
        self.saving = True
        yield
        try:
            with self.unit() as (session, actor):
                contact = contact_service.add_contact_manually(
                    session, actor, self.route_agent_id(), data
                )
                name = contact.name or contact.email or contact.phone
        finally:
            self.saving = False
        self.add_open = False
        yield rx.toast.success(f"{name} added")
        yield type(self).refresh(True)
