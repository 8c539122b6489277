"""The one adapter for every OpenAI-compatible server (OpenAI, proxies, Ollama, vLLM,
llama.cpp, LM Studio): only ``base_url``, ``api_key`` and ``settings`` differ.

It speaks chat completions through the official ``openai`` SDK, but owns the retry policy
(the SDK's own retries are switched off) so that retries are deterministic, testable with an
injected ``sleep``, and end in a workbench error that names the model and the endpoint.
The API key is kept out of every repr, message and log line.
"""

from __future__ import annotations

import inspect
import json
import logging
import threading
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

from workbench.errors import (
    ConfigError,
    ModelError,
    ModelHTTPError,
    ModelOutputError,
    ModelUnavailableError,
)
from workbench.models.types import (
    ModelRequest,
    ModelResponse,
    ToolCall,
    Usage,
    estimate_tokens,
    request_tokens,
)
from workbench.settings import Settings, redact

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.openai.com/v1"
# Local servers (Ollama, vLLM, llama.cpp, LM Studio) ignore auth, but the SDK insists on a key.
_NO_KEY_PLACEHOLDER = "no-key"
# Statuses that a later attempt can fix; everything else is the caller's mistake.
_RETRYABLE_STATUS = frozenset({408, 429})
# Settings that would silently change the protocol this adapter implements.
_RESERVED_SETTINGS = frozenset({"model", "messages", "tools", "response_format", "stream",
                                "extra_body", "extra_headers", "extra_query", "timeout"})


class _Secret:
    """Holds the API key so that ``repr``/``vars`` of the model never print it."""

    __slots__ = ("_value",)

    def __init__(self, value: str | None) -> None:
        self._value = value

    def reveal(self) -> str | None:
        return self._value

    def __repr__(self) -> str:
        return "<secret>" if self._value else "<none>"


