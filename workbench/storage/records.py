"""Typed records over a ChromaDB collection: the one storage path every store uses.

A :class:`Record` has an id, the text that is embedded, scalar metadata for filtering and a
JSON payload. Embeddings are computed here, with the collection's recorded embedder, and
passed to ChromaDB explicitly — ChromaDB never embeds anything itself. A multi-record write is
a single ``upsert`` call, so a crash cannot leave half of a supersession behind.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workbench.errors import EmbedderMismatchError, StoreError
from workbench.storage.embeddings import Embedder, chroma_embedding_function
from workbench.tracing import span

Scalar = str | int | float | bool
_PAYLOAD = "_data"


@dataclass
class Record:
    """One stored item: embedded ``text``, filterable ``meta``, JSON ``data``."""

    id: str
    text: str
    meta: dict[str, Scalar] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)

    def chroma_metadata(self) -> dict[str, Scalar]:
        out = {k: v for k, v in self.meta.items() if v is not None}
        out[_PAYLOAD] = json.dumps(self.data, ensure_ascii=False, sort_keys=True, default=str)
        return out

    @classmethod
    def from_chroma(cls, id: str, document: str | None, metadata: dict | None) -> Record:
        meta = dict(metadata or {})
        payload = meta.pop(_PAYLOAD, "{}")
        return cls(id=id, text=document or "", meta=meta, data=json.loads(payload))


def where(**conditions: Any) -> dict[str, Any] | None:
    """A ChromaDB ``where`` filter from equality conditions (lists mean ``$in``)."""
    clauses = []
    for key, value in conditions.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple, set)):
            clauses.append({key: {"$in": list(value)}})
        else:
            clauses.append({key: value})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _compare(actual: Any, op: str, operand: Any) -> bool:
    if op == "$eq":
        return actual == operand
    if op == "$ne":
        return actual != operand
    if op == "$in":
        return actual in operand
    if op == "$nin":
        return actual not in operand
    raise ValueError(f"unsupported filter operator {op!r}")


def matches(meta: dict[str, Any], condition: dict[str, Any]) -> bool:
    """Evaluate a ChromaDB ``where`` filter (as built by :func:`where`) on one metadata dict."""
    for key, value in condition.items():
        if key == "$and":
            if not all(matches(meta, c) for c in value):
                return False
        elif key == "$or":
            if not any(matches(meta, c) for c in value):
                return False
        elif isinstance(value, dict):
            for op, operand in value.items():
                if not _compare(meta.get(key), op, operand):
                    return False
        elif meta.get(key) != value:
            return False
    return True


class RecordCollection:
    """A ChromaDB collection holding :class:`Record` objects, bound to one embedder.

    Opening an existing collection with a different embedder raises
    :class:`~workbench.errors.EmbedderMismatchError` instead of mixing vector spaces.
    """

    def __init__(self, client: Any, name: str, embedder: Embedder) -> None:
        self.name = name
        self.embedder = embedder
        self._client = client
        identity = {"embedder": embedder.name, "dim": embedder.dim}
        try:
            self._col = client.get_or_create_collection(
                name, embedding_function=chroma_embedding_function(embedder),
                metadata=identity, configuration={"hnsw": {"space": "cosine"}})
        except Exception as exc:
            raise StoreError(f"cannot open ChromaDB collection {name!r}: {exc}") from exc
        stored = self._col.metadata or {}
        if stored.get("embedder") != embedder.name or stored.get("dim") != embedder.dim:
            raise EmbedderMismatchError(
                f"collection {name!r} was built with embedder {stored.get('embedder')!r} "
                f"(dim {stored.get('dim')}) but is being opened with {embedder.name!r} "
                f"(dim {embedder.dim}); open it with the same embedder or use a new data dir")

    def __repr__(self) -> str:
        return f"RecordCollection({self.name!r}, embedder={self.embedder.name!r})"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts with this collection's embedder (a traced operation)."""
        with span("embedding", self.embedder.name, texts=len(texts)):
            return self.embedder.embed(list(texts))

    def upsert(self, records: Sequence[Record], embeddings: np.ndarray | None = None) -> None:
        """Write records in one call (atomic in ChromaDB)."""
        if not records:
            return
        vectors = self.embed([r.text for r in records]) if embeddings is None else embeddings
        self._col.upsert(ids=[r.id for r in records], documents=[r.text for r in records],
                         embeddings=np.asarray(vectors, dtype=np.float32),
                         metadatas=[r.chroma_metadata() for r in records])

    def get(self, ids: Sequence[str] | None = None, *, filter: dict | None = None,
            limit: int | None = None) -> list[Record]:
        if ids is not None and not ids:
            return []
        result = self._col.get(ids=list(ids) if ids is not None else None, where=filter,
                               limit=limit, include=["documents", "metadatas"])
        return [Record.from_chroma(i, d, m) for i, d, m in
                zip(result["ids"], result["documents"], result["metadatas"], strict=True)]

    def get_one(self, record_id: str) -> Record | None:
        found = self.get([record_id])
        return found[0] if found else None

    def query(self, embedding: np.ndarray, *, filter: dict | None = None,
              k: int = 5) -> list[tuple[Record, float]]:
        """Nearest records with a similarity score (1 − cosine distance), best first.

        ChromaDB's metadata pre-filter costs ~100 ms at tens of thousands of records, while an
        unfiltered nearest-neighbour query takes a few. So a filtered query first over-fetches
        unfiltered neighbours and filters them here; only when too few of them match (a small
        scope among many) does it fall back to ChromaDB's filter. Results are the same.
        """
        if k <= 0:
            return []
        vector = np.asarray([embedding], dtype=np.float32)
        if filter is not None:
            total = self._col.count()
            for factor in (4, 16):
                fetch = min(total, k * factor)
                rows = [(r, s) for r, s in self._nearest(vector, fetch, None)
                        if matches(r.meta, filter)]
                if len(rows) >= k or fetch >= total:
                    return rows[:k]
        return self._nearest(vector, k, filter)

    def _nearest(self, vector: np.ndarray, k: int, filter: dict | None
                 ) -> list[tuple[Record, float]]:
        if k <= 0:
            return []
        result = self._col.query(query_embeddings=vector, n_results=k, where=filter,
                                 include=["documents", "metadatas", "distances"])
        rows = zip(result["ids"][0], result["documents"][0], result["metadatas"][0],
                   result["distances"][0], strict=True)
        return [(Record.from_chroma(i, d, m), 1.0 - float(dist)) for i, d, m, dist in rows]

    def delete(self, ids: Iterable[str] | None = None, *, filter: dict | None = None) -> None:
        ids = list(ids) if ids is not None else None
        if ids is not None and not ids:
            return
        self._col.delete(ids=ids, where=filter)

    def count(self) -> int:
        return self._col.count()

    def clear(self) -> None:
        """Delete every record (used by wiped-store controls)."""
        existing = self._col.get(include=[])["ids"]
        for start in range(0, len(existing), 5000):
            self._col.delete(ids=existing[start:start + 5000])

    def all(self, *, filter: dict | None = None, batch: int = 5000) -> list[Record]:
        """Every record (paged, so large stores do not hit ChromaDB's batch limits)."""
        out: list[Record] = []
        offset = 0
        while True:
            result = self._col.get(where=filter, limit=batch, offset=offset,
                                   include=["documents", "metadatas"])
            out.extend(Record.from_chroma(i, d, m) for i, d, m in
                       zip(result["ids"], result["documents"], result["metadatas"], strict=True))
            if len(result["ids"]) < batch:
                return out
            offset += batch

