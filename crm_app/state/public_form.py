"""The public form page /f/<slug> (no sign-in): visitors on phones and desktops.

The page posts the native form (multipart: answers, files, the signed render stamp and the
honeypot) to POST /api/forms/<slug>/submit — the one submission path, shared with the API
and the load benchmark — and shows the JSON answer: errors next to each field, the
success message, or the redirect. Nothing here trusts the browser: the endpoint
validates everything again.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlparse

import reflex as rx

from crm_app.db import session_scope
from crm_app.services import forms as form_service
from crm_app.services import spam
from crm_app.state.base import route_param

FORM_DOM_ID = "crm-public-form"
TOO_LARGE = (
    "Your answers and files are too large to send: attach files of up to 10 MB, 12 MB in all."
)


class PublicFormState(rx.State):
    view: str = "loading"  # loading | open | closed | limit | not_found | done
    title: str = ""
    description: str = ""
    submit_label: str = "Submit"
    elements: list[dict[str, Any]] = []
    token: str = ""
    errors: dict[str, str] = {}
    form_error: str = ""
    message: str = ""
    submitting: bool = False

    def _slug(self) -> str:
        return route_param(self.router, "slug")

    @rx.event
    def load(self):
        self.errors, self.form_error, self.submitting = {}, "", False
        with session_scope() as session:
            target = form_service.public_form(session, self._slug())
        if target.state != "open":
            self.view = target.state
            self.message = form_service.UNAVAILABLE[target.state]
            self.title = target.name if target.state != "not_found" else ""
            self.elements = []
            return
        settings = target.schema.get("settings") or {}
        self.view = "open"
        self.title = settings.get("title") or target.name
        self.description = settings.get("description") or ""
        self.submit_label = settings.get("submit_label") or "Submit"
        self.elements = form_service.public_elements(target.schema)
        self.token = spam.render_token(target.slug)

    @rx.event
    def submit(self, form_data: dict):
        if self.view != "open" or self.submitting:
            return
        self.submitting, self.form_error = True, ""
        url = json.dumps(f"/api/forms/{self._slug()}/submit")
        script = (
            "(async () => { try { const f = document.getElementById('" + FORM_DOM_ID + "');"
            f" const r = await fetch({url}, {{method: 'POST', body: new FormData(f), credentials: 'omit'}});"
            " let j; try { j = await r.json(); } catch (e) { j = {ok: false, message: 'Something went wrong. Please try again.'}; }"
            " j.http_status = r.status; return j; } catch (e) {"
            " return {ok: false, message: 'We could not reach the server. Check your connection and try again.'}; } })()"
        )
        return rx.call_script(script, callback=PublicFormState.show_result)

    @rx.event
    def show_result(self, result: dict):
        """The endpoint's answer, as the visitor's browser received it (it only affects this page)."""
        self.submitting = False
        result = result if isinstance(result, dict) else {}
        if result.get("ok"):
            self.errors = {}
            redirect = str(result.get("redirect_url") or "")
            if redirect and urlparse(redirect).scheme in ("http", "https"):
                return rx.redirect(redirect, is_external=False)
            self.view = "done"
            self.message = str(result.get("message") or "Thank you!")
            return rx.call_script("window.scrollTo({top: 0, behavior: 'smooth'})")
        if result.get("unavailable") in form_service.UNAVAILABLE:
            self.view = result["unavailable"]
            self.message = form_service.UNAVAILABLE[self.view]
            return
        if result.get("http_status") == 413:  # the body limit answers before our endpoint runs
            self.errors, self.form_error = {}, TOO_LARGE
            return
        errors = result.get("errors") if isinstance(result.get("errors"), dict) else {}
        known = {e["id"] for e in self.elements}
        self.errors = {str(k): str(v)[:300] for k, v in errors.items() if k in known}
        self.form_error = str(result.get("message") or "Please check your answers.")[:300]
        if self.errors:
            first = next(e["id"] for e in self.elements if e["id"] in self.errors)
            return rx.call_script(
                f"(() => {{ const el = document.getElementById({json.dumps('q-' + first)});"
                " if (el) { el.focus({preventScroll: true}); el.scrollIntoView({block: 'center', behavior: 'smooth'}); } })()"
            )
