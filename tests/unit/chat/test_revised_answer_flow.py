"""Revise Answer, end to end through the real offline engine: a member corrects an answer
in History, and the next visitor who asks the same question gets the corrected one."""

from __future__ import annotations

from crm_app import db
from crm_app.services.chat import conversations as chats
from crm_app.services.chat import history
from crm_app.services.chat.turn import Done, chat_turn
from crm_app.services.chat.visitors import new_visitor_token, visitor_key

QUESTION = "What are your opening hours on Saturday?"
REVISED = "On Saturdays we are open from 9 am to 1 pm."


def _ask(agent_id: int, text: str) -> tuple[int, str]:
    key = visitor_key(new_visitor_token())
    with db.session_scope() as s:
        conv_id = chats.start_conversation(s, agent_id, key).id
    done = list(chat_turn(agent_id, key, conv_id, text))[-1]
    assert isinstance(done, Done)
    return done.reply.id, done.reply.content


def test_a_revised_answer_changes_the_next_reply(world):
    reply_id, before = _ask(world.agent_id, QUESTION)
    assert REVISED not in before
    with db.session_scope() as s:
        history.revise_answer(s, world.owner, world.agent_id, reply_id, REVISED)
    # Another visitor, phrased a little differently.
    _, after = _ask(world.agent_id, "what are your opening hours on saturday")
    assert REVISED in after
    # An unrelated question still gets the usual answer.
    _, other = _ask(world.agent_id, "Do you treat children?")
    assert REVISED not in other
