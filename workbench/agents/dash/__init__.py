"""Dash: a self-learning SQL analyst over a synthetic SaaS warehouse.

Modules: ``warehouse`` (the seeded SQLite generator), ``database`` (engine-enforced read-only
access and ``run_query``), ``knowledge`` (the documented semantic model and data paths),
``questions`` (the probe bank with computed gold values) and ``checking`` (answer checks).
"""
