"""A Contacts agent taught the whole script once per test session (hashing vectors, fast)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from workbench.agent import Agent
from workbench.agents.contacts.agent import build_agent, build_machine
from workbench.agents.contacts.data import load_script
from workbench.agents.contacts.experiment import Stamp, teach
from workbench.learn import LearningMachine, SteppingClock


@dataclass
class Taught:
    agent: Agent
    machine: LearningMachine
    stamps: list[Stamp]


def taught_agent(path, upto: int | None = None) -> Taught:
    machine = build_machine(embedder="hashing", data_dir=path, clock=SteppingClock())
    agent = build_agent("offline", machine)
    turns = [t for t in load_script() if upto is None or t.turn <= upto]
    return Taught(agent, machine, teach(agent, machine, turns))


@pytest.fixture(scope="session")
def taught(tmp_path_factory) -> Taught:
    run = taught_agent(tmp_path_factory.mktemp("contacts-taught"))
    yield run
    run.machine.close()
