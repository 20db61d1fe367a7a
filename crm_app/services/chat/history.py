"""History (PRODUCT §8): who chatted with an agent, their chats, a chat's transcript, and
the team's revised answers.

Users are one row per contact that has conversations with the agent, one per visitor who
never became a contact (`Anonymous User`) and one per member who tried the agent in the
Playground. Each kind is one aggregate query (the agent's conversations grouped by contact
or by visitor), newest activity first and limited; the page's names come from one more
query (never a query per row), so an agent with 100,000 conversations lists as fast as one
with ten.

A revised answer belongs to a question: the visitor message just before the agent message
a member corrected. Revising an answer to the same question again replaces it (one answer
per question and agent); the reply engines answer from these (services/chat/turn.py).
Only members reach History (API keys and the system do not); revising needs the Admin role.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, func, or_, tuple_
from sqlmodel import Session, select

from crm_app.models import Agent, Contact, Conversation, Message, RevisedAnswer, User, utcnow
from crm_app.services import audit
from crm_app.services.access import Actor, require_agent
from crm_app.services.chat import visitors
from crm_app.services.contact_search import search as contact_search
from crm_app.services.display import contact_name, fmt_time
from crm_app.services.errors import NotFound, PermissionDenied, ValidationError

LIMIT = 50  # users per page ("Show more" asks for the next LIMIT)
MAX_LIMIT = 1000
CHATS_LIMIT = 200  # a user's newest chats
MESSAGES_LIMIT = 2000  # a transcript's newest messages
ANSWER_MAX = 4000
SEARCH_MAX = 200
ANONYMOUS = "Anonymous User"
UNTITLED = "Untitled Conversation"
PLAYGROUND = visitors.MEMBER_PREFIX  # a Playground visitor id: "member:<user_id>"
VISITOR = "v:"  # a visitor's user key: "v:" + the first KEY_CHARS of their visitor id
KEY_CHARS = 16
HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class HistoryUser:
    key: str  # the contact's id, or "v:<visitor>" (anonymous visitor or Playground member)
    name: str
    contact_id: str | None
    last_at: datetime
    time: str
    chats: int
    test: bool = False  # a member trying the agent in the Playground


@dataclass(frozen=True)
class UserPage:
    users: list[HistoryUser]
    more: bool  # there are older users past the limit


@dataclass(frozen=True)
class ChatSummary:
    id: int
    title: str
    last_at: datetime
    time: str
    messages: int
    test: bool


@dataclass(frozen=True)
class UserChats:
    user: HistoryUser
    chats: list[ChatSummary]


@dataclass(frozen=True)
class MessageView:
    id: int
    role: str  # visitor | agent | member
    who: str
    content: str
    created_at: datetime
    time: str
    feedback: str  # "" | like | dislike
    status: str  # ok | error | pending
    error: str  # the provider's error detail (members only)
    question: str  # an agent message: the visitor message just before it
    revised: str  # the team's revised answer to that question ("" when none)


@dataclass(frozen=True)
class Transcript:
    id: int
    title: str
    test: bool
    user_key: str
    user_name: str
    contact_id: str | None
    messages: list[MessageView]


@dataclass(frozen=True)
class Revision:
    id: int
    message_id: int
    question: str
    answer: str


# ---------------------------------------------------------------- access


def _agent(session: Session, actor: Actor, agent_id, minimum: str = "User") -> Agent:
    if not actor.is_member:
        raise PermissionDenied("Only team members can open History.")
    return require_agent(session, actor, agent_id if isinstance(agent_id, int) else None, minimum)


def user_key(conversation: Conversation) -> str:
    if conversation.contact_id and not conversation.test:
        return conversation.contact_id
    return _visitor_key(conversation.visitor_id)


def _visitor_key(visitor_id: str) -> str:
    if visitor_id.startswith(PLAYGROUND):
        return VISITOR + visitor_id
    return VISITOR + visitor_id[:KEY_CHARS]


def _visitor_match(key: str):
    """The conversations of a "v:" key: a Playground member's exactly, a visitor's by the
    prefix of their visitor id (an index range)."""
    raw = key[len(VISITOR) :]
    if raw.startswith(PLAYGROUND):
        if not raw[len(PLAYGROUND) :].isdigit():
            raise NotFound("User not found.")
        return and_(Conversation.test, Conversation.visitor_id == raw)
    if not raw or len(raw) > KEY_CHARS or not set(raw) <= HEX:
        raise NotFound("User not found.")
    upper = raw[:-1] + chr(ord(raw[-1]) + 1)
    return and_(
        ~Conversation.test,
        Conversation.contact_id.is_(None),
        Conversation.visitor_id >= raw,
        Conversation.visitor_id < upper,
    )


def _member_names(session: Session, org_visitors: list[str]) -> dict[str, str]:
    """Playground visitor id -> the member's name, in one query."""
    ids = {int(v[len(PLAYGROUND) :]) for v in org_visitors if v[len(PLAYGROUND) :].isdigit()}
    if not ids:
        return {}
    users = session.exec(select(User).where(User.id.in_(ids))).all()
    return {PLAYGROUND + str(u.id): u.display_name for u in users}


