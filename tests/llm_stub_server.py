"""A small OpenAI-compatible HTTP server on 127.0.0.1 for protocol tests, with switchable quirks.

    with StubLLMServer(reply=lambda request: '{"answer": 5}', quirks={"fenced"}) as stub:
        client = LLMClient(LLMConfig(backend="openai-compatible", base_url=stub.base_url, model="m"))

Quirks (set `stub.quirks` at any time):
    ignore_schema        accept every response_format and tool, answer with the reply text as is (default behaviour)
    reject_json_schema   HTTP 500 for response_format json_schema, as llama.cpp's server does
    reject_tools         HTTP 400 for requests with tools
    tool_call            answer with a tool call carrying the reply when tools are sent
    fenced               wrap the reply in a ```json fence with prose around it
    broken_once          the first completion is cut-off JSON; later ones are whole
    slow                 sleep `delay_s` before answering (past the client's timeout)
    error_500            every completion answers HTTP 500
    no_usage             leave out the `usage` block (the client must count tokens itself)
    unauthorized         every completion answers HTTP 401
`die()` stops the server for good, as a killed model server would.
"""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = Callable[[dict[str, Any]], str]


class StubLLMServer:
    def __init__(self, reply: Reply | str = '{"answer": 5}', *, quirks: set[str] | None = None,
                 delay_s: float = 0.0, model: str = "stub-model") -> None:
        self.reply: Reply = (lambda _request: reply) if isinstance(reply, str) else reply
        self.quirks: set[str] = set(quirks or ())
        self.delay_s = delay_s
        self.model = model
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._broken_sent = False
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    @property
    def completions(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if "messages" in r]

    def start(self) -> "StubLLMServer":
        self._thread.start()
        return self

    def die(self) -> None:
        """Stop serving and close the socket: later connections are refused."""
        self._server.shutdown()
        self._server.server_close()

    stop = die

    def __enter__(self) -> "StubLLMServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        try:
            self.die()
        except OSError:
            pass

    # -- behaviour -------------------------------------------------------------------------------------
    def _completion(self, request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        fmt = (request.get("response_format") or {}).get("type")
        if "unauthorized" in self.quirks:
            return 401, {"error": {"message": "invalid api key"}}
        if "error_500" in self.quirks:
            return 500, {"error": {"message": "internal error"}}
        if "reject_json_schema" in self.quirks and fmt == "json_schema":
            return 500, {"error": {"message": "json_schema not supported"}}
        if "reject_tools" in self.quirks and request.get("tools"):
            return 400, {"error": {"message": "tools not supported"}}
        text = self.reply(request)
        with self._lock:
            if "broken_once" in self.quirks and not self._broken_sent:
                self._broken_sent = True
                text = text[: max(1, len(text) // 2)]
        if "fenced" in self.quirks:
            text = f"Here is the JSON:\n```json\n{text}\n```\nDone."
        message: dict[str, Any] = {"role": "assistant", "content": text}
        if "tool_call" in self.quirks and request.get("tools"):
            name = request["tools"][0]["function"]["name"]
            message = {"role": "assistant", "content": None, "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": name, "arguments": text}}]}
        body: dict[str, Any] = {"id": "cmpl-stub", "object": "chat.completion", "created": int(time.time()),
                                "model": self.model,
                                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}
        if "no_usage" not in self.quirks:
            prompt_chars = sum(len(str(m.get("content", ""))) for m in request.get("messages", []))
            body["usage"] = {"prompt_tokens": 100 + prompt_chars // 100, "completion_tokens": 7,
                             "total_tokens": 107 + prompt_chars // 100}
        return 200, body

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    self._send(200, {"object": "list", "data": [{"id": stub.model, "object": "model"}]})
                else:
                    self._send(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                request = json.loads(self.rfile.read(length) or b"{}")
                with stub._lock:
                    stub.requests.append(request)
                    stub.headers.append(dict(self.headers))
                    stub.in_flight += 1
                    stub.max_in_flight = max(stub.max_in_flight, stub.in_flight)
                try:
                    if "slow" in stub.quirks:
                        time.sleep(stub.delay_s)
                    status, body = stub._completion(request)
                    self._send(status, body)
                finally:
                    with stub._lock:
                        stub.in_flight -= 1

        return Handler
