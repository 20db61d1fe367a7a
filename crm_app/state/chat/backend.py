"""The chat services this UI calls (crm_app/services/chat, helper CORE): one import place,
so the state code names them the same way whichever version is installed."""

from __future__ import annotations

try:  # pragma: no cover - which branch runs depends on whether CORE's package is there
    from crm_app.services.chat import conversations, turn, visitors
    from crm_app.services.chat.turn import Accepted, Delta, Done
except ImportError:  # pragma: no cover - TEMPORARY until services/chat lands
    from crm_app.state.chat import _stand_in as _s

    conversations = turn = visitors = _s
    Accepted, Delta, Done = _s.Accepted, _s.Delta, _s.Done

__all__ = ["Accepted", "Delta", "Done", "conversations", "turn", "visitors"]