class OpenAICompatibleModel:
    """A :class:`~workbench.models.types.Model` backed by any chat-completions endpoint.

    Args:
        model: the model name sent to the server (``"gpt-4o-mini"``, ``"llama3.1:8b"``...).
        api_key: the bearer key. Optional for non-default ``base_url`` (local servers);
            required for the default OpenAI endpoint. Never shown anywhere.
        base_url: the server's ``/v1`` URL; default ``https://api.openai.com/v1``.
        client: an already built ``openai.OpenAI`` client (then ``api_key``/``base_url``
            must be omitted; the endpoint is read from the client).
        timeout: seconds per attempt.
        max_retries: retries after the first attempt, so ``max_retries + 1`` attempts.
        backoff_base, backoff_max: wait ``min(backoff_base * 2**attempt, backoff_max)``
            seconds between attempts; a server's ``Retry-After`` replaces it, capped at
            ``backoff_max``.
        settings: extra request fields (``temperature``, ``max_tokens``, ``seed``...). Fields
            the SDK does not know (``top_k``, ``num_ctx``...) go in the body unchanged.
        sleep: the wait function (inject a recorder in tests).

    The library never reads the environment; use :meth:`from_settings` at entry points.
    """

    def __init__(self, model: str, *, api_key: str | None = None, base_url: str | None = None,
                 client: Any = None, timeout: float = 60.0, max_retries: int = 4,
                 backoff_base: float = 0.5, backoff_max: float = 20.0,
                 settings: dict[str, Any] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if not isinstance(model, str) or not model.strip():
            raise ConfigError("OpenAICompatibleModel needs a model name, e.g. 'gpt-4o-mini'")
        if client is not None and (api_key is not None or base_url is not None):
            raise ConfigError("pass either client= or api_key=/base_url=, not both: an injected "
                              "client already carries its own key and endpoint")
        if timeout <= 0 or max_retries < 0 or backoff_base < 0 or backoff_max < 0:
            raise ConfigError("timeout must be > 0; max_retries, backoff_base and backoff_max "
                              "must be >= 0")
        settings = dict(settings or {})
        reserved = sorted(_RESERVED_SETTINGS & settings.keys())
        if reserved:
            raise ConfigError(f"settings may not set {reserved}: they are part of the request "
                              "or of the adapter's own configuration")
        try:
            json.dumps(settings, sort_keys=True)
        except (TypeError, ValueError) as exc:
            # Settings are part of the record/replay key, so they must be plain JSON.
            raise ConfigError(f"settings must be JSON-serialisable: {exc}") from None

        self._name = model
        self._api_key = _Secret(api_key)
        if client is not None:
            self._endpoint = str(getattr(client, "base_url", "") or DEFAULT_BASE_URL).rstrip("/")
        else:
            self._endpoint = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self._injected = client
        self._client: Any = None
        self._client_lock = threading.Lock()
        self._direct_params: frozenset[str] | None = None
        self.timeout = float(timeout)
        self.max_retries = int(max_retries)
        self.backoff_base = float(backoff_base)
        self.backoff_max = float(backoff_max)
        self._settings = settings
        self._sleep = sleep

    @classmethod
    def from_settings(cls, settings: Settings, model: str | None = None,
                      **kwargs: Any) -> OpenAICompatibleModel:
        """Build from :class:`~workbench.settings.Settings` (``OPENAI_API_KEY``,
        ``OPENAI_BASE_URL``, ``WORKBENCH_MODEL``)."""
        name = model or settings.default_model_name
        if name == "offline":
            raise ConfigError("'offline' is not an OpenAI-compatible model; set WORKBENCH_MODEL "
                              "or pass model=")
        return cls(name, api_key=settings.api_key, base_url=settings.base_url, **kwargs)

    # --- identity -------------------------------------------------------------------------

    @property
    def name(self) -> str:
        """The model name, as sent to the server and written in run records."""
        return self._name

    @property
    def endpoint(self) -> str:
        """The base URL requests go to (no key, no trailing slash)."""
        return self._endpoint

    @property
    def settings(self) -> dict[str, Any]:
        """A copy of the extra request fields (part of the record/replay key)."""
        return dict(self._settings)

    def __repr__(self) -> str:
        return f"OpenAICompatibleModel(model={self._name!r}, endpoint={self._endpoint!r})"

    # --- the call -------------------------------------------------------------------------

    def complete(self, request: ModelRequest) -> ModelResponse:
        """Send one chat-completions request, retrying transient failures.

        Raises:
            ModelHTTPError: a non-retryable status (400, 401, 403, 404, 422...).
            ModelUnavailableError: 408/429/5xx, timeouts or dropped connections on every
                attempt.
            ModelOutputError: a 200 answer that is not a chat completion.
            ConfigError: no key for the default OpenAI endpoint.

        ``latency_s`` is the duration of the attempt that succeeded (backoff excluded), so
        a flaky network does not pollute latency comparisons.
        """
        client = self._get_client()
        kwargs = self._build_kwargs(client, request)
        attempts = self.max_retries + 1
        last = "no attempt"
        for attempt in range(attempts):
            started = time.perf_counter()
            try:
                completion = client.chat.completions.create(**kwargs)
            except Exception as exc:
                wait, last = self._classify(exc)  # raises if not retryable
                if attempt + 1 >= attempts:
                    err = ModelUnavailableError(
                        f"gave up after {attempts} attempt{'s' * (attempts > 1)}; "
                        f"last error: {last}", model=self._name, endpoint=self._endpoint)
                    err.attempts = attempts  # type: ignore[attr-defined]
                    err.last_status = getattr(exc, "status_code", None)  # type: ignore[attr-defined]
                    raise err from self._scrub(exc)
                delay = self._backoff(attempt) if wait is None else min(wait, self.backoff_max)
                log.warning("model %s at %s: %s; retry %d/%d in %.2fs", self._name,
                            self._endpoint, last, attempt + 1, self.max_retries, delay)
                self._sleep(delay)
                continue
            latency = time.perf_counter() - started
            return self._parse(completion, request, latency)
        raise AssertionError("unreachable")  # the loop always returns or raises

    # --- helpers --------------------------------------------------------------------------

    def _get_client(self) -> Any:
        """Build the SDK client on first use (importing ``openai`` is slow)."""
        if self._client is not None:
            return self._client
        with self._client_lock:
            if self._client is None:
                self._client = self._make_client()
        return self._client

    def _make_client(self) -> Any:
        if self._injected is not None:
            # Our loop owns retries; an SDK retry underneath would multiply attempts.
            with_options = getattr(self._injected, "with_options", None)
            return with_options(max_retries=0) if callable(with_options) else self._injected
        key = self._api_key.reveal()
        if not key:
            if self._endpoint == DEFAULT_BASE_URL:
                raise ConfigError(f"no API key for {self._endpoint}: pass api_key= (entry points "
                                  "read OPENAI_API_KEY) or a base_url of a local server")
            key = _NO_KEY_PLACEHOLDER
        import openai

        # Explicit key and base_url: the SDK must not fall back to environment variables.
        return openai.OpenAI(api_key=key, base_url=self._endpoint, timeout=self.timeout,
                             max_retries=0)

    def _build_kwargs(self, client: Any, request: ModelRequest) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "model": self._name,
            "messages": [m.to_openai() for m in request.messages],
            "timeout": self.timeout,
        }
        if request.tools:
            kwargs["tools"] = [t.to_openai() for t in request.tools]
        if request.response_format is not None:
            kwargs["response_format"] = request.response_format.to_openai()
        direct = self._known_params(client)
        extra = {}
        for key, value in self._settings.items():
            if direct is None or key in direct:
                kwargs[key] = value
            else:
                extra[key] = value  # server-specific field: the SDK would reject it as kwarg
        if extra:
            kwargs["extra_body"] = extra
        return kwargs

    def _known_params(self, client: Any) -> frozenset[str] | None:
        """Keyword names ``create`` accepts, or None if it takes ``**kwargs``."""
        if self._direct_params is None:
            try:
                params = inspect.signature(client.chat.completions.create).parameters.values()
            except (TypeError, ValueError, AttributeError):
                return None
            if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
                return None
            self._direct_params = frozenset(p.name for p in params)
        return self._direct_params

    def _backoff(self, attempt: int) -> float:
        # Deterministic on purpose: runs must be reproducible, and one client rarely
        # needs jitter to avoid a thundering herd.
        return min(self.backoff_base * (2 ** attempt), self.backoff_max)

    def _classify(self, exc: Exception) -> tuple[float | None, str]:
        """Return ``(retry_after, description)`` for a retryable failure, else raise."""
        import openai

        if isinstance(exc, openai.APIStatusError):
            status = int(exc.status_code)
            message = self._redact(_server_message(exc))
            if status in _RETRYABLE_STATUS or status >= 500:
                return _retry_after(exc.response.headers), f"HTTP {status}: {message}"
            body = self._redact(_body_text(exc))
            raise ModelHTTPError(message, status=status, model=self._name,
                                 endpoint=self._endpoint, body=body) from self._scrub(exc)
        if isinstance(exc, openai.APITimeoutError):
            return None, f"timed out after {self.timeout:g}s"
        if isinstance(exc, openai.APIConnectionError):
            cause = exc.__cause__ or exc.__context__
            detail = f" ({self._redact(str(cause))})" if cause else ""
            return None, f"connection failed{detail}"
        if isinstance(exc, openai.OpenAIError):
            raise ModelError(f"the openai SDK failed: {type(exc).__name__}: "
                             f"{self._redact(str(exc))}", model=self._name,
                             endpoint=self._endpoint) from self._scrub(exc)
        raise exc  # a bug (ours or the SDK's) is not a model failure: keep the real traceback

    def _parse(self, completion: Any, request: ModelRequest, latency: float) -> ModelResponse:
        """Turn the SDK object into a ModelResponse; odd servers give ModelOutputError."""
        try:
            choice = completion.choices[0]
            message = choice.message
            text = message.content
            calls = [_tool_call(tc) for tc in (message.tool_calls or ())]
            finish = choice.finish_reason
        except (AttributeError, IndexError, KeyError, TypeError) as exc:
            raise ModelOutputError(
                f"the server's answer is not a chat completion: "
                f"{self._redact(repr(completion))[:200]}",
                model=self._name, endpoint=self._endpoint) from exc
        if text is not None and not isinstance(text, str):
            text = str(text)
        usage = getattr(completion, "usage", None)
        prompt_tokens = getattr(usage, "prompt_tokens", None)
        completion_tokens = getattr(usage, "completion_tokens", None)
        if not isinstance(prompt_tokens, int) or not isinstance(completion_tokens, int):
            # Some local servers omit usage; estimate so cost curves still have a value.
            prompt_tokens = request_tokens(request)
            completion_tokens = estimate_tokens(text) + sum(
                estimate_tokens(c.raw_arguments) for c in calls)
        parsed = None
        if request.response_format is not None and text:
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = None  # the caller validates and decides what to do
        return ModelResponse(
            text=text, tool_calls=calls,
            finish_reason=finish or ("tool_calls" if calls else "stop"),
            usage=Usage(prompt_tokens, completion_tokens), latency_s=latency,
            model=getattr(completion, "model", None) or self._name, parsed=parsed)

    def _redact(self, text: str) -> str:
        return redact(text, (self._api_key.reveal(),))

    def _scrub(self, exc: BaseException) -> BaseException:
        """Remove the key from an SDK exception before it is chained (tracebacks print it)."""
        key = self._api_key.reveal()
        if key and key in str(exc):
            exc.args = tuple(self._redact(a) if isinstance(a, str) else a for a in exc.args)
            if isinstance(getattr(exc, "message", None), str):
                exc.message = self._redact(exc.message)  # type: ignore[attr-defined]
            if hasattr(exc, "body"):
                exc.body = None  # type: ignore[attr-defined]
        return exc


