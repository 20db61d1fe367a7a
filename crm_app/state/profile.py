"""Settings → Profile: first and last name; Save stays disabled until something changes."""

from __future__ import annotations

import reflex as rx

from crm_app.services import profile as profile_service
from crm_app.state.base import AppState, shows_errors


class ProfileState(AppState):
    loaded: bool = False
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    saved_first_name: str = ""
    saved_last_name: str = ""
    errors: dict[str, str] = {}
    saving: bool = False

    @rx.var
    def dirty(self) -> bool:
        return (self.first_name, self.last_name) != (self.saved_first_name, self.saved_last_name)

    def _fill(self, dto: dict) -> None:
        self.first_name = self.saved_first_name = dto["first_name"]
        self.last_name = self.saved_last_name = dto["last_name"]
        self.email = dto["email"]
        self.errors = {}
        self.loaded = True

    @rx.event
    @shows_errors
    def load(self):
        with self.unit() as (session, actor):
            self._fill(profile_service.get_profile(session, actor))

    @rx.event
    def set_first_name(self, value: str):
        self.first_name = str(value)[:200]
        self.errors = {k: v for k, v in self.errors.items() if k != "first_name"}

    @rx.event
    def set_last_name(self, value: str):
        self.last_name = str(value)[:200]
        self.errors = {k: v for k, v in self.errors.items() if k != "last_name"}

    @rx.event
    def reset_form(self):
        self.first_name, self.last_name = self.saved_first_name, self.saved_last_name
        self.errors = {}

    @rx.event
    @shows_errors(fields="errors")
    def save(self, form_data: dict | None = None):
        """Save; the submitted form's values win over the (debounced) typed ones, so a quick
        click right after typing saves what is on the screen."""
        for key in ("first_name", "last_name"):
            if isinstance((form_data or {}).get(key), str):
                setattr(self, key, form_data[key][:200])
        self.errors = profile_service.validate_names(self.first_name, self.last_name)
        if self.errors:
            return None
        with self.unit() as (session, actor):
            dto = profile_service.update_profile(session, actor, self.first_name, self.last_name)
        self._fill(dto)
        self.user_name = dto["name"]
        return rx.toast.success("Profile updated successfully")
