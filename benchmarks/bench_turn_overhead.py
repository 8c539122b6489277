"""What learning costs per turn: model calls, prompt size, framework time, latency.

    .venv/bin/python benchmarks/bench_turn_overhead.py [--embedder minilm|hashing] [--think 0.5]

A loopback OpenAI-compatible server (``workbench.testing.FakeOpenAIServer``) answers every chat
request, optionally after a fixed delay (0 ms = "instant" model, 250 ms = a typical hosted
model). It answers the agent's request with a short text and the ALWAYS-extraction request
(``response_format``) with valid JSON produced by the workbench's rule-based extraction policy,
so the extraction really writes (names, preferences, goals, plans, progress).

One fixed 12-turn conversation is run by the real ``OpenAICompatibleModel`` (openai SDK):
  (a) the agent without learning;
  (b) the agent with the four seed stores on — user profile ALWAYS, entity memory AGENTIC,
      session context ALWAYS with planning, learned knowledge AGENTIC — extraction inline;
  (c) the same with ``background=True`` extraction.
Reported per turn: model calls, prompt characters (the JSON of messages + tools +
response_format sent to the server), framework time (total minus every model call, i.e. the
agent loop + memory work, without embedding), and latency; plus latency ratios against (a).
Between turns the "user" thinks for ``--think`` seconds (background extraction runs then).

Finally: whole-turn prompt size with 1,000 user memories stored (user memory ALWAYS on top of
the four stores), and whether the one relevant memory was recalled.

Targets: <= 2 model calls per turn; <= 15 ms framework time per turn; <= 1.15x latency with a
250 ms model; <= 15k prompt characters per turn with 1,000 memories, relevant one recalled.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench import Agent  # noqa: E402
from workbench.learn import (  # noqa: E402
    EntityMemoryConfig,
    LearnedKnowledgeConfig,
    LearningMachine,
    LearningMode,
    SessionContextConfig,
    UserMemoryConfig,
    UserProfileConfig,
)
from workbench.learn.context import iso, system_clock  # noqa: E402
from workbench.learn.offline_extraction import extraction_policy  # noqa: E402
from workbench.models import OfflineView  # noqa: E402
from workbench.models.openai_compat import OpenAICompatibleModel  # noqa: E402
from workbench.models.types import Message, ModelRequest, ResponseFormat  # noqa: E402
from workbench.storage.records import Record  # noqa: E402
from workbench.testing import FakeOpenAIServer, delay, reply_json, reply_text  # noqa: E402
from workbench.text import stable_id  # noqa: E402

CONVERSATION = [
    "Hi, my name is Maya Okafor. Call me Maya.",
    "I'm preparing for a board meeting next Thursday.",
    "My goal is to finish the Q3 investor update. First, the revenue numbers, then the "
    "hiring plan, then the risks section.",
    "I prefer short bullet points over long paragraphs.",
    "Sarah Chen from Acme might join as an advisor.",
    "Can you suggest a structure for the revenue section?",
    "I have finished the revenue numbers.",
    "What should the hiring plan cover?",
    "Remember that board decks must stay under ten slides.",
    "I have finished the hiring plan.",
    "Any risks I'm forgetting for a seed-stage company?",
    "Thanks, that's all for today.",
]
RELEVANT_MEMORY = "Is allergic to shellfish; team dinners must avoid seafood."
MEMORY_PROBE = "Plan a team dinner menu for Friday; are there any seafood concerns for me?"


class TimedModel:
    """Wraps a model and adds up the wall time of every call (main and extraction)."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.endpoint = inner, inner.name, inner.endpoint
        self.seconds, self.calls = 0.0, 0
        self._lock = threading.Lock()

    def complete(self, request):
        start = time.perf_counter()
        try:
            return self.inner.complete(request)
        finally:
            with self._lock:
                self.seconds += time.perf_counter() - start
                self.calls += 1


def server_script(model_delay: float):
    """The fake server's answers: text for the agent, policy-made JSON for extraction."""

    def answer(body: dict):
        fmt = body.get("response_format")
        if fmt:
            schema = fmt["json_schema"]
            request = ModelRequest(tuple(Message.from_openai(m) for m in body["messages"]),
                                   response_format=ResponseFormat(schema["name"],
                                                                  schema["schema"]))
            item = reply_json(extraction_policy(OfflineView(request)) or {})
        else:
            item = reply_text("Here is a short, structured answer.")
        return delay(model_delay, item) if model_delay > 0 else item

    return answer


