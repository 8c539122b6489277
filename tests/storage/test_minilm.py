"""The numpy all-MiniLM-L6-v2 embedder against sentence-transformers' own vectors."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import struct
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from workbench.errors import ConfigError
from workbench.storage import minilm
from workbench.storage.embeddings import Embedder, get_embedder
from workbench.storage.minilm import MiniLMEmbedder, parse_safetensors, verify_weights

REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "minilm_reference.json"
HAVE_WEIGHTS = importlib.util.find_spec(minilm.WEIGHTS_PACKAGE) is not None
needs_weights = pytest.mark.skipif(
    not HAVE_WEIGHTS,
    reason=f"weights package {minilm.WEIGHTS_PACKAGE} is not installed "
           "(run `python3 dev.py setup`)",
)


@pytest.fixture(scope="module")
def reference() -> dict:
    return json.loads(REFERENCE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder.shared()


# --- without the weights ---------------------------------------------------------------------


def test_empty_input_needs_no_weights() -> None:
    out = MiniLMEmbedder(model_path="/nonexistent").embed([])
    assert out.shape == (0, 384) and out.dtype == np.float32


def test_protocol_and_shared_instance() -> None:
    first = get_embedder("minilm")
    assert first is MiniLMEmbedder.shared() is get_embedder("all-minilm-l6-v2")
    assert isinstance(first, Embedder)
    assert (first.name, first.dim) == ("all-minilm-l6-v2", 384)


def test_shared_is_created_once_across_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(MiniLMEmbedder, "_shared", None)
    with ThreadPoolExecutor(8) as pool:
        instances = list(pool.map(lambda _: MiniLMEmbedder.shared(), range(32)))
    assert len({id(i) for i in instances}) == 1


def test_single_string_is_rejected() -> None:
    with pytest.raises(TypeError):
        MiniLMEmbedder().embed("not a list")  # type: ignore[arg-type]


def test_missing_package_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(minilm, "WEIGHTS_PACKAGE", "no_such_weights_package_for_tests")
    with pytest.raises(ConfigError, match=r"dev\.py setup"):
        MiniLMEmbedder().embed(["hello"])


def test_wrong_hash_is_a_config_error_naming_both_hashes(tmp_path: Path) -> None:
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"not the real weights")
    with pytest.raises(ConfigError) as info:
        verify_weights(weights)
    message = str(info.value)
    assert minilm.WEIGHTS_SHA256 in message
    assert hashlib.sha256(b"not the real weights").hexdigest() in message


def test_wrong_hash_through_the_embedder(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"\0" * 16)
    with pytest.raises(ConfigError, match="expected"):
        MiniLMEmbedder(model_path=tmp_path).embed(["hello"])


def _safetensors(tensors: dict[str, tuple[str, list[int], bytes]]) -> bytes:
    header, body = {"__metadata__": {"format": "pt"}}, b""
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [len(body), len(body) + len(raw)]}
        body += raw
    encoded = json.dumps(header).encode()
    return struct.pack("<Q", len(encoded)) + encoded + body


def test_parse_safetensors_dtypes() -> None:
    f32 = np.arange(6, dtype="<f4").reshape(2, 3)
    bf16 = (np.array([1.5, -2.0], dtype="<f4").view("<u4") >> 16).astype("<u2")
    i64 = np.array([[7, 8]], dtype="<i8")
    parsed = parse_safetensors(_safetensors({
        "a": ("F32", [2, 3], f32.tobytes()),
        "b": ("BF16", [2], bf16.tobytes()),
        "c": ("I64", [1, 2], i64.tobytes()),
    }))
    assert set(parsed) == {"a", "b", "c"}
    np.testing.assert_array_equal(parsed["a"], f32)
    np.testing.assert_array_equal(parsed["b"], np.array([1.5, -2.0], dtype=np.float32))
    np.testing.assert_array_equal(parsed["c"], i64)


@pytest.mark.parametrize("bad", [
    b"\x01",
    struct.pack("<Q", 1000) + b"{}",
    struct.pack("<Q", 4) + b"{oops",
    struct.pack("<Q", 14) + b'{"x": {"a":1}}',
    _safetensors({"x": ("F32", [3], b"\0" * 8)}),
    _safetensors({"x": ("C64", [1], b"\0" * 8)}),
])
def test_parse_safetensors_rejects_corrupt_buffers(bad: bytes) -> None:
    with pytest.raises(ConfigError):
        parse_safetensors(bad)


def test_gelu_is_the_erf_gelu() -> None:
    import math

    xs = np.linspace(-12, 12, 4801, dtype=np.float32)
    exact = np.array([0.5 * x * (1 + math.erf(x / math.sqrt(2))) for x in xs.tolist()])
    assert np.abs(minilm.gelu_(xs.copy()) - exact).max() < 2e-6


# --- with the weights ------------------------------------------------------------------------


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a.astype(np.float64) * b.astype(np.float64)).sum(axis=1) / (
        np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


@needs_weights
def test_reference_vectors_match(embedder: MiniLMEmbedder, reference: dict) -> None:
    assert reference["weights_sha256"] == minilm.WEIGHTS_SHA256
    texts = [item["text"] for item in reference["items"]]
    expected = np.array([item["embedding"] for item in reference["items"]], dtype=np.float32)
    assert "" in texts and any(len(t) > 500 for t in texts)
    got = embedder.embed(texts)
    cosines = _cosines(got, expected)
    worst = int(np.argmin(cosines))
    assert cosines.min() >= 0.9999, f"{texts[worst][:60]!r}: cosine {cosines[worst]:.6f}"


@needs_weights
def test_each_reference_text_alone_matches(embedder: MiniLMEmbedder, reference: dict) -> None:
    for item in reference["items"]:
        got = embedder.embed([item["text"]])[0]
        cos = _cosines(got[None], np.array([item["embedding"]], dtype=np.float32))[0]
        assert cos >= 0.9999, f"{item['text'][:60]!r}: cosine {cos:.6f}"


@needs_weights
def test_shape_dtype_and_unit_norm(embedder: MiniLMEmbedder) -> None:
    texts = ["short", "a somewhat longer sentence about databases", "", "李明", "x " * 400]
    out = embedder.embed(texts)
    assert out.shape == (5, 384) and out.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)
    assert np.isfinite(out).all()
    assert embedder.embed(tuple(texts)).shape == (5, 384)


@needs_weights
def test_deterministic(embedder: MiniLMEmbedder) -> None:
    texts = [f"Sentence number {i} about churn and cancellations." for i in range(40)]
    assert embedder.embed(texts).tobytes() == embedder.embed(texts).tobytes()
    assert embedder.embed(["one query"]).tobytes() == embedder.embed(["one query"]).tobytes()


@needs_weights
def test_batch_matches_single(embedder: MiniLMEmbedder) -> None:
    texts = ["Why is churn high?", "", "SQLite has no DATE_TRUNC; use strftime instead.",
             "Sofía Muñoz met 李明 in Zürich to discuss the quarterly revenue report. " * 3,
             "word " * 300, "ok"] * 15  # 90 texts: several batches with padding
    batched = embedder.embed(texts)
    single = np.vstack([embedder.embed([t]) for t in texts[:6]])
    for i in range(len(texts)):
        assert _cosines(batched[i:i + 1], single[i % 6:i % 6 + 1])[0] >= 0.9999
    # The output keeps the input order although batches are sorted by length.
    np.testing.assert_allclose(batched[:6], batched[6:12], atol=1e-5)


@needs_weights
def test_concurrent_first_use_loads_once() -> None:
    fresh = MiniLMEmbedder()
    texts = ["Why is churn high?", "The weather in Oslo is cold today."]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: fresh.embed(texts), range(8)))
    for result in results[1:]:
        np.testing.assert_allclose(result, results[0], atol=1e-6)


@needs_weights
def test_paraphrase_is_closer_than_unrelated(embedder: MiniLMEmbedder) -> None:
    query, paraphrase, unrelated = embedder.embed([
        "Why is churn high?",
        "What is driving cancellations among customers?",
        "The weather in Oslo is cold today.",
    ])
    assert float(query @ paraphrase) > float(query @ unrelated) + 0.2
