"""Settings → Payments (Owner only): the organization's Stripe keys and Test connection.

The key inputs are write-only: not bound to any state var, their values arrive only with the
Save click and go straight to the service; the page learns the masked hint and whether each
is saved. Test connection runs in a background event: the service reads the key in its own
transaction, closes it, then calls Stripe in a thread.
"""

from __future__ import annotations

import reflex as rx

from crm_app.services.errors import PermissionDenied, ServiceError
from crm_app.services.payments import keys as service
from crm_app.state.base import AppState, error_toast, shows_errors

SECRET_INPUT_ID = "stripe-secret-key"
WEBHOOK_INPUT_ID = "stripe-webhook-secret"


class PaymentsState(AppState):
    loaded: bool = False
    allowed: bool = False  # the Owner; others see "Only the Owner…"
    has_secret_key: bool = False
    secret_key_unreadable: bool = False
    has_webhook_secret: bool = False
    webhook_secret_unreadable: bool = False
    key_hint: str = ""
    mode: str = ""  # test | live
    verified: str = ""  # "2026-12-03 19:40 UTC" of the last successful test
    webhook_url: str = ""
    errors: dict[str, str] = {}
    testing: bool = False
    test_ok: bool = False
    test_message: str = ""
    remove_open: bool = False

    def _fill(self, view: dict) -> None:
        self.has_secret_key = view["has_secret_key"]
        self.secret_key_unreadable = view["secret_key_unreadable"]
        self.has_webhook_secret = view["has_webhook_secret"]
        self.webhook_secret_unreadable = view["webhook_secret_unreadable"]
        self.key_hint, self.mode = view["key_hint"], view["mode"]
        self.verified = service.verified_label(view["verified_at"])
        self.webhook_url = view["webhook_url"]
        self.allowed, self.loaded = True, True

    @rx.event
    def load(self):
        self.errors, self.test_message, self.testing, self.remove_open = {}, "", False, False
        try:
            with self.unit(read_only=True) as (session, actor):
                self._fill(service.get_payment_settings(session, actor))
        except PermissionDenied:
            self.allowed, self.loaded = False, True
        except ServiceError as error:
            self.allowed, self.loaded = False, True
            return error_toast(error)

    @rx.event
    @shows_errors(fields="errors")
    def save(self, form_data: dict | None = None):
        form_data = form_data if isinstance(form_data, dict) else {}
        secret = str(form_data.get("secret_key") or "")[:500]
        whsec = str(form_data.get("webhook_secret") or "")[:500]
        self.errors, self.test_message = {}, ""
        with self.unit() as (session, actor):
            view = service.save_keys(session, actor, secret_key=secret, webhook_secret=whsec)
        self._fill(view)
        return [
            rx.set_value(SECRET_INPUT_ID, ""),
            rx.set_value(WEBHOOK_INPUT_ID, ""),
            rx.toast.success("Stripe keys saved."),
        ]

    @rx.event
    def clear_error(self, field: str):
        if field in self.errors:
            self.errors = {k: v for k, v in self.errors.items() if k != field}

    @rx.event
    def set_remove_open(self, value: bool):
        self.remove_open = bool(value)

    @rx.event
    @shows_errors
    def remove(self):
        with self.unit() as (session, actor):
            view = service.clear_keys(session, actor)
        self._fill(view)
        self.remove_open, self.test_message = False, ""
        return rx.toast.success(
            "Stripe keys removed. Paid agents stop selling until new keys are saved."
        )

    @rx.event(background=True)
    async def test_connection(self):
        async with self:
            if self.testing:
                return
            self.testing, self.test_message = True, ""
            try:
                with self.unit(read_only=True) as (_session, actor):
                    service.require_owner(actor)
            except ServiceError as error:
                self.testing = False
                yield error_toast(error)
                return
        result = service.ConnectionCheck(False, "The test could not run.")
        try:
            result = await rx.run_in_thread(lambda: service.test_connection(actor))
        except ServiceError as error:
            result = service.ConnectionCheck(False, error.message)
        finally:
            async with self:
                self.testing = False
                self.test_ok, self.test_message = result.ok, result.message
                if result.ok:
                    with self.unit(read_only=True) as (session, actor2):
                        self._fill(service.get_payment_settings(session, actor2))