# ---------------------------------------------------------------- users


def history_users(
    session: Session,
    actor: Actor,
    agent_id,
    search: str = "",
    *,
    limit: int = LIMIT,
    tz_name: str = "",
) -> UserPage:
    """Everyone who chatted with the agent, newest activity first: contacts by name,
    anonymous visitors, members' Playground chats. `search` matches a contact's name, email
    or phone (as the contacts list's search does), "Anonymous User" or a member's name.

    Without a search the agent's conversations are walked newest first (the (agent, last
    message) index) until `limit` + 1 users are seen: a few hundred rows, however many
    conversations there are. A search aggregates the matching contacts' conversations."""
    agent = _agent(session, actor, agent_id)
    limit = max(1, min(int(limit), MAX_LIMIT))
    term = str(search or "").strip().lower()[:SEARCH_MAX]
    if not term:
        groups = _walk(session, agent.id, [], limit)
    else:
        matching = select(Contact.id).where(
            Contact.agent_id == agent.id, contact_search(session, agent.id, term)
        )
        last = func.max(Conversation.last_message_at).label("last_at")
        named = (
            select(Conversation.contact_id, last)
            .where(
                Conversation.agent_id == agent.id,
                Conversation.contact_id.in_(matching),
                ~Conversation.test,
            )
            .group_by(Conversation.contact_id)
            .order_by(last.desc(), Conversation.contact_id)
            .limit(limit + 1)
        )
        groups = [(("contact", cid), at) for cid, at in session.exec(named)]
        if _matches(ANONYMOUS, term):
            anonymous = [Conversation.contact_id.is_(None), ~Conversation.test]
            groups += _walk(session, agent.id, anonymous, limit)
        tested = _playground(session, agent.id)
        names = _member_names(session, list(tested))
        groups += [
            (("member", vid), at)
            for vid, at in tested.items()
            if _matches(names.get(vid, ""), term)
        ]
        groups.sort(key=lambda g: (g[1], g[0][1]), reverse=True)
    page, more = groups[:limit], len(groups) > limit
    return UserPage(_users(session, agent.id, page, tz_name), more)


WALK_BATCH = 200


def _group(contact_id: str | None, visitor_id: str, test: bool) -> tuple[str, str]:
    """Whose a conversation is: a contact's, a Playground member's or an anonymous visitor's."""
    if contact_id and not test:
        return ("contact", contact_id)
    return ("member" if test else "visitor", visitor_id)


def _walk(session: Session, agent_id: int, where: list, limit: int) -> list:
    """The first `limit` + 1 users met walking the agent's conversations newest first, each
    with their newest activity: [((kind, key), last_at)]."""
    seen: dict[tuple[str, str], datetime] = {}
    cursor = None
    batch = WALK_BATCH
    while len(seen) <= limit:
        query = (
            select(
                Conversation.id,
                Conversation.last_message_at,
                Conversation.contact_id,
                Conversation.visitor_id,
                Conversation.test,
            )
            .where(Conversation.agent_id == agent_id, *where)
            .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
            .limit(batch)
        )
        if cursor is not None:
            query = query.where(
                tuple_(Conversation.last_message_at, Conversation.id) < tuple_(*cursor)
            )
        rows = session.exec(query).all()
        for _id, at, contact_id, visitor_id, test in rows:
            seen.setdefault(_group(contact_id, visitor_id, test), at)
            if len(seen) > limit:
                break
        if len(rows) < batch:
            break
        cursor = (rows[-1][1], rows[-1][0])
        batch = min(batch * 2, 5000)
    return list(seen.items())


