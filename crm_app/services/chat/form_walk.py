"""A form asked in the chat: the conversation side of services/forms/chat.py.

When the visitor's first message arrives and the agent has a published form with "Ask in
chat" on, the agent answers with the form's first question (the chat page starts a
conversation only when the visitor first writes, so a question stored with the welcome
would never have been seen), and the walk is kept on the conversation (`form_id`,
`form_walk`). While the walk is asking, each visitor message is the
answer to the current question: checked with the public page's rules, re-asked when wrong,
and the last answer files the submission through the one submission path, linked to the
conversation (and the conversation to the submission's contact). No reply engine is
involved, so these replies are written in the turn's own transaction. "stop" ends the walk;
the engine answers from then on, as it does once the form is filed or closed.

The Playground walks the form too but files nothing: it says what would happen.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, func, select

from crm_app.models import Agent, Conversation, Message
from crm_app.services.errors import ServiceError
from crm_app.services.forms import chat as form_chat

ASKING = "asking"
MSG_TEST_DONE = "Test: your answers would be submitted now (the Playground files no submission)."
MSG_SENT = "Thank you! Your answers have been sent."


def _begin_form(session: Session, agent: Agent, conv: Conversation) -> str | None:
    """On the visitor's first message: start the agent's chat form, if it has one, and
    return its first question (None: no form, the engine answers)."""
    conv.form_walk = {"state": "none"}  # tried once per conversation
    session.add(conv)
    form = form_chat.chat_form(session, agent.id)
    schema = form_chat.form_schema(session, {"slug": form.slug}) if form is not None else None
    if not schema or not form_chat.questions(schema):
        return None
    step = form_chat.begin(form, schema)
    conv.form_id, conv.form_walk = form.id, step.walk
    return step.reply


def form_reply(
    session: Session, agent: Agent, conv: Conversation, text: str, now: datetime, ip: str = ""
) -> str | None:
    """The agent's reply when the conversation is in a form walk (None: the engine answers)."""
    walk = dict(conv.form_walk or {})
    if not walk and _first_visitor_message(session, conv):
        return _begin_form(session, agent, conv)
    if walk.get("state") != ASKING:
        return None
    schema = form_chat.form_schema(session, walk)
    if not schema or not form_chat.questions(schema):  # closed or unpublished meanwhile
        conv.form_walk = {**walk, "state": "closed"}
        session.add(conv)
        return None
    step = form_chat.answer(walk, schema, text, agent.phone_region, now)
    session.add(conv)
    if not step.finished:
        conv.form_walk = step.walk
        return step.reply
    if conv.test:
        conv.form_walk = {**step.walk, "state": "done"}
        return MSG_TEST_DONE
    try:
        with session.begin_nested():
            result = form_chat.file_submission(session, step.walk, conversation_id=conv.id, ip=ip)
    except ServiceError as exc:
        conv.form_walk = {**step.walk, "state": "failed", "error": exc.message[:300]}
        return f"Sorry, I couldn't send your answers: {exc.message}"
    conv.form_walk = {**step.walk, "state": "submitted", "submission_id": result.submission_id}
    if result.contact_id and not conv.contact_id:
        conv.contact_id = result.contact_id
    return result.success_message or MSG_SENT


def _first_visitor_message(session: Session, conv: Conversation) -> bool:
    said = session.exec(
        select(func.count())
        .select_from(Message)
        .where(Message.conversation_id == conv.id, Message.role == "visitor")
    ).one()
    return said == 1
