"""Shared pieces for the reply-engine tests: the field set, a Turn builder, a fake provider."""

from __future__ import annotations

from datetime import datetime

import pytest

from crm_app.agent.base import ChatMessage, FieldSpec, Revision, Turn
from tests.support.fake_llm import FakeLLM

NOW = datetime(2026, 12, 3, 10, 0)  # a Thursday

FIELDS = (
    FieldSpec("name", "Name", "Text", required=True),
    FieldSpec("email", "Email", "Email", required=True),
    FieldSpec("phone", "Mobile Number", "Phone"),
    FieldSpec(
        "gender", "Gender", "Dropdown", ("Female", "Male", "Non-binary", "Prefer not to say")
    ),
    FieldSpec(
        "service", "Service", "Dropdown", ("Teeth cleaning", "Whitening", "Braces", "Implants")
    ),
    FieldSpec("preferred_date", "Preferred date", "Date"),
    FieldSpec("budget", "Budget", "Number"),
    FieldSpec("newsletter", "Newsletter", "Checkbox"),
    FieldSpec(
        "interests",
        "Interests",
        "Multi-select",
        ("Kids dentistry", "Payment plans", "Sedation", "Evening appointments"),
    ),
)


def make_turn(
    *messages: tuple[str, str] | str,
    fields=FIELDS,
    known=None,
    revisions: tuple[Revision, ...] = (),
    region: str = "US",
) -> Turn:
    history = [ChatMessage("agent", "Hi! I'm Ava from Bright Smile Dental. How can I help?")]
    for m in messages:
        role, content = ("visitor", m) if isinstance(m, str) else m
        history.append(ChatMessage(role, content))
    return Turn(
        agent_name="Ava",
        welcome_message=history[0].content,
        phone_region=region,
        fields=tuple(fields),
        known=dict(known or {}),
        history=tuple(history),
        revisions=revisions,
        now=NOW,
    )


@pytest.fixture
def llm():
    with FakeLLM() as server:
        yield server
