"""The chat services this UI calls (crm_app/services/chat), named in one place."""

from __future__ import annotations

from crm_app.services.chat import conversations, turn, visitors
from crm_app.services.chat.turn import Accepted, Delta, Done

__all__ = ["Accepted", "Delta", "Done", "conversations", "turn", "visitors"]