def prompt_chars(body: dict) -> int:
    return len(json.dumps({k: body.get(k) for k in ("messages", "tools", "response_format")
                           if body.get(k)}, ensure_ascii=False))


def seed_stores(data_dir: Path, embedder: str, background: bool,
                user_memory: bool = False) -> LearningMachine:
    return LearningMachine(
        user_profile=UserProfileConfig(mode=LearningMode.ALWAYS),
        user_memory=UserMemoryConfig(mode=LearningMode.ALWAYS) if user_memory else None,
        entity_memory=EntityMemoryConfig(mode=LearningMode.AGENTIC),
        session_context=SessionContextConfig(mode=LearningMode.ALWAYS, enable_planning=True),
        learned_knowledge=LearnedKnowledgeConfig(mode=LearningMode.AGENTIC),
        embedder=embedder, data_dir=data_dir, background=background)


def run_conversation(server: FakeOpenAIServer, machine: LearningMachine | None,
                     think: float, label: str) -> dict:
    model = TimedModel(OpenAICompatibleModel("fake-model", base_url=server.base_url,
                                             api_key="k", max_retries=0))
    agent = Agent("bench", model=model, learning=machine)
    # Warm-up turn in its own session: connection, lazy imports, collections, embedder.
    agent.run("Hello there.", user_id="warmup", session_id=f"warm-{label}")
    if machine is not None:
        machine.flush()
    server.requests.clear()
    turns = []
    for i, message in enumerate(CONVERSATION):
        before_model, before_requests = model.seconds, len(server.chat_requests)
        result = agent.run(message, user_id="maya", session_id=f"s-{label}",
                           run_id=f"{label}-{i}")
        model_s = model.seconds - before_model  # main calls (+ inline extraction)
        embed_s = sum(e.duration_ms for e in result.events if e.kind == "embedding") / 1000
        turns.append({"latency": result.timings.total_s,
                      "framework": result.timings.total_s - model_s - embed_s,
                      "embed": embed_s,
                      "inline_requests": len(server.chat_requests) - before_requests})
        time.sleep(think)
    if machine is not None:
        machine.flush()
    bodies = server.chat_requests
    return {"turns": turns, "calls": len(bodies) / len(CONVERSATION),
            "chars": sum(prompt_chars(b) for b in bodies) / len(CONVERSATION),
            "main_chars": statistics.mean(prompt_chars(b) for b in bodies
                                          if not b.get("response_format")),
            "extraction_calls": sum(1 for b in bodies if b.get("response_format"))}


