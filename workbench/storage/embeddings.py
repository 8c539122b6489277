"""The one embedding seam.

Every vector the workbench stores or queries comes from an :class:`Embedder`. ChromaDB's own
default embedding downloads a model at first use and fails offline, so every collection is
given an explicit embedder through :func:`chroma_embedding_function`, and the embedder's
``name`` is recorded on the collection so that opening it with another one is an error.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from workbench.errors import ConfigError


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return an array of shape ``(len(texts), dim)``, each row L2-normalised."""
        ...


_TOKEN = re.compile(r"\w+", re.UNICODE)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class HashingEmbedder:
    """A deterministic bag of words and character n-grams, hashed into ``dim`` buckets.

    Fast and dependency-free, for unit tests and for ablations against a real model. Similar
    wording gives similar vectors; paraphrases with new words do not (that is what MiniLM is for).
    """

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.name = f"hashing-{dim}"

    def _features(self, text: str) -> list[tuple[str, float]]:
        words = _TOKEN.findall(_fold(text))
        feats: list[tuple[str, float]] = [("w:" + w, 1.0) for w in words]
        for w in words:
            padded = f"#{w}#"
            feats.extend(("g:" + padded[i:i + 3], 0.5) for i in range(len(padded) - 2))
        return feats

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feat, weight in self._features(text or ""):
                digest = hashlib.blake2b(feat.encode(), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.dim
                sign = 1.0 if digest[4] & 1 else -1.0
                out[row, bucket] += sign * weight
            norm = float(np.linalg.norm(out[row]))
            if norm > 0:
                out[row] /= norm
        return out


class OpenAIEmbedder:
    """Embeddings from an OpenAI-compatible ``/embeddings`` endpoint (when one is configured)."""

    def __init__(self, model: str = "text-embedding-3-small", *, api_key: str | None = None,
                 base_url: str | None = None, dim: int = 1536, client=None) -> None:
        self.model = model
        self.dim = dim
        self.name = f"openai:{model}"
        self._api_key = api_key
        self._base_url = base_url
        self._client = client

    def __repr__(self) -> str:
        return f"OpenAIEmbedder(model={self.model!r}, base_url={self._base_url!r})"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if self._client is None:
            import openai

            self._client = openai.OpenAI(api_key=self._api_key, base_url=self._base_url)
        result = self._client.embeddings.create(model=self.model, input=list(texts))
        arr = np.asarray([d.embedding for d in result.data], dtype=np.float32)
        norms = np.linalg.norm(arr, axis=1, keepdims=True)
        return arr / np.where(norms == 0, 1, norms)


class CachedEmbedder:
    """An LRU cache in front of any embedder: the same text is embedded once.

    A turn embeds its message for recall, again for a ``search_learnings`` call with the same
    words, and again for extraction; the cache makes the repeats free. ``name`` and ``dim``
    are the inner embedder's, so collections see the same identity.
    """

    def __init__(self, inner: Embedder, size: int = 4096) -> None:
        from collections import OrderedDict
        from threading import Lock

        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.size = size
        self.hits = 0
        self.misses = 0
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = Lock()

    def __repr__(self) -> str:
        return f"CachedEmbedder({self.inner!r}, size={self.size})"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._lock:
            for i, text in enumerate(texts):
                vector = self._cache.get(text)
                if vector is None:
                    missing.setdefault(text, []).append(i)
                else:
                    self._cache.move_to_end(text)
                    out[i] = vector
                    self.hits += 1
        if missing:
            vectors = self.inner.embed(list(missing))
            with self._lock:
                for (text, rows), vector in zip(missing.items(), vectors, strict=True):
                    out[rows] = vector
                    self._cache[text] = vector
                    self.misses += len(rows)
                while len(self._cache) > self.size:
                    self._cache.popitem(last=False)
        return out


def get_embedder(spec: str | Embedder | None = None) -> Embedder:
    """Resolve an embedder by name: ``"minilm"`` (default), ``"hashing"``, ``"openai"``.

    An :class:`Embedder` instance is returned unchanged.
    """
    if spec is not None and not isinstance(spec, str):
        return spec
    name = (spec or "minilm").lower()
    if name in {"minilm", "all-minilm-l6-v2", "minilm-l6-v2"}:
        from workbench.storage.minilm import MiniLMEmbedder

        return MiniLMEmbedder.shared()
    if name.startswith("hashing"):
        _, _, dim = name.partition("-")
        return HashingEmbedder(int(dim) if dim else 256)
    if name.startswith("openai"):
        _, _, model = name.partition(":")
        return OpenAIEmbedder(model or "text-embedding-3-small")
    raise ConfigError(f"unknown embedder {spec!r}; use 'minilm', 'hashing' or 'openai[:model]'")


class _ChromaAdapter:
    """Wraps an :class:`Embedder` in ChromaDB's ``EmbeddingFunction`` interface."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def __call__(self, input: Sequence[str]) -> list[np.ndarray]:  # noqa: A002 - chroma's name
        return list(self._embedder.embed(list(input)))

    def embed_query(self, input: Sequence[str]) -> list[np.ndarray]:  # noqa: A002
        return self(input)

    def embed_documents(self, input: Sequence[str]) -> list[np.ndarray]:  # noqa: A002
        return self(input)

    @staticmethod
    def name() -> str:
        return "workbench"

    def is_legacy(self) -> bool:
        return False

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine"]

    def get_config(self) -> dict:
        return {"embedder": self._embedder.name}

    @staticmethod
    def build_from_config(config: dict) -> _ChromaAdapter:
        return _ChromaAdapter(get_embedder(config.get("embedder")))


def chroma_embedding_function(embedder: Embedder) -> _ChromaAdapter:
    """The adapter handed to every ChromaDB collection (never Chroma's downloading default)."""
    return _ChromaAdapter(embedder)
