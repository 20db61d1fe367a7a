"""100 visitors chatting at once lose no message: every turn stores its visitor message and
its reply (rows counted against what was sent)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlmodel import func, select

from crm_app import db
from crm_app.models import Conversation, Message
from crm_app.services.chat import conversations as chats
from crm_app.services.chat import turn as chat
from crm_app.services.chat import visitors

VISITORS = 100


def test_concurrent_turns_lose_no_message(world, make_fake):
    keys = [visitors.visitor_key(visitors.new_visitor_token()) for _ in range(VISITORS)]
    with db.session_scope() as s:
        convs = [chats.start_conversation(s, world.agent_id, key).id for key in keys]

    def one(i: int):
        engine = make_fake(reply_text=f"Reply number {i} to you.")
        events = list(
            chat.chat_turn(
                world.agent_id, keys[i], convs[i], f"Message {i} from visitor", engine=engine
            )
        )
        return events[-1]

    with ThreadPoolExecutor(max_workers=VISITORS) as pool:
        results = list(pool.map(one, range(VISITORS)))
    assert all(r.reply.status == "ok" for r in results)
    with db.session_scope() as s:
        assert s.exec(select(func.count()).select_from(Message)).one() == 3 * VISITORS
        rows = s.exec(select(Message).where(Message.role != "agent")).all()
        assert sorted(m.content for m in rows) == sorted(
            f"Message {i} from visitor" for i in range(VISITORS)
        )
        replies = s.exec(
            select(Message.conversation_id, Message.content).where(
                Message.role == "agent", Message.status == "ok", Message.content.like("Reply%")
            )
        ).all()
        assert sorted(replies) == sorted(
            (convs[i], f"Reply number {i} to you.") for i in range(VISITORS)
        )
        titled = s.exec(
            select(func.count()).select_from(Conversation).where(Conversation.title != "")
        ).one()
        assert titled == VISITORS
