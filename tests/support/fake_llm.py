"""A tiny local chat-completions server for tests: `POST /v1/chat/completions`, streamed
as server-sent events (`data: {...}\\n\\n` ... `data: [DONE]\\n\\n`) like OpenAI's.

    with FakeLLM() as llm:
        llm.script(Reply(text=["Hel", "lo"]), Reply(tool_args=['{"na', 'me": "Ann"}']))
        engine = OpenAIEngine(base_url=llm.base_url, model="fake", api_key="k")
        ...
        llm.requests  # the JSON bodies received, in order
        llm.authorizations  # their Authorization headers, in order

Each request takes the next scripted `Reply` (a default "OK" when the script is empty):
text chunks, a tool call whose arguments arrive in several fragments, an HTTP error status,
a delay before the answer (for timeouts), or a stream that breaks off. Runs in a thread
(stdlib http.server) on a random port.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    text: list[str] = field(default_factory=list)  # content deltas, in order
    tool_args: list[str] | None = None  # argument fragments of one streamed tool call
    tool_name: str = "save_contact_details"
    tool_first: bool = False  # the tool call before the text
    status: int = 200  # != 200: an error response with `error_message`
    error_message: str = "upstream exploded"
    delay: float = 0.0  # seconds before the response starts
    chunk_delay: float = 0.0  # seconds between chunks
    break_after: int | None = None  # close the connection after this many chunks


class FakeLLM:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.authorizations: list[str] = []
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with owner._lock:
                    owner.requests.append(body)
                    owner.authorizations.append(self.headers.get("Authorization", ""))
                    reply = owner._script.popleft() if owner._script else Reply(text=["OK"])
                try:
                    owner._answer(self, body, reply)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._script.extend(replies)

    def __enter__(self) -> FakeLLM:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -------------------------------------------------------------------------------

    def _answer(self, handler: BaseHTTPRequestHandler, body: dict, reply: Reply) -> None:
        if reply.delay:
            time.sleep(reply.delay)
        if handler.path.rstrip("/") != "/v1/chat/completions":
            reply = Reply(status=404, error_message=f"no route {handler.path}")
        if reply.status != 200:
            payload = json.dumps(
                {"error": {"message": reply.error_message, "type": "server_error", "code": None}}
            ).encode()
            handler.send_response(reply.status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Cache-Control", "no-cache")
        handler.send_header("Connection", "close")
        handler.end_headers()
        model = body.get("model", "fake")
        chunks = self._chunks(reply, model)
        for number, chunk in enumerate(chunks):
            if reply.break_after is not None and number >= reply.break_after:
                handler.wfile.write(b'data: {"choices": [{"index": 0, "delta": {"cont')
                handler.wfile.flush()
                handler.close_connection = True
                return
            handler.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            handler.wfile.flush()
            if reply.chunk_delay:
                time.sleep(reply.chunk_delay)
        handler.wfile.write(b"data: [DONE]\n\n")
        handler.wfile.flush()
        handler.close_connection = True

    @staticmethod
    def _chunks(reply: Reply, model: str) -> list[dict]:
        def chunk(delta: dict, finish: str | None = None) -> dict:
            return {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }

        text = [chunk({"role": "assistant", "content": ""})]
        text += [chunk({"content": piece}) for piece in reply.text]
        tool: list[dict] = []
        if reply.tool_args is not None:
            fragments = reply.tool_args or [""]
            tool.append(
                chunk(
                    {
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": "call_fake_1",
                                "type": "function",
                                "function": {"name": reply.tool_name, "arguments": fragments[0]},
                            }
                        ]
                    }
                )
            )
            tool += [
                chunk({"tool_calls": [{"index": 0, "function": {"arguments": fragment}}]})
                for fragment in fragments[1:]
            ]
        body = tool + text if reply.tool_first else text + tool
        finish = "tool_calls" if reply.tool_args is not None else "stop"
        return [*body, chunk({}, finish)]
