"""Building a typical published form for the tests."""

from __future__ import annotations

from crm_app import db
from crm_app.services import forms


def booking_draft() -> dict:
    return {
        "elements": [
            {"id": "intro", "type": "heading", "label": "Book a visit"},
            {
                "id": "name",
                "type": "short_text",
                "label": "Your name",
                "required": True,
                "min": 2,
                "max": 80,
                "maps_to": "name",
            },
            {
                "id": "email",
                "type": "email",
                "label": "Email",
                "required": False,
                "maps_to": "email",
            },
            {"id": "phone", "type": "phone", "label": "Mobile number", "maps_to": "phone"},
            {
                "id": "clinic",
                "type": "dropdown",
                "label": "Clinic",
                "options": ["Downtown", "Harbor"],
                "maps_to": "preferred_clinic",
            },
            {"id": "guests", "type": "number", "label": "Guests", "min": 1, "max": 6},
            {
                "id": "topics",
                "type": "checkboxes",
                "label": "Topics",
                "options": ["Cleaning", "Whitening"],
            },
            {
                "id": "consent",
                "type": "consent",
                "label": "I agree to be contacted",
                "required": True,
            },
            {"id": "report", "type": "file", "label": "Referral letter"},
        ],
        "settings": {
            "title": "Book a visit",
            "submit_label": "Send",
            "success_message": "See you soon!",
        },
    }


def published_form(world, draft: dict | None = None, **settings) -> tuple[int, str]:
    draft = draft or booking_draft()
    draft["settings"].update(settings)
    with db.session_scope() as s:
        form = forms.create_form(s, world.owner, world.agent_id, "Book a visit")
        forms.save_draft(s, world.owner, world.agent_id, form.id, draft)
        forms.publish(s, world.owner, world.agent_id, form.id)
        return form.id, form.slug


GOOD = {
    "name": "Maria Lopez",
    "email": "Maria@Example.com",
    "phone": "",
    "clinic": "harbor",
    "guests": "2",
    "topics": ["Whitening"],
    "consent": "on",
}
