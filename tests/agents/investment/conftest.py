"""Shared fixtures: a fresh committee world, a hashing-embedder memory, and a meeting runner."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from workbench.agents.investment import load_meetings
from workbench.agents.investment.agent import build_agent, build_machine
from workbench.agents.investment.world import CommitteeWorld
from workbench.learn import SteppingClock

MEETINGS = {m.id: m for m in load_meetings()}


@pytest.fixture
def world(tmp_path) -> CommitteeWorld:
    return CommitteeWorld.create(tmp_path / "world")


@pytest.fixture
def committee(tmp_path) -> Callable:
    """``committee(label)`` -> (agent, machine, world, run), where ``run(meeting_id, wipe=False)``
    runs one meeting the way the experiment does (date set, clock stepped, fresh session)."""

    def make(label: str = "a"):
        world = CommitteeWorld.create(tmp_path / label / "world")
        clock = SteppingClock()
        machine = build_machine(tmp_path / label / "memory", embedder="hashing", clock=clock)
        agent = build_agent("offline", machine, world)

        def run(meeting_id: str, *, wipe: bool = False):
            meeting = MEETINGS[meeting_id]
            world.begin(meeting)
            clock.set(f"{meeting.date.isoformat()}T09:00:00Z")
            if wipe:
                machine.wipe()
            return agent.run(meeting.request, session_id=f"{label}-{meeting_id}")

        return agent, machine, world, run

    return make
