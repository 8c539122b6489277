from __future__ import annotations

import numpy as np

from workbench.storage.embeddings import CachedEmbedder, HashingEmbedder


class Counting(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__(32)
        self.calls: list[list[str]] = []

    def embed(self, texts):
        self.calls.append(list(texts))
        return super().embed(texts)


def test_cache_embeds_each_text_once_and_keeps_identity():
    inner = Counting()
    cached = CachedEmbedder(inner, size=2)
    first = cached.embed(["a b", "c d", "a b"])
    assert inner.calls == [["a b", "c d"]], "duplicates in one call are embedded once"
    again = cached.embed(["c d"])
    assert inner.calls == [["a b", "c d"]] and np.array_equal(again[0], first[1])
    assert np.array_equal(first[0], first[2])
    assert (cached.name, cached.dim) == (inner.name, inner.dim)
    cached.embed(["e f"])  # evicts the least recently used ("a b")
    cached.embed(["a b"])
    assert inner.calls[-1] == ["a b"] and cached.hits == 1


def test_openai_embeddings_through_a_loopback_server():
    from workbench.storage.embeddings import OpenAIEmbedder, get_embedder
    from workbench.testing import FakeOpenAIServer

    with FakeOpenAIServer(embedding_dim=8) as server:
        embedder = OpenAIEmbedder("fake-embed", base_url=server.base_url, api_key="sk-secret-9876", dim=8)
        vectors = embedder.embed(["alpha", "beta", "alpha"])
    assert vectors.shape == (3, 8) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert np.array_equal(vectors[0], vectors[2]) and not np.array_equal(vectors[0], vectors[1])
    assert embedder.name == "openai:fake-embed" and "sk-secret" not in repr(embedder)
    assert get_embedder("openai:text-embedding-3-small").name == \
        "openai:text-embedding-3-small"
