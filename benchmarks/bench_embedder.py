"""MiniLM (numpy) versus HashingEmbedder: batched throughput and single-query latency.

    .venv/bin/python benchmarks/bench_embedder.py [--sentences 512] [--calls 200]

Throughput embeds varied short sentences (8-20 words) in one ``embed`` call; latency times
``embed([query])`` for one short query after a warm-up. Targets for MiniLM on 2 cores:
>= 150 sentences/s and <= 10 ms per query.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.storage.embeddings import Embedder, HashingEmbedder  # noqa: E402
from workbench.storage.minilm import MiniLMEmbedder  # noqa: E402

_SUBJECTS = ["The customer", "Our VP of Engineering", "Sarah Chen", "The billing service",
             "Every weekly report", "A new analyst", "The SQLite database", "Sofía Muñoz"]
_VERBS = ["explained", "cancelled", "migrated", "reviewed", "questioned", "summarised",
          "optimised", "rejected"]
_OBJECTS = ["the churn dashboard", "three subscriptions", "the quarterly revenue numbers",
            "a slow query on the orders table", "the onboarding checklist",
            "the pricing experiment", "every duplicated invoice", "the Oslo office move"]
_TAILS = ["before the board meeting", "because the data looked wrong", "last month",
          "with help from support", "after two failed attempts", "without telling anyone",
          "in under an hour", "for the third time this year", "using strftime instead"]


def make_sentences(n: int, seed: int = 7) -> list[str]:
    """``n`` varied, mostly unique sentences of roughly 8 to 20 words."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts = [rng.choice(_SUBJECTS), rng.choice(_VERBS), rng.choice(_OBJECTS)]
        parts += rng.sample(_TAILS, rng.randint(1, 2))
        out.append(" ".join(parts) + ".")
    return out


def throughput(embedder: Embedder, sentences: list[str], repeats: int = 3) -> float:
    """Best sentences/s over ``repeats`` batched runs (best-of filters scheduler noise)."""
    embedder.embed(sentences[:32])  # warm-up: lazy loading, allocator, BLAS threads
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        embedder.embed(sentences)
        best = min(best, time.perf_counter() - start)
    return len(sentences) / best


def latency_ms(embedder: Embedder, query: str, calls: int) -> tuple[float, float]:
    """p50 and p95 milliseconds of ``embed([query])`` over ``calls`` calls after a warm-up."""
    for _ in range(20):
        embedder.embed([query])
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        embedder.embed([query])
        times.append((time.perf_counter() - start) * 1000)
    cuts = statistics.quantiles(times, n=100)
    return cuts[49], cuts[94]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=512)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--query", default="Why is churn so high this quarter?")
    args = parser.parse_args(argv)

    sentences = make_sentences(args.sentences)
    words = [len(s.split()) for s in sentences]
    print(f"{len(sentences)} sentences, {min(words)}-{max(words)} words "
          f"(mean {statistics.mean(words):.1f}); query {args.query!r}; "
          f"{os.cpu_count()} CPUs")

    minilm = MiniLMEmbedder()
    start = time.perf_counter()
    minilm.load()
    print(f"MiniLM load (sha256 check + parse): {time.perf_counter() - start:.2f} s")

    rows = []
    for embedder in (minilm, HashingEmbedder()):
        rate = throughput(embedder, sentences)
        p50, p95 = latency_ms(embedder, args.query, args.calls)
        rows.append((embedder.name, rate, p50, p95))

    print()
    print(f"{'embedder':<18} {'sentences/s':>12} {'p50 ms':>9} {'p95 ms':>9}")
    for name, rate, p50, p95 in rows:
        print(f"{name:<18} {rate:>12.0f} {p50:>9.2f} {p95:>9.2f}")
    (_, m_rate, m_p50, _), (_, h_rate, h_p50, _) = rows
    # One ratio row: how many times slower MiniLM is than hashing on each measure.
    print(f"{'minilm slower by':<18} {h_rate / m_rate:>11.1f}x {m_p50 / h_p50:>8.1f}x")
    ok = m_rate >= 150 and m_p50 <= 10
    print(f"\nMiniLM targets (>= 150 sentences/s, <= 10 ms p50): {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
