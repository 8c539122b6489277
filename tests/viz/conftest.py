"""A small entity memory written through the store API at known times (headless figures)."""

from __future__ import annotations

import matplotlib
import pytest

from workbench.learn import EntityMemoryConfig, LearningMachine, SteppingClock

matplotlib.use("Agg")

T1, T2 = "2026-03-01T09:00:00Z", "2026-04-01T09:00:00Z"
BETWEEN = "2026-03-15T00:00:00Z"


@pytest.fixture
def memory(tmp_path):
    """Helen (Director -> VP), Marco (Brightwater -> Northwind), Acme, Falcon; two moments."""
    clock = SteppingClock(T1)
    machine = LearningMachine(entity_memory=EntityMemoryConfig(), embedder="hashing",
                              data_dir=tmp_path / "m", clock=clock)
    store = machine.entity_memory_store
    scope = store.scope(None)
    helen, _, _ = store.create(scope, "Helen Park", "person", aliases=["Helen"])
    acme, _, _ = store.create(scope, "Acme Robotics", "company")
    falcon, _, _ = store.create(scope, "Project Falcon", "project")
    marco, _, _ = store.create(scope, "Marco Bellini", "person")
    bright, _, _ = store.create(scope, "Brightwater Health", "company")
    store.add_fact(helen, "title", "Director of Product")
    store.add_relationship(helen, "works_at", acme)
    store.add_relationship(helen, "involved_in", falcon)
    store.add_relationship(marco, "works_at", bright)
    clock.set(T2)
    north, _, _ = store.create(scope, "Northwind Analytics", "company")
    store.add_fact(helen, "title", "VP Product")
    store.add_relationship(marco, "works_at", north)
    store.add_event(helen, "Promoted to VP Product", "2026-03-30")
    yield machine
    machine.close()