def _tool_call(tc: Any) -> ToolCall:
    """One SDK tool call → ToolCall; malformed arguments become ``parse_error``."""
    fn = getattr(tc, "function", None)
    if fn is not None:
        return ToolCall.from_raw(tc.id or "", fn.name or "", fn.arguments)
    custom = getattr(tc, "custom", None)  # "custom" tools send free text, not JSON
    return ToolCall.from_raw(tc.id or "", getattr(custom, "name", "") or "",
                             getattr(custom, "input", None))


def _server_message(exc: Any) -> str:
    """The human message in an OpenAI-style error body, else the SDK's text."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        msg = body.get("message") or body.get("error") or body.get("detail")
        if isinstance(msg, dict):
            msg = msg.get("message")
        if msg:
            return str(msg)
    if isinstance(body, str) and body.strip():
        return body.strip()[:500]
    return str(getattr(exc, "message", "") or exc)


def _body_text(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if body is None:
        return ""
    if isinstance(body, str):
        return body[:2000]
    try:
        return json.dumps(body, sort_keys=True)[:2000]
    except (TypeError, ValueError):
        return repr(body)[:2000]


def _retry_after(headers: Any) -> float | None:
    """Seconds from ``retry-after-ms`` or ``Retry-After`` (seconds or HTTP date)."""
    try:
        ms = headers.get("retry-after-ms")
        if ms is not None:
            return max(0.0, float(ms) / 1000)
    except (TypeError, ValueError):
        pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
