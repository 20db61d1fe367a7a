"""History (PRODUCT §8): who chatted with an agent, their chats, a chat's transcript, and
the team's revised answers.

Only members reach History (API keys and the system do not); revising needs the Admin role.

The package, by responsibility: common (access, user keys, member names), users (the users
list), chats (one user's chats), transcript (a chat's messages with their questions and
revised answers), revisions (revise or forget an answer). Callers use the names exported
here.
"""

from crm_app.services.chat.history.chats import history_chats
from crm_app.services.chat.history.common import UNTITLED
from crm_app.services.chat.history.revisions import ANSWER_MAX, delete_revision, revise_answer
from crm_app.services.chat.history.transcript import history_transcript, transcript
from crm_app.services.chat.history.users import LIMIT, MAX_LIMIT, SEARCH_MAX, history_users

__all__ = [
    "ANSWER_MAX",
    "LIMIT",
    "MAX_LIMIT",
    "SEARCH_MAX",
    "UNTITLED",
    "delete_revision",
    "history_chats",
    "history_transcript",
    "history_users",
    "revise_answer",
    "transcript",
]
