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
