"""Typed rows for state vars: dataclasses filled from the plain dicts services return.

Reflex 0.10 sends a dataclass state var to the browser as an object whose fields the page
reads by name (`row.name`), typed, instead of a `dict` read with `row["name"].to(str)`.
`pick` keeps the fields a class declares and drops the rest, so a service adding a key
changes nothing on screen.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Iterable, Mapping
from functools import cache
from typing import TypeVar

T = TypeVar("T")


@cache
def _fields(cls: type) -> dict[str, type]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def pick(cls: type[T], data: Mapping) -> T:
    """An instance of the dataclass `cls` from the keys of `data` it declares; str fields
    get str values (ids arrive as ints), a None becomes the field's default."""
    values = {}
    for name, kind in _fields(cls).items():
        if name not in data or data[name] is None:
            continue
        value = data[name]
        values[name] = str(value) if kind is str else value
    return cls(**values)


def pick_all(cls: type[T], rows: Iterable[Mapping]) -> list[T]:
    return [pick(cls, row) for row in rows]


@dataclasses.dataclass
class Choice:
    """An item offered in a select or checklist: its id (as the control's value) and name."""

    id: str = ""
    name: str = ""


@dataclasses.dataclass
class CustomField:
    """A custom contact field as a list column, filter and input."""

    id: int = 0
    key: str = ""
    label: str = ""
    type: str = ""
    options: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Column:
    """A column of the contacts table (`cf:<id>` for a custom field)."""

    key: str = ""
    label: str = ""


@dataclasses.dataclass
class SavedView:
    """One of the member's saved views: its query as stored and the columns it shows."""

    id: int = 0
    name: str = ""
    query: dict = dataclasses.field(default_factory=dict)
    columns: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class AgentOption:
    """An agent the signed-in member can open (the sidebar's agent switcher)."""

    id: int = 0
    name: str = ""
    slug: str = ""


@dataclasses.dataclass
class ActivityItem:
    """A line of a contact's timeline (Contact details → Activity)."""

    id: str = ""
    icon: str = "circle"
    kind: str = ""
    message: str = ""
    who: str = ""
    actor_type: str = ""
    time: str = ""
    conversation_id: str = ""  # a chat's line: the conversation it links to
    suggestion: str = ""  # the agent's suggestion: "open" (can be accepted) or "accepted"
    accepted_by: str = ""


@dataclasses.dataclass
class TranscriptMessage:
    """One message of a chat transcript (History and the contact's Chat Conversation tab)."""

    id: int = 0
    role: str = ""  # visitor | agent | member
    who: str = ""
    content: str = ""
    time: str = ""
    feedback: str = ""  # "" | like | dislike
    status: str = "ok"  # ok | error | pending
    error: str = ""  # the provider's error detail, for members
    question: str = ""  # an agent message: the question it answered
    revised: str = ""  # the team's revised answer to that question
