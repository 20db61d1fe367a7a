"""The users list: who chatted with an agent.

Users are one row per contact that has conversations with the agent, one per visitor who
never became a contact (`Anonymous User`) and one per member who tried the agent in the
Playground. Each kind is one aggregate query (the agent's conversations grouped by contact
or by visitor), newest activity first and limited; the page's names come from one more
query (never a query per row), so an agent with 100,000 conversations lists as fast as one
with ten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, tuple_
from sqlmodel import Session, select

from crm_app.models import Contact, Conversation
from crm_app.services.access import Actor
from crm_app.services.chat.history.common import (
    ANONYMOUS,
    PLAYGROUND,
    HistoryUser,
    member_agent,
    member_names,
    visitor_key,
)
from crm_app.services.contact_search import search as contact_search
from crm_app.services.display import contact_name, fmt_time

LIMIT = 50  # users per page ("Show more" asks for the next LIMIT)
MAX_LIMIT = 1000
SEARCH_MAX = 200
WALK_BATCH = 200


@dataclass(frozen=True)
class UserPage:
    users: list[HistoryUser]
    more: bool  # there are older users past the limit


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
    agent = member_agent(session, actor, agent_id)
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
        names = member_names(session, list(tested))
        groups += [
            (("member", vid), at)
            for vid, at in tested.items()
            if _matches(names.get(vid, ""), term)
        ]
        groups.sort(key=lambda g: (g[1], g[0][1]), reverse=True)
    page, more = groups[:limit], len(groups) > limit
    return UserPage(_users(session, agent.id, page, tz_name), more)


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
    members = member_names(session, [key for (kind, key), _ in page if kind == "member"])
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
            users.append(HistoryUser(visitor_key(key), name, None, at, time, n, test))
    return users


def _matches(name: str, term: str) -> bool:
    """A search term matches a name's start or any word's start ("anon", "user")."""
    name = name.lower()
    return name.startswith(term) or any(word.startswith(term) for word in name.split())
