"""Shared pieces for the reply-engine tests: the field set, a Turn builder, a fake provider."""

from __future__ import annotations

import pytest

from crm_app.agent.base import ChatMessage, Revision, Turn
from tests.support.chat_corpus import CORPUS_NOW, FIELD_SETS
from tests.support.fake_llm import FakeLLM

# The corpus's field set and "today" (tests/support/chat_corpus.py), so both test the same agent.
NOW = CORPUS_NOW
FIELDS = FIELD_SETS["dental"]


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
