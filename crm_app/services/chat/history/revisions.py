"""Revised answers. A revised answer belongs to a question: the visitor message just before
the agent message a member corrected. Revising an answer to the same question again
replaces it (one answer per question and agent); the reply engines answer from these
(services/chat/turn.py). Revising needs the Admin role.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, delete, or_
from sqlmodel import Session, select

from crm_app.models import Agent, Conversation, Message, RevisedAnswer, utcnow
from crm_app.services import audit
from crm_app.services.access import Actor
from crm_app.services.chat.history.common import asker_roles, get_by_id, member_agent
from crm_app.services.errors import NotFound, ValidationError

ANSWER_MAX = 4000


@dataclass(frozen=True)
class Revision:
    id: int
    message_id: int
    question: str
    answer: str


def _agent_message(session: Session, agent: Agent, message_id) -> tuple[Message, str]:
    """An agent message of this agent and the question it answered."""
    message = get_by_id(session, Message, message_id)
    conv = session.get(Conversation, message.conversation_id) if message else None
    if message is None or conv is None or conv.agent_id != agent.id or message.role != "agent":
        raise NotFound("Message not found.")
    asked = session.exec(
        select(Message.content)
        .where(
            Message.conversation_id == conv.id,
            Message.role.in_(asker_roles(conv)),
            or_(
                Message.created_at < message.created_at,
                and_(Message.created_at == message.created_at, Message.id < message.id),
            ),
        )
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    ).first()
    if not asked:
        raise ValidationError("This answer has no visitor question before it to revise.")
    return message, asked


def revise_answer(session: Session, actor: Actor, agent_id, message_id, answer: str) -> Revision:
    """Store what the agent should have answered to the question before `message_id`; a
    second revision of the same question replaces the first."""
    agent = member_agent(session, actor, agent_id, "Admin")
    message, question = _agent_message(session, agent, message_id)
    answer = str(answer or "").strip()
    if not answer:
        raise ValidationError("Enter the revised answer.", field="answer")
    if len(answer) > ANSWER_MAX:
        raise ValidationError(
            f"A revised answer can be at most {ANSWER_MAX:,} characters.", field="answer"
        )
    row = session.exec(
        select(RevisedAnswer)
        .where(RevisedAnswer.agent_id == agent.id, RevisedAnswer.question == question)
        .order_by(RevisedAnswer.id)
    ).first()
    if row is None:
        row = RevisedAnswer(agent_id=agent.id, question=question, answer=answer)
        action, verb = "Create", "Added"
    else:
        row.answer, row.created_at = answer, utcnow()
        action, verb = "Update", "Changed"
    row.created_by_id = actor.user_id
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        action,
        "Revised Answer",
        f"{verb} the revised answer {row.id} of agent {agent.name} (message {message.id})",
    )
    return Revision(row.id, message.id, question, answer)


def delete_revision(session: Session, actor: Actor, agent_id, message_id) -> None:
    """Forget the revised answer to the question before `message_id`."""
    agent = member_agent(session, actor, agent_id, "Admin")
    message, question = _agent_message(session, agent, message_id)
    gone = session.exec(
        delete(RevisedAnswer).where(
            RevisedAnswer.agent_id == agent.id, RevisedAnswer.question == question
        )
    ).rowcount
    if not gone:
        raise NotFound("This answer has no revision.")
    audit.record(
        session,
        actor,
        "Delete",
        "Revised Answer",
        f"Removed the revised answer of agent {agent.name} (message {message.id})",
    )
