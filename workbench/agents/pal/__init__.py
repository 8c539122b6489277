"""Pal: a personal agent that learns how its user works.

This package holds the grader side: typed access to ``datasets/pal`` (``data``), the
deterministic preference checkers (``checkers``) and the scores built on them (``scoring``,
``recurring``). The agent, its tools and its offline policy live beside them.
"""
