"""The OpenAI-compatible reply engine: any chat-completions server (hosted APIs, Ollama,
vLLM, llama.cpp) through the `openai` library, streamed.

One request per turn, `stream=True`, with:
- a system prompt naming the agent, listing the Allow-for-AI fields (label, type, options,
  hint, required), the values already known, the team's revised answers ("when asked X,
  answer Y") and today's date;
- the conversation (visitor -> user, agent/member -> assistant);
- ONE tool, `save_contact_details`, whose JSON schema lists exactly the Allow-for-AI fields
  (string / number / boolean / array by type, `enum` for Dropdown options, an array of enum
  for Multi-select, `format` email / date), `additionalProperties: false`.

Text deltas are yielded as they arrive; streamed tool-call argument fragments are joined by
tool-call index and, at the end, one `Capture` carries the parsed arguments exactly as the
model gave them (the chat service validates and drops what is not allowed). Arguments that
are not a JSON object give a `Capture` with no values and a note. When the model answered
only with the tool call, a second streamed call (tool result "saved", tool_choice "none")
asks for the text; if that gives nothing either, a short acknowledgement is used.

Any provider failure (HTTP error, connection error, timeout, broken stream) raises
`EngineError(detail)`: the detail is for the team, the visitor sees the polite message.
No retries: the visitor is waiting, and the service decides what to do.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx2
import openai

from crm_app.agent.base import Capture, Chunk, EngineError, FieldSpec, TextDelta, Turn

TOOL_NAME = "save_contact_details"
ACKNOWLEDGEMENT = "Thanks — I've noted that."
log = logging.getLogger(__name__)


class OpenAIEngine:
    name = "openai"

    def __init__(
        self, *, base_url: str = "", model: str = "", api_key: str = "", timeout: float = 30
    ) -> None:
        self.base_url = base_url.strip()
        self.model = model.strip()
        self.timeout = float(timeout or 30)
        self._client = openai.OpenAI(
            base_url=self.base_url or None,
            # Local servers (Ollama, vLLM, llama.cpp) accept any key; the library needs one.
            api_key=api_key.strip() or "not-set",
            timeout=self.timeout,
            max_retries=0,
        )

    def reply(self, turn: Turn) -> Iterator[Chunk]:
        if not self.model:
            raise EngineError("No model is configured (the agent's model or CRM_LLM_MODEL).")
        messages = build_messages(turn)
        tools = [tool_schema(turn.fields)] if turn.fields else None
        try:
            texts: list[str] = []
            calls: dict[int, dict[str, str]] = {}
            for kind, payload in self._stream(messages, tools, tool_choice=None):
                if kind == "text":
                    texts.append(payload)
                    yield TextDelta(payload)
                else:
                    index, part = payload
                    call = calls.setdefault(index, {"id": "", "name": "", "arguments": ""})
                    call["id"] = call["id"] or part.get("id") or ""
                    call["name"] = call["name"] or part.get("name") or ""
                    call["arguments"] += part.get("arguments") or ""
            capture = _capture(calls)
            if capture is not None:
                yield capture
            if not "".join(texts).strip():
                followed = False
                if calls:
                    follow_up = messages + _tool_exchange(calls)
                    for kind, payload in self._stream(follow_up, tools, tool_choice="none"):
                        if kind == "text":
                            followed = followed or bool(payload.strip())
                            yield TextDelta(payload)
                if not followed:
                    yield TextDelta(ACKNOWLEDGEMENT)
        except EngineError:
            raise
        except openai.APITimeoutError as exc:
            raise EngineError(f"The provider timed out after {self.timeout:g} s.") from exc
        except openai.APIStatusError as exc:
            raise EngineError(
                f"The provider answered HTTP {exc.status_code}: {_short(exc.message)}"
            ) from exc
        except openai.APIConnectionError as exc:
            raise EngineError(
                f"Could not reach the provider at {self.base_url or 'the default URL'}: "
                f"{_short(str(exc.__cause__ or exc))}"
            ) from exc
        except (openai.OpenAIError, httpx2.HTTPError) as exc:
            raise EngineError(f"The provider failed: {_short(str(exc))}") from exc

    def _stream(
        self, messages: list[dict], tools: list[dict] | None, tool_choice: str | None
    ) -> Iterator[tuple[str, Any]]:
        kwargs: dict[str, Any] = {"model": self.model, "messages": messages, "stream": True}
        if tools:
            kwargs["tools"] = tools
            if tool_choice:
                kwargs["tool_choice"] = tool_choice
        stream = self._client.chat.completions.create(**kwargs)
        finished = False
        try:
            for chunk in stream:
                for choice in chunk.choices or ():
                    finished = finished or bool(choice.finish_reason)
                    delta = choice.delta
                    if delta is None:
                        continue
                    if delta.content:
                        yield "text", delta.content
                    for tool_call in delta.tool_calls or ():
                        function = tool_call.function
                        yield (
                            "tool",
                            (
                                tool_call.index or 0,
                                {
                                    "id": tool_call.id or "",
                                    "name": (function.name if function else "") or "",
                                    "arguments": (function.arguments if function else "") or "",
                                },
                            ),
                        )
        finally:
            stream.close()
        if not finished:
            raise EngineError("The provider's stream ended before its last chunk.")


def build_messages(turn: Turn) -> list[dict]:
    messages: list[dict] = [{"role": "system", "content": system_prompt(turn)}]
    for message in turn.history:
        role = "user" if message.role == "visitor" else "assistant"
        messages.append({"role": role, "content": message.content})
    return messages


def system_prompt(turn: Turn) -> str:
    name = turn.agent_name or "the assistant"
    lines = [
        f"You are {name}, the virtual assistant of this business, chatting with a visitor on "
        "its website. Be friendly and concise, answer in the visitor's language, and never "
        "invent prices, availability or policies you were not given; offer that the team "
        "will follow up instead.",
    ]
    if turn.fields:
        lines.append(
            f"When the visitor tells you their own details, call {TOOL_NAME} with only what "
            "they said about themselves (never a third person's details, never guesses). "
            "These are the details you may collect:"
        )
        for spec in turn.fields:
            parts = [f"- {spec.key}: {spec.label} ({spec.type}"]
            if spec.options:
                parts.append(f"; one of: {', '.join(spec.options)}")
            parts.append(")")
            if spec.required:
                parts.append(" required")
            if spec.hint:
                parts.append(f" — {spec.hint}")
            lines.append("".join(parts))
        missing = [
            f.label for f in turn.fields if f.required and not _filled(turn.known.get(f.key))
        ]
        if missing:
            lines.append(
                "Politely ask for missing required details, one at a time: " + ", ".join(missing)
            )
    known = {k: v for k, v in turn.known.items() if _filled(v)}
    if known:
        lines.append("Already known about the visitor: " + json.dumps(known, default=str))
    if turn.revisions:
        lines.append("The team's answers to questions visitors ask (use them):")
        for revision in turn.revisions:
            lines.append(f'- When asked "{revision.question}", answer: "{revision.answer}"')
    today = (turn.now or datetime.now()).date().isoformat()
    lines.append(f"Today is {today}. Dates go in the tool as YYYY-MM-DD.")
    return "\n".join(lines)


def tool_schema(fields: tuple[FieldSpec, ...]) -> dict:
    """The one tool: its parameters are exactly `fields` (the Allow-for-AI fields)."""
    properties = {spec.key: field_schema(spec) for spec in fields}
    return {
        "type": "function",
        "function": {
            "name": TOOL_NAME,
            "description": "Save contact details the visitor gave about themselves in this "
            "conversation. Include only the details they actually gave.",
            "parameters": {
                "type": "object",
                "properties": properties,
                "additionalProperties": False,
            },
        },
    }


def field_schema(spec: FieldSpec) -> dict:
    description = spec.label + (f": {spec.hint}" if spec.hint else "")
    if spec.type == "Number":
        schema: dict[str, Any] = {"type": "number"}
    elif spec.type == "Checkbox":
        schema = {"type": "boolean"}
    elif spec.type == "Multi-select":
        schema = {"type": "array", "items": {"type": "string", "enum": list(spec.options)}}
    elif spec.type == "Dropdown":
        schema = {"type": "string", "enum": list(spec.options)}
    elif spec.type == "Email":
        schema = {"type": "string", "format": "email"}
    elif spec.type == "Date":
        schema = {"type": "string", "format": "date"}
    elif spec.type == "Phone":
        schema = {"type": "string"}
        description += " (with country code if the visitor gave one)"
    else:
        schema = {"type": "string"}
    schema["description"] = description
    return schema


def _capture(calls: dict[int, dict[str, str]]) -> Capture | None:
    values: dict[str, Any] = {}
    notes: list[str] = []
    for index in sorted(calls):
        call = calls[index]
        if call["name"] and call["name"] != TOOL_NAME:
            notes.append(f"The model called an unknown tool {call['name']!r}; ignored.")
            continue
        try:
            args = json.loads(call["arguments"] or "{}")
        except json.JSONDecodeError:
            notes.append(
                f"The model's {TOOL_NAME} arguments were not valid JSON: "
                f"{_short(call['arguments'])}"
            )
            continue
        if not isinstance(args, dict):
            notes.append(
                f"The model's {TOOL_NAME} arguments were not an object: {_short(str(args))}"
            )
            continue
        values.update(args)
    for note in notes:
        log.warning(note)
    if not values and not notes:
        return None
    return Capture(values=values, notes=tuple(notes))


def _tool_exchange(calls: dict[int, dict[str, str]]) -> list[dict]:
    tool_calls = [
        {
            "id": call["id"] or f"call_{index}",
            "type": "function",
            "function": {"name": call["name"] or TOOL_NAME, "arguments": call["arguments"] or "{}"},
        }
        for index, call in sorted(calls.items())
    ]
    results = [{"role": "tool", "tool_call_id": tc["id"], "content": "Saved."} for tc in tool_calls]
    return [{"role": "assistant", "content": None, "tool_calls": tool_calls}, *results]


def _filled(value: Any) -> bool:
    return value not in (None, "", [], ())


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
