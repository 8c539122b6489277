"""A small OpenAI-compatible HTTP server on loopback, for tests and benchmarks.

It lets the real ``openai`` SDK (and so the real retry, error and parsing code of the
workbench) run end to end without a network or a key. Answers come from a *script*: a list of
items consumed in order, or a callable ``(request_json) -> item``::

    with FakeOpenAIServer([reply_error(429, retry_after=0), reply_text("hi")]) as server:
        model = OpenAICompatibleModel("fake", base_url=server.base_url, api_key="k")
        ...
        assert len(server.requests) == 2

Only ``127.0.0.1`` is ever bound, on an ephemeral port.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import socket
import struct
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["DelayReply", "DropConnection", "ErrorReply", "FakeOpenAIServer", "RawReply",
           "RecordedRequest", "TextReply", "ToolCallReply", "delay", "drop_connection",
           "reply_error", "reply_json", "reply_raw", "reply_text", "reply_tool_call",
           "reply_tool_calls"]


# --- script items -------------------------------------------------------------------------


@dataclass(frozen=True)
class TextReply:
    """An assistant message with text content."""

    text: str | None
    finish_reason: str = "stop"
    usage: tuple[int, int] | None = None  # (prompt, completion); None = estimate
    include_usage: bool = True            # False mimics servers that omit ``usage``


@dataclass(frozen=True)
class ToolCallReply:
    """An assistant message asking for tool calls; ``calls`` are ``(name, raw_arguments)``."""

    calls: tuple[tuple[str, str], ...]
    text: str | None = None
    finish_reason: str = "tool_calls"


@dataclass(frozen=True)
class ErrorReply:
    """An HTTP error. ``body`` is sent as JSON (dict) or verbatim (str)."""

    status: int
    body: dict[str, Any] | str
    retry_after: float | str | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RawReply:
    """Any status and body, sent verbatim (for odd servers: missing fields, non-JSON...)."""

    body: dict[str, Any] | str
    status: int = 200
    content_type: str = "application/json"


@dataclass(frozen=True)
class DelayReply:
    """Wait ``seconds`` before answering with ``then`` (to provoke client timeouts)."""

    seconds: float
    then: ScriptItem


@dataclass(frozen=True)
class DropConnection:
    """Close the socket without sending any response."""


ScriptItem = TextReply | ToolCallReply | ErrorReply | RawReply | DelayReply | DropConnection | str
Script = Iterable[ScriptItem] | Callable[[dict[str, Any]], ScriptItem]


def reply_text(text: str | None, *, finish_reason: str = "stop",
               usage: tuple[int, int] | None = None, include_usage: bool = True) -> TextReply:
    """A plain text answer."""
    return TextReply(text, finish_reason, usage, include_usage)


def reply_json(document: Any, **kwargs: Any) -> TextReply:
    """A JSON answer, as a model sends for a ``response_format`` request."""
    return reply_text(json.dumps(document), **kwargs)


def reply_tool_call(name: str, arguments: Mapping[str, Any] | str,
                    *, text: str | None = None) -> ToolCallReply:
    """One tool call. A ``str`` is sent verbatim, so malformed JSON can be scripted."""
    raw = arguments if isinstance(arguments, str) else json.dumps(dict(arguments))
    return ToolCallReply(((name, raw),), text)


def reply_tool_calls(*calls: tuple[str, Mapping[str, Any] | str]) -> ToolCallReply:
    """Several tool calls in one message (parallel tool calls)."""
    return ToolCallReply(tuple(
        (n, a if isinstance(a, str) else json.dumps(dict(a))) for n, a in calls))


def reply_error(status: int, message: str | None = None, *, retry_after: float | str | None = None,
                body: dict[str, Any] | str | None = None,
                headers: Mapping[str, str] | None = None) -> ErrorReply:
    """An HTTP error with an OpenAI-shaped body (``{"error": {"message": ...}}``)."""
    if body is None:
        body = {"error": {"message": message or f"fake error {status}",
                          "type": "fake_error", "code": str(status)}}
    return ErrorReply(status, body, retry_after, tuple((headers or {}).items()))


def reply_raw(body: dict[str, Any] | str, status: int = 200,
              content_type: str = "application/json") -> RawReply:
    """Send exactly this body."""
    return RawReply(body, status, content_type)


def delay(seconds: float, then: ScriptItem | None = None) -> DelayReply:
    """Sleep, then answer (default: a text reply ``"late"``)."""
    return DelayReply(seconds, then if then is not None else reply_text("late"))


def drop_connection() -> DropConnection:
    """Close the connection without any response."""
    return DropConnection()


# --- recorded requests --------------------------------------------------------------------


@dataclass
class RecordedRequest:
    """One request the server saw. ``json`` is the decoded body (None if absent or not JSON)."""

    method: str
    path: str
    headers: dict[str, str]
    json: Any = None
    raw: bytes = field(default=b"", repr=False)


# --- the server ---------------------------------------------------------------------------


class FakeOpenAIServer:
    """An OpenAI-compatible server in a background thread on ``127.0.0.1``.

    Args:
        script: items answered to ``POST /v1/chat/completions``, in order, or a callable
            ``(request_json) -> item``. A ``str`` item is shorthand for ``reply_text``.
            When a list runs out, the server answers 400 ``script exhausted``.
        api_key: if given, every request must carry ``Authorization: Bearer <api_key>``,
            otherwise it gets an OpenAI-style 401.
        models: ids listed by ``GET /v1/models``.
        embedding_dim: length of the deterministic vectors of ``POST /v1/embeddings``.
    """

    def __init__(self, script: Script = (), *, api_key: str | None = None,
                 models: Iterable[str] = ("fake-model",), embedding_dim: int = 8) -> None:
        self._script_fn: Callable[[dict[str, Any]], ScriptItem] | None = None
        self._script: list[ScriptItem] = []
        if callable(script):
            self._script_fn = script
        else:
            self._script = list(script)
        self.api_key = api_key
        self.models = tuple(models)
        self.embedding_dim = embedding_dim
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._completion_count = 0
        self._port: int | None = None

    def __repr__(self) -> str:  # never shows api_key
        url = self.base_url if self._port is not None else None
        return f"FakeOpenAIServer(base_url={url!r})"

    # lifecycle
    def start(self) -> FakeOpenAIServer:
        """Bind an ephemeral loopback port and serve in a daemon thread."""
        if self._httpd is not None:
            return self
        handler = type("_BoundHandler", (_Handler,), {"fake": self})
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        # Daemon handler threads: a scripted delay must not block close().
        httpd.daemon_threads = True
        self._httpd = httpd
        self._port = int(httpd.server_address[1])
        self._thread = threading.Thread(target=httpd.serve_forever, name="fake-openai",
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving and release the port (interrupts scripted delays)."""
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def port(self) -> int:
        """The bound port (still readable after close, for assertions)."""
        if self._port is None:
            raise RuntimeError("FakeOpenAIServer was never started; use it as a context manager")
        return self._port

    @property
    def base_url(self) -> str:
        """What to pass as ``base_url`` to the SDK: ``http://127.0.0.1:<port>/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        """Decoded bodies of the chat-completions requests, in arrival order."""
        with self._lock:
            return [r.json for r in self.requests if r.path.endswith("/chat/completions")]

    def add(self, *items: ScriptItem) -> None:
        """Append items to a list script (e.g. between two phases of a test)."""
        with self._lock:
            self._script.extend(items)

    # used by the handler
    def _record(self, req: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(req)

    def _next_item(self, body: dict[str, Any]) -> ScriptItem:
        with self._lock:
            self._completion_count += 1
            if self._script_fn is None:
                if not self._script:
                    return reply_error(400, f"FakeOpenAIServer script exhausted after "
                                            f"{self._completion_count - 1} completions")
                return self._script.pop(0)
            n = self._completion_count
        # Call user code outside the lock so a slow callable does not serialise requests.
        try:
            return self._script_fn(body)
        except Exception as exc:  # report script bugs to the client, not as a hang
            return reply_error(500, f"FakeOpenAIServer script raised on request {n}: {exc!r}")

    def _completion_body(self, item: TextReply | ToolCallReply, request: dict[str, Any]
                         ) -> dict[str, Any]:
        with self._lock:
            n = self._completion_count
        message: dict[str, Any] = {"role": "assistant"}
        usage_pair: tuple[int, int] | None = None
        include_usage = True
        if isinstance(item, TextReply):
            message["content"] = item.text
            finish, usage_pair, include_usage = item.finish_reason, item.usage, item.include_usage
            out_text = item.text or ""
        else:
            message["content"] = item.text
            message["tool_calls"] = [
                {"id": f"call_{n}_{i}", "type": "function",
                 "function": {"name": name, "arguments": raw}}
                for i, (name, raw) in enumerate(item.calls)]
            finish = item.finish_reason
            out_text = (item.text or "") + "".join(raw for _, raw in item.calls)
        if usage_pair is None:
            # Deterministic estimate, about four characters a token.
            prompt = json.dumps(request.get("messages", []), sort_keys=True)
            usage_pair = (max(1, len(prompt) // 4), max(1, len(out_text) // 4))
        body: dict[str, Any] = {
            "id": f"chatcmpl-fake-{n}", "object": "chat.completion", "created": 1700000000,
            "model": request.get("model", "fake-model"),
            "choices": [{"index": 0, "message": message, "finish_reason": finish,
                         "logprobs": None}],
        }
        if include_usage:
            body["usage"] = {"prompt_tokens": usage_pair[0], "completion_tokens": usage_pair[1],
                             "total_tokens": usage_pair[0] + usage_pair[1]}
        return body

    def _embedding(self, text: str) -> list[float]:
        """A unit vector derived from sha256 of the text: same text, same vector."""
        values: list[float] = []
        counter = 0
        while len(values) < self.embedding_dim:
            digest = hashlib.sha256(f"{counter}:{text}".encode()).digest()
            values.extend((b - 127.5) / 127.5 for b in digest)
            counter += 1
        vec = values[: self.embedding_dim]
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        return [v / norm for v in vec]


class _Handler(BaseHTTPRequestHandler):
    fake: FakeOpenAIServer  # set on the per-server subclass
    protocol_version = "HTTP/1.1"  # keep-alive, like real servers
    # Headers and body go out in two writes; with Nagle + delayed ACK on a keep-alive
    # connection that costs ~40 ms a request, which would swamp benchmarks.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    # plumbing
    def _read(self) -> RecordedRequest:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            doc = json.loads(raw) if raw else None
        except ValueError:
            doc = None
        req = RecordedRequest(self.command, self.path.split("?")[0],
                              {k.lower(): v for k, v in self.headers.items()}, doc, raw)
        self.fake._record(req)
        return req

    def _send(self, status: int, body: dict[str, Any] | str, *,
              content_type: str = "application/json",
              headers: Iterable[tuple[str, str]] = ()) -> None:
        data = (json.dumps(body) if not isinstance(body, str) else body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. timed out)

    def _authorised(self, req: RecordedRequest) -> bool:
        key = self.fake.api_key
        if key is None or req.headers.get("authorization") == f"Bearer {key}":
            return True
        self._send(401, {"error": {"message": "Incorrect API key provided.",
                                   "type": "invalid_request_error", "code": "invalid_api_key"}})
        return False

    # routes
    def do_GET(self) -> None:
        req = self._read()
        if not self._authorised(req):
            return
        if req.path.rstrip("/") == "/v1/models":
            self._send(200, {"object": "list", "data": [
                {"id": m, "object": "model", "created": 0, "owned_by": "fake"}
                for m in self.fake.models]})
        else:
            self._send(404, {"error": {"message": f"no route GET {req.path}"}})

    def do_POST(self) -> None:
        req = self._read()
        if not self._authorised(req):
            return
        path = req.path.rstrip("/")
        if path == "/v1/chat/completions":
            self._chat(req)
        elif path == "/v1/embeddings":
            self._embeddings(req)
        else:
            self._send(404, {"error": {"message": f"no route POST {req.path}"}})

    def _chat(self, req: RecordedRequest) -> None:
        body = req.json if isinstance(req.json, dict) else {}
        if body.get("stream"):
            self._send(400, {"error": {"message": "FakeOpenAIServer does not stream"}})
            return
        item = self.fake._next_item(body)
        while isinstance(item, DelayReply):
            # Event.wait instead of sleep: close() ends the delay at once.
            if self.fake._stopping.wait(item.seconds):
                self.close_connection = True
                return
            item = item.then
        if isinstance(item, str):
            item = reply_text(item)
        if isinstance(item, DropConnection):
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if isinstance(item, ErrorReply):
            headers = list(item.headers)
            if item.retry_after is not None:
                headers.append(("Retry-After", str(item.retry_after)))
            self._send(item.status, item.body, headers=headers)
        elif isinstance(item, RawReply):
            self._send(item.status, item.body, content_type=item.content_type)
        elif isinstance(item, TextReply | ToolCallReply):
            self._send(200, self.fake._completion_body(item, body))
        else:
            self._send(500, {"error": {"message": f"bad script item {item!r}"}})

    def _embeddings(self, req: RecordedRequest) -> None:
        body = req.json if isinstance(req.json, dict) else {}
        inputs = body.get("input", [])
        texts = [inputs] if isinstance(inputs, str) else [
            t if isinstance(t, str) else json.dumps(t) for t in inputs]
        as_b64 = body.get("encoding_format") == "base64"
        data = []
        for i, text in enumerate(texts):
            vec = self.fake._embedding(text)
            emb: Any = (base64.b64encode(struct.pack(f"<{len(vec)}f", *vec)).decode()
                        if as_b64 else vec)
            data.append({"object": "embedding", "index": i, "embedding": emb})
        tokens = sum(max(1, len(t) // 4) for t in texts)
        self._send(200, {"object": "list", "data": data,
                         "model": body.get("model", "fake-embedding"),
                         "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})
