"""Record/replay: a disk cache of model responses keyed by the full request.

A notebook re-run against a real model then costs nothing and reproduces exactly: the key is
the sha256 of the canonical request (model name, settings, messages, tools, response format),
and each entry is one pretty JSON file holding the request document and the response.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import Any, Literal

from workbench.errors import ConfigError, ReplayMissError
from workbench.models.types import Model, ModelRequest, ModelResponse

log = logging.getLogger(__name__)

ReplayMode = Literal["auto", "record", "replay"]
_MODES = ("auto", "record", "replay")
_FORMAT = 1


class RecordReplayModel:
    """Wrap a model with an on-disk response cache.

    Args:
        inner: the model that really answers (and whose ``name``/``endpoint`` are reported,
            so run records say which model produced the numbers).
        cache_dir: directory of ``<sha256>.json`` files (created if missing).
        mode: ``"auto"`` returns a recorded response or calls ``inner`` and records it;
            ``"record"`` always calls ``inner`` and overwrites; ``"replay"`` never calls
            ``inner`` and raises :class:`~workbench.errors.ReplayMissError` on a miss.

    Every response returned, fresh or replayed, is the decoded stored document, so
    ``to_dict()`` is identical on every run (``latency_s`` is the recorded one).
    """

    def __init__(self, inner: Model, cache_dir: str | Path, *, mode: ReplayMode = "auto") -> None:
        if mode not in _MODES:
            raise ConfigError(f"mode must be one of {_MODES}, got {mode!r}")
        self.inner = inner
        self.cache_dir = Path(cache_dir)
        self.mode: ReplayMode = mode
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """The inner model's name, unchanged."""
        return self.inner.name

    @property
    def endpoint(self) -> str:
        """The inner model's endpoint."""
        return self.inner.endpoint

    @property
    def settings(self) -> dict[str, Any]:
        """The inner model's settings (part of the key), ``{}`` if it has none."""
        settings = getattr(self.inner, "settings", None)
        return dict(settings) if isinstance(settings, dict) else {}

    def __repr__(self) -> str:
        return (f"RecordReplayModel({self.inner!r}, cache_dir={str(self.cache_dir)!r}, "
                f"mode={self.mode!r})")

    def key(self, request: ModelRequest) -> str:
        """The cache key of ``request``: sha256 of its canonical JSON."""
        return hashlib.sha256(self._request_json(request).encode("utf-8")).hexdigest()

    def path_for(self, request: ModelRequest) -> Path:
        """Where the response to ``request`` is (or would be) stored."""
        return self.cache_dir / f"{self.key(request)}.json"

    def complete(self, request: ModelRequest) -> ModelResponse:
        """Answer from the cache or from ``inner`` according to ``mode``."""
        request_json = self._request_json(request)
        key = hashlib.sha256(request_json.encode("utf-8")).hexdigest()
        path = self.cache_dir / f"{key}.json"
        if self.mode != "record":
            cached = self._load(path)
            if cached is not None:
                self._count(hit=True)
                return cached
            if self.mode == "replay":
                self._count(hit=False)
                err = ReplayMissError(
                    f"no recorded response for request {key} ({_describe(request)}) in "
                    f"{self.cache_dir}; record it with mode='auto' or 'record'",
                    model=self.name, endpoint=self.endpoint)
                err.key = key  # type: ignore[attr-defined]
                raise err
        self._count(hit=False)
        response = self.inner.complete(request)
        document = {
            "format": _FORMAT,
            "key": key,
            "request": json.loads(request_json),
            "response": response.to_dict(),
        }
        text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        self._write_atomic(path, text)
        # Return the stored form, not the live object, so a fresh answer and its replays
        # are indistinguishable (tuples become lists, and so on).
        return ModelResponse.from_dict(json.loads(text)["response"])

    # --- helpers --------------------------------------------------------------------------

    def _request_json(self, request: ModelRequest) -> str:
        return request.to_json(model=self.inner.name, settings=self.settings)

    def _count(self, *, hit: bool) -> None:
        with self._lock:
            if hit:
                self.hits += 1
            else:
                self.misses += 1

    def _load(self, path: Path) -> ModelResponse | None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            return ModelResponse.from_dict(json.loads(text)["response"])
        except (ValueError, KeyError, TypeError) as exc:
            # A damaged entry is a miss: "auto" re-records it, "replay" reports it.
            log.warning("ignoring unreadable replay entry %s: %s", path, exc)
            return None

    def _write_atomic(self, path: Path, text: str) -> None:
        """Write via a temp file in the same directory + ``os.replace``: readers (and a
        crash) see either the old entry or the new one, never half a file."""
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.cache_dir, prefix=f".{path.stem[:16]}.",
                                   suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise


def _describe(request: ModelRequest, limit: int = 80) -> str:
    """A short human description of a request: its last user message, truncated."""
    for message in reversed(request.messages):
        if message.role == "user" and message.content:
            text = " ".join(message.content.split())
            if len(text) > limit:
                text = text[: limit - 1] + "…"
            return f"last user message {text!r}"
    return f"{len(request.messages)} messages, no user message"