def populate_memories(machine: LearningMachine, user: str, n: int, seed: int = 3) -> str:
    """n varied memories (one relevant) in the store's record format, embedded in one batch."""
    rng = random.Random(seed)
    verbs = ["Enjoys", "Dislikes", "Collects", "Volunteers at", "Teaches", "Writes about",
             "Often visits", "Saves money for", "Reads about", "Photographs", "Plans trips to",
             "Mentors people in"]
    things = ["vintage motorcycles", "jazz festivals", "mountain huts", "sourdough baking",
              "board game cafes", "birdwatching", "chess tournaments", "pottery classes",
              "urban gardening", "sailing regattas", "astronomy clubs", "film noir",
              "marathon training", "origami", "beekeeping", "salsa dancing", "retro computers",
              "kayak touring", "poetry readings", "climbing gyms", "opera", "woodworking",
              "Nordic noir novels", "street photography", "language exchanges"]
    tails = ["on weekends", "every summer", "after work", "with their sister", "since college",
             "when travelling", "twice a month", "with old friends"]
    texts = {RELEVANT_MEMORY}
    while len(texts) < n:
        texts.add(f"{rng.choice(verbs)} {rng.choice(things)} {rng.choice(tails)}.")
    texts = sorted(texts)
    store = machine.user_memory_store
    collection = store.collection()
    when = iso(system_clock())
    records = []
    for text in texts:
        memory_id = stable_id(user, text, when, prefix="mem_")
        records.append(Record(memory_id, text, {"user_id": user, "live": True},
                              {"content": text, "user_id": user, "created_at": when,
                               "updated_at": when, "run_id": "bench", "source": "bench",
                               "history": []}))
    for start in range(0, len(records), 500):
        chunk = records[start:start + 500]
        collection.upsert(chunk, embeddings=collection.embed([r.text for r in chunk]))
    return next(r.id for r in records if r.text == RELEVANT_MEMORY)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", default="minilm")
    parser.add_argument("--think", type=float, default=0.5,
                        help="seconds the user pauses between turns")
    parser.add_argument("--memories", type=int, default=1000)
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="bench-turn-"))
    print(f"12-turn conversation over a loopback OpenAI-compatible server; embedder "
          f"{args.embedder}; think time {args.think:.2f} s; {os.cpu_count()} CPUs; data {root}")

    rows = {}
    for model_delay in (0.0, 0.25):
        with FakeOpenAIServer(server_script(model_delay)) as server:
            for label, background in (("no learning", None), ("learning inline", False),
                                      ("learning background", True)):
                machine = None if background is None else seed_stores(
                    root / f"{label.replace(' ', '-')}-{int(model_delay * 1000)}",
                    args.embedder, background)
                tag = f"{label.split()[-1]}{int(model_delay * 1000)}"
                rows[(model_delay, label)] = run_conversation(server, machine, args.think,
                                                              tag)
                if machine is not None:
                    machine.close()

    print()
    head = (f"{'model':>6} {'configuration':<21} {'calls/turn':>10} {'prompt chars':>13} "
            f"{'x':>6} {'main req chars':>15} {'framework ms':>13} {'p95':>6} "
            f"{'embed ms':>9} {'latency ms':>11} {'ratio':>6}")
    print(head)
    print("-" * len(head))
    for (model_delay, label), r in rows.items():
        base = rows[(model_delay, "no learning")]
        framework = [t["framework"] * 1000 for t in r["turns"]]
        latency = statistics.mean(t["latency"] for t in r["turns"]) * 1000
        base_latency = statistics.mean(t["latency"] for t in base["turns"]) * 1000
        print(f"{int(model_delay * 1000):>4}ms {label:<21} {r['calls']:>10.2f} "
              f"{r['chars']:>13,.0f} {r['chars'] / base['chars']:>5.1f}x "
              f"{r['main_chars']:>15,.0f} {statistics.median(framework):>13.2f} "
              f"{statistics.quantiles(framework, n=20)[18]:>6.1f} "
              f"{statistics.mean(t['embed'] for t in r['turns']) * 1000:>9.2f} "
              f"{latency:>11.1f} {latency / base_latency:>5.2f}x")
    print("\n(prompt chars: all requests of a turn incl. extraction; 'x' against no learning. "
          "framework ms: median per turn of total minus every model call and embedding; in "
          "background mode a turn may wait for the previous extraction, which shows up there.)")

    # Whole-turn prompt with 1,000 user memories stored.
    with FakeOpenAIServer(server_script(0.0)) as server:
        machine = seed_stores(root / "memories", args.embedder, background=False,
                              user_memory=True)
        start = time.perf_counter()
        relevant = populate_memories(machine, "maya", args.memories)
        setup_s = time.perf_counter() - start
        model = OpenAICompatibleModel("fake-model", base_url=server.base_url, api_key="k")
        agent = Agent("bench", model=model, learning=machine)
        agent.run("Hello.", user_id="maya", session_id="mem-warm")
        server.requests.clear()
        result = agent.run(MEMORY_PROBE, user_id="maya", session_id="mem")
        bodies = server.chat_requests
        whole = sum(prompt_chars(b) for b in bodies)
        main_only = prompt_chars(bodies[0])
        recalled = [i.item_id for i in result.recalled if i.store == "user_memory"]
        machine.close()
    print(f"\n{args.memories} user memories stored (setup {setup_s:.1f} s): whole-turn prompt "
          f"{whole:,} chars over {len(bodies)} requests (main request {main_only:,}); "
          f"{len(recalled)} memories recalled; relevant one recalled: {relevant in recalled}")

    inline250 = rows[(0.25, "learning inline")]
    background250 = rows[(0.25, "learning background")]
    base250 = rows[(0.25, "no learning")]

    def mean_latency(r):
        return statistics.mean(t["latency"] for t in r["turns"])

    checks = {
        "<= 2 model calls per turn": max(r["calls"] for r in rows.values()) <= 2,
        "<= 15 ms framework time per turn (inline, median)": all(
            statistics.median(t["framework"] for t in rows[(d, "learning inline")]["turns"])
            <= 0.015 for d in (0.0, 0.25)),
        "<= 1.15x latency at 250 ms (background)": mean_latency(background250)
        / mean_latency(base250) <= 1.15,
        "<= 1.15x latency at 250 ms (inline)": mean_latency(inline250)
        / mean_latency(base250) <= 1.15,
        "<= 15k chars per turn with 1,000 memories": whole <= 15_000,
        "relevant memory recalled": relevant in recalled,
    }
    print()
    for name, ok in checks.items():
        print(f"  [{'met' if ok else 'MISSED'}] {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
