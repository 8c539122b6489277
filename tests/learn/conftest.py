"""Helpers for the learning-store tests: a fast, deterministic machine and agent factory.

Every machine uses the hashing embedder (deterministic, no model load) and a SteppingClock,
in the test's own temporary directory. Tests that need paraphrase recall ask for MiniLM.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from workbench.learn import LearningMachine, SteppingClock


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "memory"


@pytest.fixture
def make_machine(data_dir: Path):
    """``make_machine(**stores)``: a LearningMachine on hashing vectors and a stepping clock."""
    made: list[LearningMachine] = []

    def factory(**kwargs: Any) -> LearningMachine:
        kwargs.setdefault("embedder", "hashing")
        kwargs.setdefault("data_dir", data_dir)
        kwargs.setdefault("clock", SteppingClock())
        # These tests inspect each extraction request as the turn ends: extract inline.
        # Background extraction (the library default) has its own tests.
        kwargs.setdefault("background", False)
        machine = LearningMachine(**kwargs)
        made.append(machine)
        return machine

    yield factory
    for machine in made:
        machine.close()
