"""Dash: a self-learning SQL analyst over a synthetic SaaS warehouse.

Data and checking: ``warehouse`` (the seeded SQLite generator), ``database`` (engine-enforced
read-only access and ``run_query``), ``knowledge`` (the documented semantic model and data
paths), ``questions`` (the probe bank with computed gold values), ``checking`` (answer checks).

The agent: ``context`` (what the instructions hold at each context level), ``tools``
(run_sql, introspect_schema, search_knowledge, save_validated_query), ``agent``
(``build_agent``: instructions with a frozen today, tools, AGENTIC learned knowledge).

The offline policy: ``policy`` (the turn driver), ``intents`` (question wording to an intent
and slots), ``beliefs``/``layers``/``evidence`` (what the request says: docs, learnings in
context, this turn's tool results), ``build`` (SQL from beliefs, recording what it relied
on), ``templates_*`` (one SQL template per intent), ``answers`` (wording and shared checks),
``lessons`` (what a turn learned, written as structured learnings), ``sqltext`` (helpers).

The experiment: ``experiment`` (``DashTask``), ``memory_ops`` (per-item isolation, decay,
poison), ``scoring`` (per-run metrics), ``analysis`` (tables and figures).
"""
