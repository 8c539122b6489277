"""Dash's learning-over-time experiment: iterations per question before and after learnings.

Protocol (defaults in ``evals/dash.json``; ``workbench eval dash`` runs it):

=========  ========  ==========================================================================
phase      memory    items
=========  ========  ==========================================================================
cold       fresh     the 26 cold questions, shuffled per seed; what they save is the teaching
warm       keep      the 52 paraphrases and 29 transfer questions, fresh sessions
control    empty     the same warm probes with an empty store (the wiped control)
poison     poison    warm probes tagged with a gotcha a planted wrong learning is about
decay      decay     warm paraphrases after 100 unrelated learnings crowd the store
=========  ========  ==========================================================================

Each warm/control item pairs with its cold question (``pair_key``), so statistics compare
question by question. With ``isolate_items`` (default) every item sees the memory as its phase
began (see :mod:`workbench.agents.dash.memory_ops`). Metrics per item come from
:mod:`workbench.agents.dash.scoring`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from workbench.agent import Agent
from workbench.agents.dash.agent import LEARNINGS, build_agent
from workbench.agents.dash.context import check_level, knowledge_docs
from workbench.agents.dash.database import open_readonly
from workbench.agents.dash.knowledge import dash_data_dir
from workbench.agents.dash.memory_ops import (
    MemoryOps,
    load_decay_learnings,
    load_poison_learnings,
)
from workbench.agents.dash.policy import dash_policy
from workbench.agents.dash.questions import Question, load_questions
from workbench.agents.dash.scoring import family_words, score_run
from workbench.agents.dash.tools import KnowledgeIndex
from workbench.agents.dash.warehouse import GENERATOR_VERSION, ensure_warehouse, file_sha256
from workbench.eval.memory import experiment_machine
from workbench.eval.record import hash_paths
from workbench.eval.task import EvalItem, Phase, RepeatContext, TaskHooks
from workbench.learn import LearnedKnowledgeConfig, LearningMachine, LearningMode
from workbench.models import Policy
from workbench.settings import Settings
from workbench.storage.embeddings import Embedder, get_embedder

__all__ = ["DashTask", "default_config"]

PHASES = ("cold", "warm", "control", "poison", "decay")


class CachedEmbedder:
    """An embedder that remembers the vectors of texts it has embedded (same name and dim).

    Embeddings are deterministic, so caching changes nothing but time: the protocol embeds
    the same questions and learnings again in every phase and repeat.
    """

    def __init__(self, inner: Embedder, max_items: int = 20_000) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self._cache: dict[str, np.ndarray] = {}
        self._max = max_items

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            if len(self._cache) + len(missing) > self._max:
                self._cache.clear()
            for text, vector in zip(missing, self.inner.embed(missing), strict=True):
                self._cache[text] = vector
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])


# Used when the repository's evals/dash.json is not around (e.g. an installed package).
FALLBACK_CONFIG: dict[str, Any] = {
    "context_level": "semantic", "warehouse_seed": 42, "phases": list(PHASES),
    "isolate_items": True, "max_iterations": 14,
    "decay": {"learnings": "decay_learnings.jsonl", "count": 100, "probes": "paraphrase"},
    "poison": {"learnings": "poison_learnings.json"},
}


def default_config(path: str | Path | None = None) -> dict[str, Any]:
    """``evals/dash.json`` of the repository (or another config file)."""
    file = Path(path) if path else Path(__file__).resolve().parents[3] / "evals" / "dash.json"
    if path is None and not file.is_file():
        return dict(FALLBACK_CONFIG)
    return json.loads(file.read_text(encoding="utf-8"))


class DashTask(TaskHooks):
    """The Dash experiment (an :class:`~workbench.eval.EvalTask`).

    Args:
        context_level: ``names``, ``semantic``, ``rules`` or ``queries`` (default from config).
        phases: which of cold, warm, control, poison, decay to run.
        isolate_items: per-item memory isolation (see the module docstring).
        decay_count: how many unrelated learnings the decay phase plants.
        questions: restrict to these cold question ids (and their paraphrases/transfers).
        config: a config file path or dict (default ``evals/dash.json``).
        data_dir: where the warehouse is cached (default: the workbench data dir).
    """

    name = "dash"
    TITLE = "iterations per question before and after learnings are saved"
    DESCRIPTION = ("Dash answers SaaS-warehouse questions with SQL. Cold: no learnings; warm: "
                   "paraphrases and transfer questions after the cold runs saved what they "
                   "learned; control: the same probes with the store wiped; poison: a planted "
                   "wrong learning; decay: unrelated learnings crowding the store.")
    HEADLINE = ["sql_attempts", "sql_errors", "first_query_correct", "final_correct"]
    PAIRS = [("cold", "warm"), ("cold", "control"), ("warm", "control"), ("warm", "poison"),
             ("warm", "decay")]
    GAIN_METRIC = "sql_attempts"
    GAIN_DIRECTION = "lower"
    STORES = ("learned_knowledge",)

    def __init__(self, context_level: str | None = None, *, phases: Sequence[str] | None = None,
                 isolate_items: bool | None = None, decay_count: int | None = None,
                 questions: Sequence[str] | None = None,
                 config: str | Path | dict[str, Any] | None = None,
                 data_dir: str | Path | None = None) -> None:
        cfg = dict(config) if isinstance(config, dict) else default_config(config)
        self.config = cfg
        self.context_level = check_level(context_level or cfg.get("context_level"))
        self.phase_names = [p for p in (phases or cfg.get("phases", PHASES)) if p in PHASES]
        self.isolate = cfg.get("isolate_items", True) if isolate_items is None else isolate_items
        decay_cfg, poison_cfg = cfg.get("decay", {}), cfg.get("poison", {})
        base = dash_data_dir()
        self.decay_probes = decay_cfg.get("probes", "paraphrase")
        self.decay_learnings = load_decay_learnings(
            base / decay_cfg.get("learnings", "decay_learnings.jsonl"),
            int(decay_count if decay_count is not None else decay_cfg.get("count", 60)))
        self.poison_learnings = load_poison_learnings(
            base / poison_cfg.get("learnings", "poison_learnings.json"))
        self.max_iterations = int(cfg.get("max_iterations", 14))
        self.seed = int(cfg.get("warehouse_seed", 42))
        self.data_dir = Path(data_dir) if data_dir else Settings.from_env().data_dir
        bank = load_questions()
        if questions:
            keep = set(questions)
            bank = [q for q in bank if q.id in keep or q.of in keep]
        self.questions = bank
        self.by_id = {q.id: q for q in bank}
        self.relevant = family_words(load_questions())
        self.ops = MemoryOps(isolate=self.isolate, decay_learnings=self.decay_learnings,
                             poison_learnings=self.poison_learnings)
        self._conn: sqlite3.Connection | None = None
        self._indexes: dict[str, KnowledgeIndex] = {}
        self._embedders: dict[str, CachedEmbedder] = {}

    # -- the task contract ------------------------------------------------------------------

    @property
    def conn(self) -> sqlite3.Connection:
        """A read-only connection to the cached warehouse (built on first use)."""
        if self._conn is None:
            self._conn = open_readonly(ensure_warehouse(self.data_dir / "dash", self.seed))
        return self._conn

    def describe(self) -> dict[str, Any]:
        path = ensure_warehouse(self.data_dir / "dash", self.seed)
        return {"context_level": self.context_level, "phases": self.phase_names,
                "isolate_items": self.isolate, "questions": len(self.questions),
                "decay_learnings": len(self.decay_learnings),
                "poison_learnings": [p["title"] for p in self.poison_learnings],
                "warehouse_seed": self.seed, "generator_version": GENERATOR_VERSION,
                "warehouse_sha256": file_sha256(path)[:16],
                "dataset_hash": hash_paths(dash_data_dir()),
                "max_iterations": self.max_iterations, "today": "2026-04-15"}

    def _items(self, phase: str, questions: Sequence[Question]) -> list[EvalItem]:
        return [EvalItem(q.id, q.question, pair_key=q.of or q.id, group=q.family,
                         session_id=None, meta={"phase": phase, "variant": q.variant})
                for q in questions]

    def phases(self) -> list[Phase]:
        cold = [q for q in self.questions if q.variant == "cold"]
        warm = [q for q in self.questions if q.variant != "cold"]
        gotchas = {g for p in self.poison_learnings for g in p.get("gotchas", [])}
        poisoned = [q for q in warm if gotchas & set(q.gotchas)]
        decayed = [q for q in warm if self.decay_probes == "all" or q.variant == self.decay_probes]
        table = {"cold": Phase("cold", self._items("cold", cold), memory="fresh", shuffle=True),
                 "warm": Phase("warm", self._items("warm", warm), memory="keep", shuffle=True),
                 "control": Phase("control", self._items("control", warm), memory="empty",
                                  shuffle=True),
                 "poison": Phase("poison", self._items("poison", poisoned), memory="poison",
                                 shuffle=True),
                 "decay": Phase("decay", self._items("decay", decayed), memory="decay",
                                shuffle=True)}
        return [table[name] for name in self.phase_names if table[name].items]

    def offline_policies(self) -> Sequence[Policy]:
        return [dash_policy]

    def _embedder(self, spec: Any) -> Any:
        """One caching embedder per spec for the whole run (an instance passes through)."""
        if spec is not None and not isinstance(spec, str):
            return spec
        key = spec or "default"
        if key not in self._embedders:
            self._embedders[key] = CachedEmbedder(get_embedder(spec or Settings.from_env()
                                                               .embedder))
        return self._embedders[key]

    def make_machine(self, rc: RepeatContext, label: str) -> LearningMachine:
        options = {**rc.options, "embedder": self._embedder(rc.options.get("embedder"))}
        rc = RepeatContext(rc.repeat, rc.seed, rc.run_dir, rc.model, options)
        return experiment_machine(rc, label, knowledge=LEARNINGS,
                                  learned_knowledge=LearnedKnowledgeConfig(
                                      mode=LearningMode.AGENTIC))

    def _index(self, embedder: Any) -> KnowledgeIndex | None:
        if self.context_level == "names":
            return None
        key = getattr(embedder, "name", "default")
        if key not in self._indexes:
            self._indexes[key] = KnowledgeIndex(knowledge_docs(self.context_level), embedder)
        return self._indexes[key]

    def make_agent(self, rc: RepeatContext, machine: LearningMachine) -> Agent:
        embedder = self._embedder(rc.options.get("embedder"))
        return build_agent(rc.model, machine, self.conn, context_level=self.context_level,
                           index=self._index(embedder), max_iterations=self.max_iterations)

    def score(self, item: EvalItem, result: Any, rc: RepeatContext,
              agent: Agent) -> dict[str, Any]:
        question = self.by_id[item.id]
        return score_run(question, result, self.conn, self.relevant.get(question.id))

    # -- hooks ------------------------------------------------------------------------------

    def start_repeat(self, rc: RepeatContext) -> None:
        self.ops.reset(rc.repeat)

    def before_item(self, item: EvalItem, rc: RepeatContext, machine: LearningMachine) -> None:
        self.ops.before_item(item, rc, machine)

    def after_phase(self, phase: Phase, rc: RepeatContext,
                    machine: LearningMachine) -> dict[str, Any] | None:
        metrics = self.ops.after_phase(phase, rc, machine)
        if phase.memory in ("decay", "poison"):
            metrics["planted"] = self.ops.planted_report.get(rc.repeat, [])
        return metrics

    def decay(self, machine: LearningMachine, rc: RepeatContext) -> None:
        self.ops.decay(machine, rc)

    def poison(self, machine: LearningMachine, rc: RepeatContext) -> None:
        self.ops.poison(machine, rc)

    # -- report -----------------------------------------------------------------------------

    def report_figures(self, record: Any) -> Iterator[tuple[str, Any]]:
        """Before/after per gotcha family and the errors-per-question distribution."""
        from workbench.agents.dash.analysis import report_figures

        yield from report_figures(record)
