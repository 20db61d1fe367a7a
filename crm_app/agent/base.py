"""The reply engine interface: what the chat service hands an engine, and what it gets back.

An engine is pure with respect to our data: it reads a `Turn` (a snapshot of everything it
may know, built by services/chat from the database and then detached from any transaction)
and yields `TextDelta`s (the reply, streamed) and at most one `Capture` (field key -> raw
value the engine understood from the visitor). It never touches the database. The chat
service validates every captured value by the field's type, drops keys that are not in
`Turn.fields` (the Allow-for-AI fields) and records what it dropped.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class FieldSpec:
    """One contact field the agent may fill (its `Allow for AI` is on)."""

    key: str  # ContactField.key: "name", "email", "phone", "gender" or a custom field's key
    label: str
    type: str  # Text | Long text | Number | Date | Dropdown | Multi-select | Checkbox | Email | Phone | URL
    options: tuple[str, ...] = ()
    required: bool = False
    hint: str = ""  # the field's AI hint, written by the team


@dataclass(frozen=True)
class ChatMessage:
    role: str  # visitor | agent | member
    content: str


@dataclass(frozen=True)
class Revision:
    """A team member's corrected answer to a question visitors ask."""

    question: str
    answer: str


@dataclass(frozen=True)
class Turn:
    """Everything an engine may know to answer the newest visitor message (`history[-1]`)."""

    agent_name: str
    welcome_message: str
    phone_region: str  # ISO 3166 alpha-2, the agent's default region for local numbers
    fields: tuple[FieldSpec, ...]  # only the Allow-for-AI fields
    known: Mapping[str, Any]  # values already known for those fields (contact + this chat)
    history: tuple[ChatMessage, ...]  # this conversation, oldest first; last = the new message
    revisions: tuple[Revision, ...] = ()
    now: datetime | None = None  # "today" for relative dates ("next Tuesday")
    test: bool = False  # a member trying the agent in the Playground


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class Capture:
    values: dict[str, Any] = field(default_factory=dict)  # field key -> raw value
    # For the team, not the visitor: what the engine could not use (e.g. a provider's tool
    # call whose arguments were not valid JSON). May come with empty `values`.
    notes: tuple[str, ...] = ()


Chunk = TextDelta | Capture


class EngineError(Exception):
    """The provider failed or timed out: `detail` is for the team, the visitor sees
    `visitor_message`."""

    visitor_message = "Sorry, I can't answer right now. Please try again in a moment."

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True)
class EngineConfig:
    """Which engine answers an agent's chat. `provider` "openai" = any OpenAI-compatible
    chat-completions server; anything else = the offline engine. Empty `base_url`, `model`
    and `api_key` fall back to CRM_LLM_BASE_URL / CRM_LLM_MODEL / CRM_LLM_API_KEY."""

    provider: str = "offline"
    base_url: str = ""
    model: str = ""
    api_key: str = ""
    timeout: float = 30


class ReplyEngine(Protocol):
    name: str

    def reply(self, turn: Turn) -> Iterator[Chunk]:
        """Stream the answer to `turn.history[-1]`; raise EngineError on provider failure."""
        ...