def _playground(session: Session, agent_id: int) -> dict[str, datetime]:
    """Members' Playground visitor ids -> their newest test chat, through the (agent, visitor)
    index: their ids are "member:<id>", a visitor's are hex (a team is small)."""
    query = (
        select(Conversation.visitor_id, func.max(Conversation.last_message_at))
        .where(
            Conversation.agent_id == agent_id,
            Conversation.visitor_id >= PLAYGROUND,
            Conversation.visitor_id < PLAYGROUND[:-1] + chr(ord(PLAYGROUND[-1]) + 1),
            Conversation.test,
        )
        .group_by(Conversation.visitor_id)
    )
    return dict(session.exec(query).all())


def _users(session: Session, agent_id: int, page: list, tz_name: str) -> list[HistoryUser]:
    """The page's users with their names and chat counts: three queries for the whole page."""
    contact_ids = [key for (kind, key), _ in page if kind == "contact"]
    visitor_ids = [key for (kind, key), _ in page if kind != "contact"]
    contacts, counts = {}, {}
    if contact_ids:
        contacts = {
            c.id: c for c in session.exec(select(Contact).where(Contact.id.in_(contact_ids)))
        }
        counted = (
            select(Conversation.contact_id, func.count(Conversation.id))
            .where(
                Conversation.agent_id == agent_id,
                Conversation.contact_id.in_(contact_ids),
                ~Conversation.test,
            )
            .group_by(Conversation.contact_id)
        )
        counts.update({("contact", k): n for k, n in session.exec(counted)})
    if visitor_ids:
        counted = (
            select(Conversation.visitor_id, Conversation.test, func.count(Conversation.id))
            .where(
                Conversation.agent_id == agent_id,
                Conversation.visitor_id.in_(visitor_ids),
                Conversation.contact_id.is_(None),
            )
            .group_by(Conversation.visitor_id, Conversation.test)
        )
        counts.update({("member" if t else "visitor", k): n for k, t, n in session.exec(counted)})
    members = _member_names(session, [key for (kind, key), _ in page if kind == "member"])
    users = []
    for (kind, key), at in page:
        n, time = counts.get((kind, key), 0), fmt_time(at, tz_name)
        if kind == "contact":
            contact = contacts.get(key)
            name = contact_name(contact) if contact else "Unnamed contact"
            users.append(HistoryUser(key, name, key, at, time, n))
        else:
            test = kind == "member"
            name = members.get(key, "Team member") if test else ANONYMOUS
            users.append(HistoryUser(_visitor_key(key), name, None, at, time, n, test))
    return users


def _matches(name: str, term: str) -> bool:
    """A search term matches a name's start or any word's start ("anon", "user")."""
    name = name.lower()
    return name.startswith(term) or any(word.startswith(term) for word in name.split())


# ---------------------------------------------------------------- chats


def _chat_rows(session: Session, where, limit: int):
    """Conversations with their message counts in one grouped query, newest first."""
    query = (
        select(
            Conversation.id,
            Conversation.title,
            Conversation.last_message_at,
            Conversation.test,
            func.count(Message.id),
        )
        .outerjoin(Message, Message.conversation_id == Conversation.id)
        .where(*where)
        .group_by(
            Conversation.id, Conversation.title, Conversation.last_message_at, Conversation.test
        )
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
        .limit(limit)
    )
    return session.exec(query).all()


def history_chats(
    session: Session, actor: Actor, agent_id, key: str, *, tz_name: str = ""
) -> UserChats:
    """One user's chats with the agent ("<Name>'s Chats"), newest first, each with its
    title (`Untitled Conversation` when it has none), last activity and message count."""
    agent = _agent(session, actor, agent_id)
    key = str(key or "")[:100]
    contact_id = None
    test = False
    if key.startswith(VISITOR):
        where = [Conversation.agent_id == agent.id, _visitor_match(key)]
        raw = key[len(VISITOR) :]
        test = raw.startswith(PLAYGROUND)
        name = _member_names(session, [raw]).get(raw, "Team member") if test else ANONYMOUS
    else:
        contact = session.get(Contact, key) if key else None
        if contact is None or contact.agent_id != agent.id:
            raise NotFound("User not found.")
        contact_id, name = contact.id, contact_name(contact)
        where = [
            Conversation.agent_id == agent.id,
            Conversation.contact_id == contact.id,
            ~Conversation.test,
        ]
    rows = _chat_rows(session, where, CHATS_LIMIT)
    if not rows:
        raise NotFound("User not found.")
    chats = [
        ChatSummary(cid, title or UNTITLED, at, fmt_time(at, tz_name), n, bool(is_test))
        for cid, title, at, is_test, n in rows
    ]
    last = max(c.last_at for c in chats)
    user = HistoryUser(key, name, contact_id, last, fmt_time(last, tz_name), len(chats), test)
    return UserChats(user, chats)


