"""Pal: a personal agent that learns how its user works.

Grader side (never shown to the agent): ``data`` (typed access to ``datasets/pal``),
``checkers`` (deterministic preference checkers), ``scoring`` and ``recurring``.

Agent side: ``agent`` (instructions, the ``PalProfile`` schema, the learning configuration,
``build_agent``), ``tools`` with ``notes`` (user-scoped SQLite) and ``sandbox`` (per-user
files, no delete), and the offline policy — ``policy`` (routing, drafts, file names),
``retrieval`` (questions, recurring meetings), ``extract`` (the ALWAYS memory extraction),
helped by ``turn``, ``request``, ``language``, ``style``, ``dates``, ``compose``,
``documents`` and ``answer``.

Measurement: ``experiment`` (``PalTask`` for ``workbench eval pal``), ``measure`` (per-turn
metrics) and ``report`` (tables and figures for notebooks).
"""
