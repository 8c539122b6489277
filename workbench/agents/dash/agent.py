"""Build Dash: instructions (with the context level and a frozen today), tools, learning.

    from workbench.agents.dash.agent import build_agent, dash_machine
    agent = build_agent("offline", dash_machine(data_dir="..."), conn, context_level="semantic")
    agent.run("How many subscriptions were canceled in 2025?")

Dash's learning configuration follows the upstream demo: only learned knowledge, AGENTIC, in a
collection of its own (``Knowledge("dash_learnings")``), separate from the curated knowledge
that ``search_knowledge`` covers.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from workbench.agent import Agent
from workbench.agents.dash.context import (
    TODAY,
    check_level,
    knowledge_docs,
    render_docs,
)
from workbench.agents.dash.policy import dash_policy
from workbench.agents.dash.tools import DEFAULT_LIMIT, KnowledgeIndex, SavedQueries, make_tools
from workbench.learn import Knowledge, LearnedKnowledgeConfig, LearningMachine, LearningMode
from workbench.models.types import Model
from workbench.storage.embeddings import Embedder

__all__ = ["LEARNINGS", "build_agent", "dash_machine", "instructions"]

LEARNINGS = Knowledge("dash_learnings")
MAX_ITERATIONS = 14  # search, probes, a fix or two and the saves fit with room to spare


def instructions(context_level: str | None = None, *, today: str = TODAY,
                 default_limit: int = DEFAULT_LIMIT) -> str:
    """Dash's system prompt at a context level (what the analyst is told)."""
    level = check_level(context_level)
    knowledge = ("- search_knowledge: the curated docs, metrics and validated queries.\n"
                 if level != "names" else "")
    return f"""You are Dash, the data analyst of Acme Analytics, a B2B SaaS company. You answer
business questions with SQL on the company's read-only analytics warehouse and report the
numbers with what they mean.

Today is {today}.

Tools:
- run_sql(query, limit={default_limit}): one SELECT/WITH query; it returns at most `limit`
  rows and says when the result was cut.
- introspect_schema(table): the physical schema, value lists and ranges.
{knowledge}- search_learnings / save_learning / update_learning: what earlier runs learned.

How to work:
1. Read <relevant_learnings> and call search_learnings for the question before writing SQL;
   apply what they say.
2. Write one query and run it. Aggregate in SQL; select only the columns you need.
3. When a query fails, returns nothing, or looks wrong, diagnose it with introspect_schema or
   a small probe query (e.g. the distinct values of a column), fix it and run it again.
4. When you hit an error or a trap and found the fix, save a learning: a title naming the
   table.column or topic, a one-line rule that would have avoided the mistake, when it
   applies, and tags naming the gotcha. If a learning turned out wrong, update it.
5. Answer with the figures (currency as $, rates as %), and state the caveats that matter
   (missing values, date coverage, definitions you chose).

{render_docs(level)}"""


def dash_machine(*, data_dir: str | Path | None = None, embedder: str | Embedder | None = None,
                 **kwargs: Any) -> LearningMachine:
    """Dash's LearningMachine outside experiments: AGENTIC learned knowledge in dash_learnings.

    (Experiments build theirs with ``workbench.eval.memory.experiment_machine`` so that the
    ablation options apply.)
    """
    return LearningMachine(knowledge=LEARNINGS,
                           learned_knowledge=LearnedKnowledgeConfig(mode=LearningMode.AGENTIC),
                           data_dir=data_dir, embedder=embedder, **kwargs)


def build_agent(model: str | Model | None, machine: LearningMachine | None,
                conn: sqlite3.Connection, *, context_level: str | None = None,
                embedder: str | Embedder | None = None, index: KnowledgeIndex | None = None,
                saved: SavedQueries | None = None, max_iterations: int = MAX_ITERATIONS,
                **agent_kwargs: Any) -> Agent:
    """Dash as an :class:`~workbench.agent.Agent` over a read-only warehouse connection.

    Args:
        model: ``"offline"``, a model name or a Model (None: configured default).
        machine: the memory (None: no learning at all).
        conn: a connection from :func:`~workbench.agents.dash.database.open_readonly`.
        context_level: ``names``, ``semantic`` (default), ``rules`` or ``queries``.
        embedder: for the knowledge index when ``index`` is not given.
        index: a prebuilt knowledge index for this level (built once, reused across agents).
        saved: where ``save_validated_query`` keeps queries.
    """
    level = check_level(context_level)
    if index is None and level != "names":
        index = KnowledgeIndex(knowledge_docs(level), embedder)
    tools = make_tools(conn, index=index if level != "names" else None, saved=saved)
    return Agent("dash", model=model, instructions=instructions(level), tools=tools,
                 learning=machine, max_iterations=max_iterations,
                 offline_policies=[dash_policy], **agent_kwargs)
