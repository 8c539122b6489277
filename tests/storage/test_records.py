"""RecordCollection: typed records over ChromaDB, one embedder per collection."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.errors import EmbedderMismatchError
from workbench.storage.chroma import open_client
from workbench.storage.embeddings import HashingEmbedder
from workbench.storage.records import Record, RecordCollection, where
from workbench.tracing import Tracer, TraceScope, trace_scope


@pytest.fixture
def client(tmp_path):
    return open_client(tmp_path / "chroma")


@pytest.fixture
def collection(client):
    return RecordCollection(client, "wb_test", HashingEmbedder())


def test_records_round_trip_text_meta_and_json_payload(collection):
    data = {"name": "Sofía Pérez", "nested": {"list": [1, 2.5, None, "ü"]}, "flag": True}
    collection.upsert([Record("r1", "Sofía works at Acme", {"kind": "entity", "live": True,
                                                            "n": 3, "skip": None}, data)])
    [record] = collection.get(["r1"])
    assert record == Record("r1", "Sofía works at Acme", {"kind": "entity", "live": True,
                                                          "n": 3}, data)
    assert collection.get_one("missing") is None and collection.get([]) == []


def test_where_filters_and_lists(collection):
    collection.upsert([Record(f"r{i}", f"text {i}", {"user_id": f"u{i % 3}", "live": i % 2 == 0})
                       for i in range(9)])
    assert where() is None and where(user_id=None) is None
    assert where(user_id="u1") == {"user_id": "u1"}
    assert where(user_id="u1", live=True) == {"$and": [{"user_id": "u1"}, {"live": True}]}
    assert where(user_id=["u1", "u2"]) == {"user_id": {"$in": ["u1", "u2"]}}
    ids = lambda flt: sorted(r.id for r in collection.get(filter=flt))  # noqa: E731
    assert ids(where(user_id="u1")) == ["r1", "r4", "r7"]
    assert ids(where(user_id="u1", live=True)) == ["r4"]
    assert ids(where(user_id=["u0", "u2"], live=False)) == ["r3", "r5"]


def test_query_ranks_by_similarity_and_respects_filters(collection):
    texts = {"a": "the cat sat on the mat", "b": "quarterly revenue grew strongly",
             "c": "a cat on a mat", "d": "revenue fell this quarter"}
    collection.upsert([Record(k, v, {"group": "x" if k in "ab" else "y"}) for k, v in
                       texts.items()])
    vector = collection.embed(["cat on the mat"])[0]
    hits = collection.query(vector, k=4)
    assert [r.id for r, _ in hits][:2] in (["a", "c"], ["c", "a"])
    scores = [s for _, s in hits]
    assert scores == sorted(scores, reverse=True) and -1.0 <= scores[-1] <= scores[0] <= 1.0
    assert [r.id for r, _ in collection.query(vector, filter=where(group="x"), k=4)][0] == "a"
    assert collection.query(vector, k=0) == []
    exact = collection.embed([texts["b"]])[0]
    assert collection.query(exact, k=1)[0][1] == pytest.approx(1.0, abs=1e-5)


def test_upsert_replaces_and_uses_given_embeddings(collection):
    collection.upsert([Record("r1", "old text", {"v": 1}, {"v": 1})])
    vector = collection.embed(["completely different words"])
    collection.upsert([Record("r1", "new text", {"v": 2}, {"v": 2})], embeddings=vector)
    assert collection.count() == 1
    assert collection.get_one("r1").data == {"v": 2}
    hit, score = collection.query(vector[0], k=1)[0]
    assert hit.id == "r1" and score == pytest.approx(1.0, abs=1e-5)


def test_paging_delete_and_clear(collection):
    collection.upsert([Record(f"r{i:03d}", f"record number {i}", {"i": i}) for i in range(23)])
    assert sorted(r.id for r in collection.all(batch=5)) == [f"r{i:03d}" for i in range(23)]
    assert [r.id for r in collection.all(filter=where(i=7), batch=5)] == ["r007"]
    collection.delete(["r000", "r001"])
    collection.delete([])
    assert collection.count() == 21
    collection.delete(filter=where(i=22))
    assert collection.get_one("r022") is None
    collection.clear()
    assert collection.count() == 0 and collection.all() == []


def test_embedder_is_recorded_and_a_mismatch_refused(client):
    RecordCollection(client, "wb_emb", HashingEmbedder(256)).upsert([Record("r", "x")])
    with pytest.raises(EmbedderMismatchError, match="hashing-256.*hashing-64"):
        RecordCollection(client, "wb_emb", HashingEmbedder(64))
    reopened = RecordCollection(client, "wb_emb", HashingEmbedder(256))
    assert reopened.get_one("r").text == "x"


def test_embedding_is_traced(collection):
    tracer = Tracer()
    with trace_scope(TraceScope(tracer, run_id="r1")):
        collection.embed(["a", "b", "c"])
    [event] = tracer.events
    assert (event.kind, event.name, event.attributes, event.run_id) == (
        "embedding", "hashing-256", {"texts": 3}, "r1")


def test_hashing_embedder_is_deterministic_normalised_and_accent_folding():
    embedder = HashingEmbedder()
    a, b, c = embedder.embed(["Sofía Pérez", "sofia perez", "unrelated words here"])
    assert np.allclose(np.linalg.norm([a, b, c], axis=1), 1.0)
    assert float(a @ b) == pytest.approx(1.0)
    assert float(a @ c) < 0.5
    assert np.array_equal(embedder.embed(["x y"]), HashingEmbedder().embed(["x y"]))
    assert embedder.embed([""]).shape == (1, 256) and not embedder.embed([""]).any()


def test_python_filter_matches_chromadb_semantics():
    from workbench.storage.records import matches, where

    meta = {"scope": "user:a", "live": True, "kind": "fact"}
    assert matches(meta, where(scope="user:a", live=True))
    assert not matches(meta, where(scope="user:b", live=True))
    assert matches(meta, where(kind=["fact", "event"]))
    assert not matches(meta, {"kind": {"$nin": ["fact"]}})
    assert matches(meta, {"$or": [{"scope": "x"}, {"live": True}]})


def test_filtered_query_returns_what_chromadb_filtering_returns(tmp_path):
    import random

    import numpy as np

    from workbench.storage.chroma import open_client
    from workbench.storage.embeddings import HashingEmbedder
    from workbench.storage.records import Record, RecordCollection, where

    rng = random.Random(3)
    col = RecordCollection(open_client(tmp_path), "filter_equiv", HashingEmbedder(64))
    words = ["alpha", "beta", "gamma", "delta", "omega", "sigma"]
    records = [Record(f"r{i}", " ".join(rng.choices(words, k=4)),
                      {"scope": rng.choice(["a", "b", "rare"] if i % 50 else ["rare"]),
                       "live": rng.random() > 0.2}) for i in range(400)]
    col.upsert(records)
    for scope in ("a", "b", "rare"):
        for text in ("alpha beta", "omega sigma delta", "gamma"):
            vector = col.embed([text])[0]
            flt = where(scope=scope, live=True)
            ours = col.query(vector, filter=flt, k=5)
            chroma = col._nearest(np.asarray([vector], dtype=np.float32), 5, flt)
            # Many records share a text, so ids may differ among exact ties; scores may not.
            assert [round(s, 5) for _, s in ours] == [round(s, 5) for _, s in chroma]
            assert all(r.meta["scope"] == scope and r.meta["live"] for r, _ in ours)