# ---------------------------------------------------------------- transcript


def _conversation(session: Session, agent: Agent, conversation_id) -> Conversation:
    conv = (
        session.get(Conversation, int(conversation_id))
        if str(conversation_id).isdigit() and len(str(conversation_id)) < 19
        else None
    )
    if conv is None or conv.agent_id != agent.id:
        raise NotFound("Conversation not found.")
    return conv


def _asker_roles(conv: Conversation) -> tuple[str, ...]:
    """Who asks the questions: the visitor (in the Playground, the member trying it)."""
    return ("visitor", "member") if conv.test else ("visitor",)


def transcript(session: Session, agent: Agent, conv: Conversation, tz_name: str = "") -> Transcript:
    """A conversation's messages in order (its newest MESSAGES_LIMIT), each agent message with
    its question and revised answer: three queries whatever its length. The caller has
    checked that the actor may read `conv`."""
    rows = list(
        session.exec(
            select(Message)
            .where(Message.conversation_id == conv.id)
            .order_by(Message.created_at.desc(), Message.id.desc())
            .limit(MESSAGES_LIMIT)
        )
    )
    rows.reverse()
    contact = session.get(Contact, conv.contact_id) if conv.contact_id else None
    if conv.test:
        visitor = _member_names(session, [conv.visitor_id]).get(conv.visitor_id, "Team member")
    else:
        visitor = contact_name(contact) if contact else ANONYMOUS
    askers = _asker_roles(conv)
    questions: dict[int, str] = {}
    asked = ""
    for m in rows:
        if m.role in askers:
            asked = m.content
        elif m.role == "agent":
            questions[m.id] = asked
    wanted = {q for q in questions.values() if q}
    revised = (
        {
            r.question: r.answer
            for r in session.exec(
                select(RevisedAnswer).where(
                    RevisedAnswer.agent_id == agent.id, RevisedAnswer.question.in_(wanted)
                )
            )
        }
        if wanted
        else {}
    )
    labels = {
        "visitor": visitor,
        "agent": agent.name,
        "member": visitor if conv.test else "Team member",
    }
    messages = [
        MessageView(
            id=m.id,
            role=m.role,
            who=labels.get(m.role, m.role),
            content=m.content,
            created_at=m.created_at,
            time=fmt_time(m.created_at, tz_name),
            feedback=m.feedback or "",
            status=m.status or "ok",
            error=str((m.data or {}).get("error") or "") if m.status == "error" else "",
            question=questions.get(m.id, ""),
            revised=revised.get(questions.get(m.id, ""), "") if m.role == "agent" else "",
        )
        for m in rows
    ]
    return Transcript(
        id=conv.id,
        title=conv.title or UNTITLED,
        test=bool(conv.test),
        user_key=user_key(conv),
        user_name=visitor,
        contact_id=contact.id if contact and not conv.test else None,
        messages=messages,
    )


def history_transcript(
    session: Session, actor: Actor, agent_id, conversation_id, *, tz_name: str = ""
) -> Transcript:
    agent = _agent(session, actor, agent_id)
    return transcript(session, agent, _conversation(session, agent, conversation_id), tz_name)


# ---------------------------------------------------------------- revised answers


def _agent_message(session: Session, agent: Agent, message_id) -> tuple[Message, str]:
    """An agent message of this agent and the question it answered."""
    message = (
        session.get(Message, int(message_id))
        if str(message_id).isdigit() and len(str(message_id)) < 19
        else None
    )
    conv = session.get(Conversation, message.conversation_id) if message else None
    if message is None or conv is None or conv.agent_id != agent.id or message.role != "agent":
        raise NotFound("Message not found.")
    asked = session.exec(
        select(Message.content)
        .where(
            Message.conversation_id == conv.id,
            Message.role.in_(_asker_roles(conv)),
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
    agent = _agent(session, actor, agent_id, "Admin")
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
    agent = _agent(session, actor, agent_id, "Admin")
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
